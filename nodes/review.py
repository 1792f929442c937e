"""review: interrupt before execution so a person can edit the flow; an edit is compiled again."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from anysym.graph.context import Context
from anysym.graph.state import Draft, State
from anysym.language.syntax import render

__all__ = ["review"]


async def review(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Pause with the flow text; resume with `Command(resume=text)` (an edit) or `resume=None` (run as is)."""
    attempt = state["attempts"][-1]
    syntax = runtime.context.syntax
    text = render(attempt.flow, syntax) if attempt.flow is not None else attempt.text
    edited = interrupt({"syntax": syntax, "flow": text, "attempt": attempt.index})
    if isinstance(edited, str) and edited.strip() and edited.strip() != text.strip():
        return {"draft": Draft(stage="edit", text=edited)}
    return {}
