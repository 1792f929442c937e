"""verify: check what the execution produced against what the task asks, before the run may end.

Deterministic expectations first (`anysym.verify`: output kinds, frame counts, sizes computed from the
task and the real input files, a grayscale result; `anysym.task.claims`: every value the task states
for an input of a node type its search found is taken by some function; `anysym.repair.copied_steps`: no
working function only a shown reference program explains; `anysym.verify.crops`: a region cut out of
a file is cropped, not resized); then, when the graph has one, the vision judge. Every failure is a
Diagnostic addressed to the function most likely responsible, so refine can fix it; the attempt records
"verified", "unverified" (nothing could be checked) or "failed".
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from anysym.errors import JudgeError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import Attempt, Verification
from anysym.graph.state import State
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity, has_errors
from anysym.language.flow import Flow
from anysym.repair.copied_steps import copied_steps_in
from anysym.task.claims import unclaimed_diagnostics
from anysym.verify.checks import BLOCKING, check_outputs, check_static
from anysym.verify.crops import check_crop
from anysym.verify.expectations import Expectations, expect

__all__ = ["switched_checks", "verify"]


async def verify(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Record the verdict on the current attempt; a failed check turns it into a refinable failure."""
    attempt = state["attempts"][-1]
    inputs = [Path(p) for p in state.get("inputs", [])]
    # reads the input and output files and their pixels: off the event loop that other runs share
    expectations, problems = await asyncio.to_thread(
        _deterministic, attempt, state, inputs, runtime.context, deps.catalog
    )
    checks = _checks_made(expectations)
    if not has_errors(problems) and deps.judge is not None:
        try:
            verdict = await deps.judge.judge(state["task"], inputs, [o.path for o in attempt.outputs])
        except JudgeError as exc:  # an unreachable judge leaves the run unjudged, never lost
            problems.append(_judge_unavailable(exc))
        else:
            checks += 1 if verdict.passed is not None else 0
            if verdict.passed is False:
                problems.append(_rejected(attempt, verdict.reason))
    verdict_name: Verification = "failed" if has_errors(problems) else "verified" if checks else "unverified"
    update: dict[str, Any] = {"verification": verdict_name, "checks": checks}
    if verdict_name == "failed":
        update |= {"failed_stage": "verification", "diagnostics": (*attempt.diagnostics, *problems)}
    attempt = attempt.model_copy(update=update)
    return {"attempts": [attempt]}


def _deterministic(
    attempt: Attempt, state: State, inputs: list[Path], context: Context, catalog: Catalog
) -> tuple[Expectations, list[Diagnostic]]:
    """The task's expectations and the problems the deterministic checks find in `attempt`."""
    expectations = expect(state["task"], inputs)
    if attempt.flow is None:
        return expectations, []
    problems = [d for d in check_static(attempt.flow, expectations, catalog) if d.kind not in BLOCKING]
    problems += check_outputs(attempt.flow, attempt.outputs, expectations, catalog)
    problems += unclaimed_diagnostics(attempt.flow, state["task"], catalog, state.get("suggested_types", []))
    problems += switched_checks(attempt.flow, state, context, expectations, catalog)
    return expectations, problems


def switched_checks(
    flow: Flow, state: State, context: Context, expectations: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    """The static checks with their own `Context` switch (for ablations): copied steps, crops."""
    found = copied_steps_in(flow, state, catalog) if context.copied_steps else []
    return found + (check_crop(flow, expectations, catalog) if context.crop_check else [])


def _checks_made(expectations: Expectations) -> int:
    """How many kinds of expectation the task gave (sizes, kinds, frames, batch)."""
    return sum(
        1
        for present in (
            expectations.strict_size is not None or bool(expectations.candidate_sizes),
            bool(expectations.output_kinds),
            expectations.frames is not None,
            expectations.batch_size is not None,
        )
        if present
    )


def _judge_unavailable(exc: JudgeError) -> Diagnostic:
    return Diagnostic(
        kind=DiagnosticKind.VERIFICATION_FAILED,
        severity=Severity.WARNING,
        message=f"the vision judge could not be asked: {exc.message}",
        hint="check --judge-base-url and --judge-model; the outputs were not judged",
    )


def _rejected(attempt: Attempt, reason: str) -> Diagnostic:
    savers = sorted({o.function_id for o in attempt.outputs})
    return Diagnostic(
        kind=DiagnosticKind.VERIFICATION_FAILED,
        function=savers[0] if len(savers) == 1 else None,
        message=f"the vision judge rejected the output: {reason}",
        hint="change the functions or values the judge's reason points at; keep what the task asks",
    )
