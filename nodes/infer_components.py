"""infer_components (psi1): the LLM chooses the functions and their parameters (F, Phi), no links."""

from __future__ import annotations

from typing import Any

import structlog
from langgraph.runtime import Runtime

from anysym.errors import ALangError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Draft, State
from anysym.language.syntax import parse, render
from anysym.nodes import prompts
from anysym.nodes.ask import ask
from anysym.nodes.extract import extract_program
from anysym.nodes.prompting import context_block, fence, output_budget, shown_types
from anysym.nodes.task_repairs import apply_task_repairs

__all__ = ["components_prompt", "infer_components"]

_log = structlog.get_logger("anysym.nodes")


def components_prompt(state: State, context: Context, deps: Deps) -> tuple[str, list[str]]:
    """Return psi1's user prompt and the node types it shows."""
    types = shown_types(state, context, deps)
    instruction = prompts.COMPONENTS_INSTRUCTION.format(
        what=prompts.COMPONENTS_WHAT[context.syntax], fence=fence(context.syntax)
    )
    return f"{context_block(state, context, deps, types)}\n{instruction}", types


async def infer_components(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Ask for the functions; an answer without a usable program goes to compile as a failed draft."""
    user, types = components_prompt(state, runtime.context, deps)
    budget = output_budget(state, runtime.context, deps)
    answer, call = await ask(
        deps, runtime.context, stage="psi1", user=user, types=types, part="components", max_outputs=budget
    )
    extracted = extract_program(answer)
    if extracted.error is not None:
        return {
            "draft": Draft(stage="psi1", text=answer, extraction_error=extracted.error),
            "llm_calls": [call],
        }
    text, notes = _task_repairs(extracted.text, state, runtime.context, deps)
    return {"components": text, "components_repairs": notes, "llm_calls": [call]}


def _task_repairs(text: str, state: State, context: Context, deps: Deps) -> tuple[str, list[str]]:
    """Apply the task-fact repairs to psi1's answer (re-rendered in the syntax when one applied)."""
    if not context.task_repairs:
        return text, []
    try:
        flow = parse(text, context.syntax)
    except ALangError:  # compile reports it after psi2
        return text, []
    flow, notes = apply_task_repairs(
        flow, task=state["task"], inputs=state.get("inputs", []), catalog=deps.catalog
    )
    if not notes:
        return text, []
    _log.info("psi1_repaired", repairs=notes)
    return render(flow, context.syntax), notes
