"""Pure routers of the inference graph; each returns the name of the next node."""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from anysym.graph.assemble import is_success
from anysym.graph.context import Context
from anysym.graph.state import State
from anysym.nodes.search import search_pending

__all__ = [
    "can_refine",
    "refining_components",
    "route_after_compile",
    "route_after_components",
    "route_after_execute",
    "route_after_refine",
    "route_after_review",
    "route_after_search",
    "route_after_verify",
    "route_inference",
]


def can_refine(state: State, context: Context) -> bool:
    """Whether another refine round is allowed: switch on, rounds and LLM calls left."""
    attempts = state.get("attempts", [])
    rounds = sum(1 for a in attempts if a.stage == "refine")
    calls = len(state.get("llm_calls", []))
    return context.refine and rounds < context.max_refinements and calls < context.max_llm_calls


def route_inference(state: State, runtime: Runtime[Context]) -> Literal["infer_components", "infer_flow"]:
    """Two-stage inference (psi1 then psi2), or the one-step ablation."""
    return "infer_flow" if runtime.context.one_step else "infer_components"


def route_after_components(state: State) -> Literal["infer_topology", "compile"]:
    """Link psi1's functions, or compile psi1's unusable answer so that it is recorded and refined."""
    return "infer_topology" if state.get("components") else "compile"


def route_after_refine(state: State) -> Literal["infer_topology", "compile"]:
    """Link the functions refine just wrote (typed links), or compile its complete or unusable answer."""
    return "infer_topology" if refining_components(state) else "compile"


def refining_components(state: State) -> bool:
    """Whether `components` were written by refine for the current attempt (not yet linked)."""
    attempts = state.get("attempts", [])
    return bool(attempts) and state.get("components_round") == len(attempts)


def route_after_compile(
    state: State, runtime: Runtime[Context]
) -> Literal["review", "execute", "search", "refine", "finalize"]:
    """Execute a valid attempt (after review when asked), refine a failed one, or stop."""
    context = runtime.context
    attempt = state["attempts"][-1]
    if attempt.failed_stage is not None:
        return _after_failure(state, context)
    if is_success(attempt, context):
        return "finalize"
    if context.review and attempt.stage != "edit":
        return "review"
    return "execute"


def route_after_review(state: State) -> Literal["compile", "execute"]:
    """Compile the user's edit, or execute the reviewed flow unchanged."""
    draft = state.get("draft")
    return "compile" if draft is not None and draft.stage == "edit" else "execute"


def route_after_execute(
    state: State, runtime: Runtime[Context]
) -> Literal["verify", "search", "refine", "finalize"]:
    """Verify what a run produced, refine a run that failed (or produced nothing), or finish."""
    attempt = state["attempts"][-1]
    if attempt.failed_stage is None:
        return "verify" if runtime.context.verify else "finalize"
    return _after_failure(state, runtime.context)


def route_after_verify(state: State, runtime: Runtime[Context]) -> Literal["search", "refine", "finalize"]:
    """Search local edits of outputs that failed the task's checks, then refine, while allowed; or finish."""
    if state["attempts"][-1].failed_stage is None:
        return "finalize"
    return _after_failure(state, runtime.context)


def route_after_search(state: State, runtime: Runtime[Context]) -> Literal["compile", "refine", "finalize"]:
    """Compile the local edit search handed over, or refine when no edit is left."""
    if state.get("search_round") == len(state.get("attempts", [])):
        return "compile"
    return "refine" if can_refine(state, runtime.context) else "finalize"


def _after_failure(state: State, context: Context) -> Literal["search", "refine", "finalize"]:
    """A failed attempt: the next local edit while search has any, else refine while rounds are left."""
    if search_pending(state, context):
        return "search"
    return "refine" if can_refine(state, context) else "finalize"
