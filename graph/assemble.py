"""Building the `Result` from a (final or interrupted) graph state."""

from __future__ import annotations

from typing import Any

from anysym.errors import AnysymError
from anysym.graph.context import Context
from anysym.graph.result import STAGES_REACHED, Attempt, Result, RunStatus, StageReached, Timings
from anysym.graph.state import State
from anysym.language.syntax import SYNTAXES, render

__all__ = ["assemble_result", "final_attempt", "is_success"]


def is_success(attempt: Attempt, context: Context) -> bool:
    """Whether an attempt completes the run: it produced outputs (or, in a dry run, compiled valid)."""
    goal: StageReached = "outputs" if context.execute else "valid"
    return attempt.ok and attempt.stage_reached == goal


def assemble_result(state: State, context: Context, *, status: RunStatus | None = None) -> Result:
    """Summarise the state: status, furthest stage, final flow in every syntax, usage and timings."""
    attempts = list(state.get("attempts", []))
    last = final_attempt(attempts)
    if status is None:
        status = "succeeded" if last is not None and is_success(last, context) else "failed"
    reached = [a.stage_reached for a in attempts if a.stage_reached is not None]
    stage = max(reached, key=STAGES_REACHED.index) if reached else None
    flow = last.flow if last is not None and last.flow is not None else _last_flow(attempts)
    compiled = last is not None and last.stage_reached in ("valid", "executed", "outputs")
    outputs = last.outputs if last is not None and last.outputs else tuple(state.get("outputs", []))
    calls = list(state.get("llm_calls", []))
    llm_s = sum(c.seconds for c in calls)
    comfy_s = float(state.get("comfy_s", 0.0))
    total_s = float(state.get("node_s", 0.0))
    return Result(
        task=state["task"],
        status=status,
        syntax=context.syntax,
        stage=stage,
        examples=tuple(example.id for example in state.get("examples", [])),
        flow=flow,
        texts=_texts(flow) if flow is not None else {},
        api=state.get("prompt") if compiled and last is attempts[-1] else None,
        workflow=state.get("workflow") if compiled and last is attempts[-1] else None,
        attempts=tuple(attempts),
        llm_calls=tuple(calls),
        outputs=outputs if status == "succeeded" or (last is not None and last.outputs) else (),
        verification=last.verification if last is not None else None,
        timings=Timings(
            total_s=total_s, llm_s=llm_s, comfy_s=comfy_s, overhead_s=max(0.0, total_s - llm_s - comfy_s)
        ),
        run_dir=context.run_dir,
        error=None if status != "failed" else _error(last),
    )


def final_attempt(attempts: list[Attempt]) -> Attempt | None:
    """The attempt a run ends with: the last one, unless a later refinement lost a flow that ran.

    A refine round after a failed verification may not even compile; the run then reports the last
    attempt that ran (with its outputs and its failed verification) rather than a flow that never ran.
    """
    if not attempts:
        return None
    last = attempts[-1]
    ran = [a for a in attempts if a.outputs]
    if last.outputs or not ran:
        return last
    return ran[-1]


def _last_flow(attempts: list[Attempt]) -> Any:
    return next((a.flow for a in reversed(attempts) if a.flow is not None), None)


def _texts(flow: Any) -> dict[str, str]:
    texts: dict[str, str] = {}
    for syntax in SYNTAXES:
        try:
            texts[syntax] = render(flow, syntax)
        except AnysymError:
            continue
    return texts


def _error(last: Attempt | None) -> str:
    if last is None:
        return "no program was written"
    errors = [d for d in last.diagnostics if d.is_error] or list(last.diagnostics)
    where = last.failed_stage or "unknown stage"
    return f"failed at {where}: {errors[0].render()}" if errors else f"failed at {where}"
