"""refine: the LLM repairs the CURRENT program given the CURRENT attempt's diagnostics.

By default (`Context.refine_in_steps`, two-stage runs) it writes the corrected functions only, and psi2
links them with the typed-links grammar: a repair can then neither link a function that does not exist
nor feed one input twice nor repeat lines to the token limit (the 0.5B model's whole-program rewrites
did all three). Otherwise it rewrites the complete program, bounded by `anysym.inference.ask.answer_bounds`.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Draft, Example, State
from anysym.inference import prompts
from anysym.inference.ask import answer_bounds, ask
from anysym.inference.candidates import ask_components
from anysym.inference.catalog_excerpt import types_named_in
from anysym.inference.extract import extract_program
from anysym.inference.prompting import context_block, fence, output_budget, shown_types
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind, render_for_llm
from anysym.language.flow import Flow
from anysym.language.io_nodes import working_types
from anysym.language.syntax import render
from anysym.nodes.search import attempt_to_refine

__all__ = ["refine", "refine_prompt"]


def refine_prompt(
    state: State, context: Context, deps: Deps, *, functions_only: bool = False
) -> tuple[str, list[str]]:
    """Return the repair prompt for the last attempt and the node types it shows.

    `functions_only` asks for step 1 (the corrected functions, no links).
    """
    attempt = attempt_to_refine(state)
    program = render(attempt.flow, context.syntax) if attempt.flow is not None else attempt.text
    suggestions = [
        name
        for d in attempt.diagnostics
        if d.kind is DiagnosticKind.UNKNOWN_FUNCTION and d.function and attempt.flow is not None
        for name in deps.catalog.closest(attempt.flow.functions[d.function].type)
    ]
    first = [*types_named_in(program, deps.catalog), *suggestions]
    if context.refine_fresh_examples and attempt.flow is not None:
        state = {**state, "examples": _not_copied(state.get("examples", []), attempt.flow, deps.catalog)}
    types = shown_types(state, context, deps, first=first)
    template = prompts.REFINE_FUNCTIONS_PROMPT if functions_only else prompts.REFINE_PROMPT
    instruction = template.format(
        program=program.rstrip(),
        diagnostics=render_for_llm(list(attempt.diagnostics)),
        fence=fence(context.syntax),
        what=prompts.COMPONENTS_WHAT[context.syntax],
    )
    return f"{context_block(state, context, deps, types)}\n{instruction}", types


def _not_copied(examples: list[Example], flow: Flow, catalog: Catalog) -> list[Example]:
    """The examples that still show the failed flow something (one it holds all of repeats its answer).

    An example adds nothing when each of its working node types (not loaders or output functions) is
    already in the flow; one with a step the flow lacks (the resize it dropped) stays.
    """
    have = {function.type for function in flow.functions.values()}
    return [example for example in examples if not working_types(example.node_types, catalog) <= have]


async def refine(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Ask for the corrected functions (then psi2 links them), or for a corrected complete program."""
    if runtime.context.refine_in_steps and not runtime.context.one_step:
        return await _refine_functions(state, runtime.context, deps)
    user, types = refine_prompt(state, runtime.context, deps)
    current = attempt_to_refine(state).flow
    budget = output_budget(state, runtime.context, deps, current=current)
    answer, call = await ask(
        deps,
        runtime.context,
        stage="refine",
        user=user,
        types=types,
        max_outputs=budget,
        bounds=answer_bounds(state, current, deps.catalog),
    )
    extracted = extract_program(answer)
    return {
        "draft": Draft(stage="refine", text=extracted.text, extraction_error=extracted.error),
        "llm_calls": [call],
    }


async def _refine_functions(state: State, context: Context, deps: Deps) -> dict[str, Any]:
    current = attempt_to_refine(state).flow
    chosen, calls = await ask_components(
        state,
        context,
        deps,
        stage="refine",
        prompt_for=lambda varied: refine_prompt(varied, context, deps, functions_only=True),
        max_outputs=output_budget(state, context, deps, current=current),
        bounds=answer_bounds(state, current, deps.catalog),  # components: only the function bound applies
        failed=current,
    )
    if chosen.error is not None:
        return {
            "draft": Draft(stage="refine", text=chosen.text, extraction_error=chosen.error),
            "llm_calls": calls,
        }
    return {
        "components": chosen.text,
        "components_repairs": list(chosen.notes),
        "components_round": len(state["attempts"]),
        "llm_calls": calls,
    }
