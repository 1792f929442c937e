"""refine: the LLM rewrites the CURRENT program given the CURRENT attempt's diagnostics."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Draft, State
from anysym.language.diagnostics import DiagnosticKind, render_for_llm
from anysym.language.syntax import render
from anysym.nodes import prompts
from anysym.nodes.ask import ask
from anysym.nodes.catalog_excerpt import types_named_in
from anysym.nodes.extract import extract_program
from anysym.nodes.prompting import context_block, fence, output_budget, shown_types

__all__ = ["refine", "refine_prompt"]


def refine_prompt(state: State, context: Context, deps: Deps) -> tuple[str, list[str]]:
    """Return the repair prompt for the last attempt and the node types it shows."""
    attempt = state["attempts"][-1]
    program = render(attempt.flow, context.syntax) if attempt.flow is not None else attempt.text
    suggestions = [
        name
        for d in attempt.diagnostics
        if d.kind is DiagnosticKind.UNKNOWN_FUNCTION and d.function and attempt.flow is not None
        for name in deps.catalog.closest(attempt.flow.functions[d.function].type)
    ]
    first = [*types_named_in(program, deps.catalog), *suggestions]
    types = shown_types(state, context, deps, first=first)
    instruction = prompts.REFINE_PROMPT.format(
        program=program.rstrip(),
        diagnostics=render_for_llm(list(attempt.diagnostics)),
        fence=fence(context.syntax),
    )
    return f"{context_block(state, deps, types)}\n{instruction}", types


async def refine(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Ask for a corrected complete program."""
    user, types = refine_prompt(state, runtime.context, deps)
    budget = output_budget(state, runtime.context, deps, current=state["attempts"][-1].flow)
    answer, call = await ask(
        deps, runtime.context, stage="refine", user=user, types=types, max_outputs=budget
    )
    extracted = extract_program(answer)
    return {
        "draft": Draft(stage="refine", text=extracted.text, extraction_error=extracted.error),
        "llm_calls": [call],
    }
