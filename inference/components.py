"""Making a functions-only answer (psi1, refine's step 1) linkable: unique ids, then the task's facts."""

from __future__ import annotations

import re

import structlog

from anysym.errors import ALangError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import State
from anysym.language.syntax import Syntax, parse, render
from anysym.repair.task_repairs import apply_task_repairs

__all__ = ["repair_components", "unique_ids"]

_log = structlog.get_logger("anysym.nodes")


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
