"""infer_components (psi1): the LLM chooses the functions and their parameters (F, Phi), no links."""

from __future__ import annotations

import re
from typing import Any

import structlog
from langgraph.runtime import Runtime

from anysym.errors import ALangError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Draft, State
from anysym.language.syntax import Syntax, parse, render
from anysym.nodes import prompts
from anysym.nodes.ask import ask
from anysym.nodes.extract import extract_program
from anysym.nodes.prompting import context_block, fence, output_budget, shown_types
from anysym.nodes.task_repairs import apply_task_repairs

__all__ = ["components_prompt", "infer_components", "repair_components", "unique_ids"]

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
    text, notes = repair_components(extracted.text, state, runtime.context, deps)
    return {"components": text, "components_repairs": notes, "llm_calls": [call]}


def repair_components(text: str, state: State, context: Context, deps: Deps) -> tuple[str, list[str]]:
    """Make a functions-only answer (psi1, or refine's step 1) linkable: unique ids, the task's facts."""
    text, renamed = unique_ids(text, context.syntax)
    text, notes = _task_repairs(text, state, context, deps)
    return text, [*renamed, *notes]


def unique_ids(text: str, syntax: Syntax) -> tuple[str, list[str]]:
    """Rename a function id psi1 wrote twice (`upscale` for the model loader and the upscaler).

    psi1 writes one function per line and no links, so renaming a later line's id changes nothing
    else; left as it is, the program does not parse and psi2 loses its typed-links grammar.
    """
    seen: set[str] = set()
    lines: list[str] = []
    notes: list[str] = []
    for line in text.splitlines():
        found = _STATEMENT_ID[syntax].match(line)
        if found is not None:
            function_id = found.group("id").strip("`")
            if function_id in seen:
                fresh = next(f"{function_id}_{n}" for n in range(2, 1000) if f"{function_id}_{n}" not in seen)
                line = (
                    f"{line[: found.start('id')]}{_quoted(found.group('id'), fresh)}{line[found.end('id') :]}"
                )
                notes.append(f"renamed a repeated function id {function_id!r} to {fresh!r} (ids are unique)")
                function_id = fresh
            seen.add(function_id)
        lines.append(line)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else ""), notes


def _quoted(original: str, fresh: str) -> str:
    return f"`{fresh}`" if original.startswith("`") else fresh


_STATEMENT_ID: dict[str, re.Pattern[str]] = {
    "declarative": re.compile(r'\s*workflow\.add_node\(\s*"(?P<id>[^"\\]+)"'),
    "dataflow": re.compile(r"\s*(?P<id>`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)"),
    "pseudo": re.compile(r"\s*(?P<id>`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)\s+is\s+an?\s"),
}
"""Where the id of a function statement sits at the start of a line, per syntax."""


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
