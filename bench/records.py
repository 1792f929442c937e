"""What the benchmark records per task run, and the append-only JSONL store that makes runs resumable."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from anysym.errors import BenchError
from anysym.executor.outputs import OutputFile
from anysym.graph.result import LLMCall

__all__ = [
    "STAGES",
    "JudgeVerdict",
    "ResultsStore",
    "RunOutcome",
    "Stage",
    "TaskRecord",
    "stage_index",
]

Stage = Literal["none", "extracted", "parsed", "valid", "executed", "outputs", "resolved"]
STAGES: tuple[Stage, ...] = ("extracted", "parsed", "valid", "executed", "outputs", "resolved")
"""The stages a run can reach, in order: answer extracted from the LLM reply, parsed into a flow,
valid against the catalog, executed by ComfyUI, expected outputs produced, output check passed."""

ENGINE_STAGES: tuple[Stage, ...] = ("none", "extracted", "parsed", "valid", "executed", "outputs")


def stage_index(stage: str) -> int:
    """Return the position of `stage` (0 for "none", 6 for "resolved")."""
    order = ("none", *STAGES)
    return order.index(stage) if stage in order else 0


@dataclass
class RunOutcome:
    """What a `TaskRunner` reports for one run; the harness adds the output check and timing."""

    stage: Stage = "none"
    status: str = "error"
    attempts: int = 0
    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    llm_s: float = 0.0
    comfy_s: float = 0.0
    overhead_s: float | None = None
    outputs: list[OutputFile] = field(default_factory=list)
    flow: str | None = None
    error: str | None = None
    run_dir: str | None = None
    llm_usage: list[LLMCall] = field(default_factory=list)
    """Every LLM call in order, with its stage, seconds and tokens."""
    first_parsed: bool | None = None
    """Whether the first complete program parsed (None when no program was written)."""
    parsed_attempts: int = 0
    """How many attempts parsed into a flow."""
    failed_stages: list[str] = field(default_factory=list)
    """Per attempt, the stage it failed at ("" for the attempt that passed)."""
    attempt_stages: list[str] = field(default_factory=list)
    """Per attempt, the step that wrote it (psi2, one_step, refine, search)."""
    constrained: bool | None = None
    """Whether decoding was grammar-constrained (None when unknown)."""


class JudgeVerdict(BaseModel):
    """The optional VLM judge's verdict on one run (`resolved` is None when not judged)."""

    resolved: bool | None = None
    model: str | None = None
    reason: str = "not judged"


class TaskRecord(BaseModel):
    """One line of `results.jsonl`: the full measurement of one (variant, task, run)."""

    model_config = ConfigDict(extra="ignore")

    variant: str
    task_id: str
    run: int = 0
    category: str = ""
    stage: Stage = "none"
    status: str = "error"
    attempts: int = 0
    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    wall_s: float = 0.0
    llm_s: float = 0.0
    comfy_s: float = 0.0
    overhead_s: float = 0.0
    outputs: list[OutputFile] = []
    check_passed: bool | None = None
    check_details: list[str] = []
    judge: JudgeVerdict = JudgeVerdict()
    error: str | None = None
    flow: str | None = None
    run_dir: str | None = None
    llm_usage: list[LLMCall] = []
    first_parsed: bool | None = None
    parsed_attempts: int = 0
    failed_stages: list[str] = []
    attempt_stages: list[str] = []
    constrained: bool | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        """Identify the run: (variant, task id, run index)."""
        return (self.variant, self.task_id, self.run)

    @property
    def rescued(self) -> bool | None:
        """Whether refine turned a failed first attempt into a passing one (None: the first passed)."""
        if not self.failed_stages or not self.failed_stages[0]:
            return None
        return not self.failed_stages[-1] and len(self.failed_stages) > 1

    @property
    def rescued_by_search(self) -> bool:
        """Whether a local edit of the search (no LLM) was the attempt that passed after a failure."""
        return bool(self.rescued) and self.attempt_stages[-1:] == ["search"]

    def reached(self, stage: str) -> bool:
        """Whether the run got at least as far as `stage`."""
        return stage_index(self.stage) >= stage_index(stage)


class ResultsStore:
    """Append-only JSONL of `TaskRecord`s; a line is written (and fsynced) as soon as a run finishes.

    Reloading skips a truncated last line, so a benchmark killed mid-write resumes cleanly.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[tuple[str, str, int], TaskRecord]:
        """Return the finished runs by key (a later line for the same key wins)."""
        records: dict[tuple[str, str, int], TaskRecord] = {}
        if not self.path.exists():
            return records
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise BenchError(f"cannot read results {self.path}: {exc.strerror or exc}") from exc
        for line in lines:
            if not line.strip():
                continue
            try:
                record = TaskRecord.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError):
                continue
            records[record.key] = record
        return records

    def append(self, record: TaskRecord) -> None:
        """Write one record as a line and flush it to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        exists = self.path.exists() and self.path.stat().st_size > 0
        needs_newline = exists and not _ends_with_newline(self.path)
        with self.path.open("a", encoding="utf-8") as handle:
            if needs_newline:
                handle.write("\n")
            handle.write(record.model_dump_json() + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
