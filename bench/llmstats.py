"""Per-stage LLM numbers over a group of runs: calls, tokens, tokens per second, median latency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import median

from pydantic import BaseModel

from anysym.bench.records import TaskRecord
from anysym.graph.result import LLMCall

__all__ = ["LLM_STAGES", "StageLLM", "first_parse_rate", "parse_rate_per_attempt", "stage_llm"]

LLM_STAGES = ("psi1", "psi2", "one_step", "refine")
"""The engine's LLM stages in pipeline order (others, if any, are listed after them)."""


class StageLLM(BaseModel):
    """The LLM calls of one stage: how many, their cost, throughput and latency."""

    calls: int
    seconds: float
    """Total seconds over the calls."""
    input_tokens: int
    max_input_tokens: int = 0
    """The longest prompt of one call, in the server's tokens (0 in records from before it was kept)."""
    output_tokens: int
    tokens_per_s: float | None
    """Output tokens per second of LLM time (None when no time was measured)."""
    median_s: float
    """Median seconds per call."""
    mean_output_tokens: float


def stage_llm(records: Iterable[TaskRecord]) -> dict[str, StageLLM]:
    """Group every recorded LLM call by stage (pipeline order) and summarise each stage."""
    by_stage: dict[str, list[LLMCall]] = defaultdict(list)
    for record in records:
        for call in record.llm_usage:
            by_stage[call.stage].append(call)
    order = [s for s in LLM_STAGES if s in by_stage] + sorted(set(by_stage) - set(LLM_STAGES))
    return {stage: _summarise(by_stage[stage]) for stage in order}


def _summarise(calls: Sequence[LLMCall]) -> StageLLM:
    seconds = sum(c.seconds for c in calls)
    output_tokens = sum(c.output_tokens for c in calls)
    return StageLLM(
        calls=len(calls),
        seconds=round(seconds, 4),
        input_tokens=sum(c.input_tokens for c in calls),
        max_input_tokens=max(c.input_tokens for c in calls),
        output_tokens=output_tokens,
        tokens_per_s=round(output_tokens / seconds, 2) if seconds > 0 else None,
        median_s=round(median(c.seconds for c in calls), 4),
        mean_output_tokens=round(output_tokens / len(calls), 2),
    )


def first_parse_rate(records: Iterable[TaskRecord]) -> float | None:
    """Share of runs whose first complete program parsed (runs that wrote no program are left out)."""
    values = [r.first_parsed for r in records if r.first_parsed is not None]
    return round(sum(values) / len(values), 4) if values else None


def parse_rate_per_attempt(records: Iterable[TaskRecord]) -> float | None:
    """Share of all attempts (first tries and refinements) whose program parsed."""
    items = list(records)
    attempts = sum(r.attempts for r in items)
    return round(sum(r.parsed_attempts for r in items) / attempts, 4) if attempts else None
