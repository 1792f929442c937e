"""infer_components (psi1): the LLM chooses the functions and their parameters (F, Phi), no links."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Draft, State
from anysym.inference.ask import answer_bounds
from anysym.inference.candidates import ask_components
from anysym.inference.components import repair_components
from anysym.inference.parameters import fill_parameters
from anysym.inference.prompting import components_prompt, output_budget

__all__ = ["infer_components"]


async def infer_components(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Ask for the functions (the best of `Context.candidates` answers).

    An answer without a usable program goes to compile as a failed draft.
    """
    context = runtime.context
    chosen, calls = await ask_components(
        state,
        context,
        deps,
        stage="psi1",
        prompt_for=lambda varied: components_prompt(varied, context, deps),
        max_outputs=output_budget(state, context, deps),
        bounds=answer_bounds(state, None, deps.catalog),
    )
    if chosen.error is not None:
        return {
            "draft": Draft(stage="psi1", text=chosen.text, extraction_error=chosen.error),
            "llm_calls": calls,
        }
    text, notes = chosen.text, list(chosen.notes)
    if runtime.context.parameter_step:
        text, more, call = await fill_parameters(text, state, runtime.context, deps)
        if call is not None:
            calls.append(call)
            text, again = repair_components(text, state, runtime.context, deps)
            notes += [*more, *again]
    return {"components": text, "components_repairs": notes, "llm_calls": calls}
