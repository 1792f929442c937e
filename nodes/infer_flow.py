"""infer_flow: the one-step ablation, functions, parameters and links in a single LLM call."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Draft, State
from anysym.inference import prompts
from anysym.inference.ask import answer_bounds, ask
from anysym.inference.extract import extract_program
from anysym.inference.prompting import context_block, fence, output_budget, shown_types

__all__ = ["flow_prompt", "infer_flow"]


def flow_prompt(state: State, context: Context, deps: Deps) -> tuple[str, list[str]]:
    """Return the one-step user prompt and the node types it shows."""
    types = shown_types(state, context, deps)
    instruction = prompts.FLOW_INSTRUCTION.format(fence=fence(context.syntax))
    return f"{context_block(state, context, deps, types)}\n{instruction}", types


async def infer_flow(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Ask for the complete program at once."""
    user, types = flow_prompt(state, runtime.context, deps)
    budget = output_budget(state, runtime.context, deps)
    answer, call = await ask(
        deps,
        runtime.context,
        stage="one_step",
        user=user,
        types=types,
        max_outputs=budget,
        bounds=answer_bounds(state, None, deps.catalog),
    )
    extracted = extract_program(answer)
    return {
        "draft": Draft(stage="one_step", text=extracted.text, extraction_error=extracted.error),
        "llm_calls": [call],
    }
