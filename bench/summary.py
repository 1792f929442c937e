"""Aggregate task records into pass rates per stage, category and variant, plus cost and time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import mean
from typing import Any

from pydantic import BaseModel

from anysym.bench.llmstats import StageLLM, first_parse_rate, parse_rate_per_attempt, stage_llm
from anysym.bench.records import STAGES, TaskRecord

__all__ = ["GroupSummary", "Summary", "summarise"]


class GroupSummary(BaseModel):
    """Rates and costs over a group of runs (a variant, or a variant x category cell)."""

    runs: int
    tasks: int
    pass_at_1: dict[str, float]
    pass_at_n: dict[str, float]
    judged: int
    judge_resolved: float | None
    mean_attempts: float
    mean_llm_calls: float
    mean_input_tokens: float
    mean_output_tokens: float
    mean_wall_s: float
    mean_llm_s: float
    mean_comfy_s: float
    mean_overhead_s: float
    total_input_tokens: int
    total_output_tokens: int
    first_parse: float | None = None
    """Share of runs whose first complete program parsed (before any refinement)."""
    attempt_parse: float | None = None
    """Share of all attempts whose program parsed."""
    constrained: bool | None = None
    """Whether decoding was grammar-constrained in these runs (None: unknown or mixed)."""
    first_failed: int = 0
    """Runs whose first attempt failed (any stage)."""
    rescued: int = 0
    """Of those, the runs that search or refine turned into a passing attempt."""
    search_rescued: int = 0
    """Of the rescued runs, those whose passing attempt was a local edit of the search (no LLM)."""
    verification_failed: int = 0
    """Runs with at least one attempt that ran but failed verification."""
    verification_rescued: int = 0
    """Of those, the runs whose last attempt passed."""
    llm_stages: dict[str, StageLLM] = {}
    """Per LLM stage (psi1, psi2, one_step, refine): calls, tokens, tokens/s, median seconds per call."""


class Summary(BaseModel):
    """The whole benchmark: per variant, per variant and category, and the run configuration."""

    suite: str
    stages: list[str]
    variants: dict[str, GroupSummary]
    categories: dict[str, dict[str, GroupSummary]]
    config: dict[str, Any] = {}


def summarise(records: Sequence[TaskRecord], *, suite: str, config: dict[str, Any] | None = None) -> Summary:
    """Compute the summary; pass@1 is the mean over runs, pass@n counts a task if any of its runs passed."""
    by_variant: dict[str, list[TaskRecord]] = defaultdict(list)
    by_cell: dict[str, dict[str, list[TaskRecord]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        by_variant[record.variant].append(record)
        by_cell[record.variant][record.category].append(record)
    return Summary(
        suite=suite,
        stages=list(STAGES),
        variants={name: _group(group) for name, group in by_variant.items()},
        categories={
            name: {category: _group(group) for category, group in cells.items()}
            for name, cells in by_cell.items()
        },
        config=config or {},
    )


def _group(records: Sequence[TaskRecord]) -> GroupSummary:
    by_task: dict[str, list[TaskRecord]] = defaultdict(list)
    for record in records:
        by_task[record.task_id].append(record)
    judged = [r.judge.resolved for r in records if r.judge.resolved is not None]
    return GroupSummary(
        runs=len(records),
        tasks=len(by_task),
        pass_at_1={stage: _rate(r.reached(stage) for r in records) for stage in STAGES},
        pass_at_n={
            stage: _rate(any(r.reached(stage) for r in runs) for runs in by_task.values()) for stage in STAGES
        },
        judged=len(judged),
        judge_resolved=_rate(judged) if judged else None,
        mean_attempts=_mean(r.attempts for r in records),
        mean_llm_calls=_mean(r.llm_calls for r in records),
        mean_input_tokens=_mean(r.input_tokens for r in records),
        mean_output_tokens=_mean(r.output_tokens for r in records),
        mean_wall_s=_mean(r.wall_s for r in records),
        mean_llm_s=_mean(r.llm_s for r in records),
        mean_comfy_s=_mean(r.comfy_s for r in records),
        mean_overhead_s=_mean(r.overhead_s for r in records),
        total_input_tokens=sum(r.input_tokens for r in records),
        total_output_tokens=sum(r.output_tokens for r in records),
        first_parse=first_parse_rate(records),
        attempt_parse=parse_rate_per_attempt(records),
        constrained=_same({r.constrained for r in records}),
        llm_stages=stage_llm(records),
        first_failed=sum(1 for r in records if r.rescued is not None),
        rescued=sum(1 for r in records if r.rescued),
        search_rescued=sum(1 for r in records if r.rescued_by_search),
        verification_failed=len(unverified := [r for r in records if "verification" in r.failed_stages]),
        verification_rescued=sum(1 for r in unverified if r.failed_stages[-1] == ""),
    )


def _same(values: set[bool | None]) -> bool | None:
    return next(iter(values)) if len(values) == 1 else None


def _rate(values: Any) -> float:
    items = [bool(v) for v in values]
    return round(sum(items) / len(items), 4) if items else 0.0


def _mean(values: Any) -> float:
    items = [float(v) for v in values]
    return round(mean(items), 4) if items else 0.0
