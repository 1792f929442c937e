"""search: after a flow fails verification, validation or execution, try local edits before asking the LLM.

Refine with a small model mostly answers the flow that just failed (at temperature 0 and sampled); the
strongest published systems check intermediate results and repair locally instead. Here the failed
flow's single edits, then pairs of them (`anysym.repair.local_edits`), are compiled like any draft
(repairs and the task's values included); those that compile valid and differ from every flow tried
so far, and leave none of the static findings verify fails a flow for (a stated value no function
takes, an input unused, a step only an example explains, a region resized instead of cropped), are
queued, at most `Context.search_budget`, to run one by one through compile -> execute -> verify as
attempts of stage `search`. The first that passes verification ends the run; when none does, refine
gets the flow the search started from and its diagnostics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import Attempt
from anysym.graph.state import Draft, State
from anysym.inference.keys import parse_key_function
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow
from anysym.language.syntax import Syntax, render
from anysym.nodes.compile import TaskFacts, compile_draft
from anysym.nodes.verify import switched_checks
from anysym.repair.local_edits import EditHints, LocalEdit, local_edits
from anysym.repair.sequences import stated_sequence
from anysym.task.claims import unclaimed_values
from anysym.verify.checks import check_static
from anysym.verify.crops import asks_region
from anysym.verify.expectations import Expectations, expect

__all__ = ["attempt_to_refine", "search", "search_pending"]

_SEARCHED = ("verification", "validate", "execute")
"""Failures of a parsed flow whose local edits may pass: wrong outputs, an input no link can feed
(`ImageInvert` written for a mask: its swap for `InvertMask` takes the loaded mask), or a run-time error
(a MaskComposite given the small mask as its destination fails on the empty overlap; swapped, it runs)."""
_MAX_COMPILED = 40
"""Single edits, and pairs, compiled at most per failed flow to fill the budget (no execution)."""


def search_pending(state: State, context: Context) -> bool:
    """Whether search has work: a fresh flow failed verification or validation, or edits are queued.

    Not in a reviewed run: a person approves each flow that runs there, and edits made by the
    dozen would each stop the run for review.
    """
    attempts = state.get("attempts", [])
    if context.search_budget <= 0 or context.review or not attempts:
        return False
    last = attempts[-1]
    if last.stage == "search":
        return bool(state.get("search_queue"))
    return last.failed_stage in _SEARCHED and last.flow is not None


def attempt_to_refine(state: State) -> Attempt:
    """The attempt refine repairs: the last one, or the flow a search started from when its edits failed."""
    attempts = state["attempts"]
    base = state.get("search_base")
    if attempts[-1].stage == "search" and base is not None and base < len(attempts):
        return attempts[base]
    return attempts[-1]


async def search(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Queue the failed flow's local edits (once per failed flow) and hand the next one to compile."""
    attempts = state["attempts"]
    update: dict[str, Any] = {}
    queue = list(state.get("search_queue", []))
    if attempts[-1].stage != "search":
        base = attempts[-1]
        assert base.flow is not None  # search_pending only routes a parsed flow here
        queue = _candidates(base.flow, state, runtime.context, deps)
        update["search_base"] = base.index
    if not queue:
        return {**update, "search_queue": []}
    return {
        **update,
        "draft": queue[0],
        "search_queue": queue[1:],
        "search_round": len(attempts),
    }


def _candidates(flow: Flow, state: State, context: Context, deps: Deps) -> list[Draft]:
    """The edits that can pass, at most the budget, single edits before pairs.

    An edit must compile valid, be new, and leave no static finding verify would fail it for (a
    stated value no function takes, an input unused, a function reaching no output): running one that
    verification is sure to reject would only spend the budget.
    """
    expectations = expect(state["task"], [Path(p) for p in state.get("inputs", [])])
    hints = _hints(flow, state, context, deps.catalog, expectations)
    tried = {a.flow.canonical_json() for a in state.get("attempts", []) if a.flow is not None}
    singles = local_edits(flow, deps.catalog, hints)
    pairs = [
        LocalEdit(second.flow, f"{first.note}; {second.note}")
        for first in singles
        for second in local_edits(first.flow, deps.catalog, hints)
    ]
    drafts: list[Draft] = []
    for edit in [*singles[:_MAX_COMPILED], *pairs[:_MAX_COMPILED]]:
        compiled = _compiled(edit, state, context, deps.catalog)
        if compiled is None or compiled.canonical_json() in tried:
            continue
        if _findings(compiled, state, context, deps.catalog, expectations):
            continue
        tried.add(compiled.canonical_json())
        drafts.append(Draft(stage="search", text=render(edit.flow, context.syntax), repairs=(edit.note,)))
        if len(drafts) >= context.search_budget:
            break
    return drafts


def _hints(
    flow: Flow, state: State, context: Context, catalog: Catalog, expectations: Expectations
) -> EditHints:
    """What the edits go by: searched types, unclaimed values, the stated size, blamed inputs, frames.

    The frames and the region are left out when their `Context` switch is off (ablations).
    """
    unclaimed = unclaimed_values(flow, state["task"], catalog, state.get("suggested_types", []))
    diagnostics = state["attempts"][-1].diagnostics
    names = [fact.name for fact in expectations.inputs]
    uniform = {x for x, y in expectations.factors if x == y}
    return EditHints(
        steps=state.get("step_types", []),
        wanted=[taker.split(".", 1)[0] for item in unclaimed for taker in item.takers],
        size=expectations.strict_size,
        factor=uniform.pop() if len(uniform) == 1 else None,
        blamed=[(d.function, d.port) for d in diagnostics if d.is_error and d.function and d.port],
        sequence=stated_sequence(expectations) if context.sequence_edits else (),
        region=context.crop_check and asks_region(expectations.task, names),
    )


def _findings(
    flow: Flow, state: State, context: Context, catalog: Catalog, expectations: Expectations
) -> int:
    """How many errors verify would find in a compiled edit before looking at its outputs."""
    unclaimed = unclaimed_values(flow, state["task"], catalog, state.get("suggested_types", []))
    static = [d for d in check_static(flow, expectations, catalog) if d.is_error]
    switched = [d for d in switched_checks(flow, state, context, expectations, catalog) if d.is_error]
    return len(unclaimed) + len(static) + len(switched)


def _compiled(edit: LocalEdit, state: State, context: Context, catalog: Catalog) -> Flow | None:
    """The flow compile would make of the edit, when it is valid; None otherwise."""
    syntax: Syntax = context.syntax
    attempt, prompt = compile_draft(
        Draft(stage="search", text=render(edit.flow, syntax)),
        index=0,
        catalog=catalog,
        syntax=syntax,
        keys=[parse_key_function(k) for k in state.get("key_functions", [])],
        repairs=context.repairs,
        task=TaskFacts(state["task"], [Path(p) for p in state.get("inputs", [])]),
        task_repairs=context.task_repairs,
        loose_links=context.loose_links,
        verify=context.verify,
    )
    return attempt.flow if prompt is not None else None
