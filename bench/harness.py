"""The benchmark loop: every (variant, task, run) once, concurrently, appended to a resumable JSONL.

The harness is engine-agnostic: a `TaskRunner` turns one task into a `RunOutcome` (the stage the engine
reached, its LLM cost and timings, the produced files). The harness then decides the last two stages
itself, from files on disk: "outputs" when the produced files cover the task's expected outputs, and
"resolved" when the task's programmatic check passes on them. "executed" is only ever what the runner
reports (ComfyUI ran the workflow), never inferred.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from anysym.bench.checks import run_checks
from anysym.bench.records import (
    JudgeVerdict,
    ResultsStore,
    RunOutcome,
    TaskRecord,
    stage_index,
)
from anysym.bench.suites import Suite, Task
from anysym.bench.variants import Variant
from anysym.errors import BenchError, MediaError
from anysym.executor.outputs import OutputFile
from anysym.verify.pictures import open_picture

__all__ = [
    "RESULTS_FILE",
    "BenchRun",
    "Judge",
    "TaskRunner",
    "output_kinds",
    "outputs_cover",
    "pending_runs",
    "run_bench",
]

RESULTS_FILE = "results.jsonl"

_SUFFIX_KINDS: dict[str, set[str]] = {
    ".png": {"image"},
    ".jpg": {"image"},
    ".jpeg": {"image"},
    ".bmp": {"image"},
    ".webp": {"image"},
    ".gif": {"image", "video"},
    ".mp4": {"video"},
    ".webm": {"video"},
    ".mov": {"video"},
    ".mkv": {"video"},
    ".avi": {"video"},
    ".wav": {"audio"},
    ".flac": {"audio"},
    ".mp3": {"audio"},
    ".ogg": {"audio"},
    ".opus": {"audio"},
    ".glb": {"mesh"},
    ".gltf": {"mesh"},
    ".obj": {"mesh"},
    ".ply": {"mesh"},
    ".stl": {"mesh"},
    ".latent": {"latent"},
    ".safetensors": {"model"},
    ".ckpt": {"model"},
    ".txt": {"text"},
}


class TaskRunner(Protocol):
    """Runs one task under one variant (the engine adapter, or a fake in tests)."""

    async def run(self, task: Task, variant: Variant, *, run_index: int, inputs_dir: Path) -> RunOutcome:
        """Generate, compile and execute a flow for `task`; never raise for task-level failures."""
        ...


class Judge(Protocol):
    """An optional resolve judge (e.g. a vision-language model)."""

    async def judge(self, task: Task, outputs: Sequence[OutputFile], inputs_dir: Path) -> JudgeVerdict:
        """Return whether the outputs fulfil the task."""
        ...


@dataclass(frozen=True, kw_only=True)
class BenchRun:
    """What to run: the suite, variants, repetitions and where inputs and results live."""

    suite: Suite
    variants: Sequence[Variant]
    out_dir: Path
    inputs_dir: Path
    runs: int = 1
    concurrency: int = 1
    limit: int | None = None
    task_ids: Sequence[str] = ()
    """Only these tasks (suite order); empty means all."""
    retry_errors: bool = False
    """Redo finished runs whose engine raised (status "error", e.g. the LLM server was down)."""

    def __post_init__(self) -> None:
        known = {task.id for task in self.suite.tasks}
        unknown = [task_id for task_id in self.task_ids if task_id not in known]
        if unknown:
            raise BenchError(
                f"unknown task id(s) {', '.join(unknown)} in suite {self.suite.name}; "
                f"e.g. {', '.join(sorted(known)[:5])}"
            )

    def tasks(self) -> list[Task]:
        """Return the tasks to run: those named in `task_ids` (if any), then the first `limit` of them."""
        wanted = set(self.task_ids)
        tasks = [task for task in self.suite.tasks if not wanted or task.id in wanted]
        return tasks[: self.limit] if self.limit else tasks


async def run_bench(
    plan: BenchRun,
    runner: TaskRunner,
    *,
    judge: Judge | None = None,
    on_record: Callable[[TaskRecord, bool], None] | None = None,
) -> list[TaskRecord]:
    """Run every missing (variant, task, run), append each result, and return all records of the plan.

    `on_record(record, resumed)` is called for every record (resumed ones first), for progress display.
    """
    store = ResultsStore(plan.out_dir / RESULTS_FILE)
    done = store.load()
    jobs = _missing(plan, done)
    if on_record:
        redo = {(v.name, t.id, i) for v, t, i in jobs}
        for key in _planned(plan):
            if key in done and key not in redo:
                on_record(done[key], True)
    semaphore = asyncio.Semaphore(max(1, plan.concurrency))
    lock = asyncio.Lock()

    async def one(variant: Variant, task: Task, index: int) -> None:
        async with semaphore:
            record = await _measure(runner, judge, task, variant, index, plan.inputs_dir)
        async with lock:
            store.append(record)
            done[record.key] = record
        if on_record:
            on_record(record, False)

    await asyncio.gather(*(one(*job) for job in jobs))
    wanted = set(_planned(plan))
    return [record for key, record in done.items() if key in wanted]


def pending_runs(plan: BenchRun) -> int:
    """How many (variant, task, run) of the plan are not yet in the results file."""
    return len(_missing(plan, ResultsStore(plan.out_dir / RESULTS_FILE).load()))


def _planned(plan: BenchRun) -> list[tuple[str, str, int]]:
    return [(v.name, t.id, i) for v in plan.variants for t in plan.tasks() for i in range(plan.runs)]


def _missing(plan: BenchRun, done: dict[tuple[str, str, int], TaskRecord]) -> list[tuple[Variant, Task, int]]:
    return [
        (variant, task, index)
        for variant in plan.variants
        for task in plan.tasks()
        for index in range(plan.runs)
        if _needs_run(done.get((variant.name, task.id, index)), plan.retry_errors)
    ]


def _needs_run(record: TaskRecord | None, retry_errors: bool) -> bool:
    return record is None or (retry_errors and record.status == "error")


async def _measure(
    runner: TaskRunner, judge: Judge | None, task: Task, variant: Variant, index: int, inputs_dir: Path
) -> TaskRecord:
    started = time.perf_counter()
    try:
        outcome = await runner.run(task, variant, run_index=index, inputs_dir=inputs_dir)
    except Exception as exc:  # noqa: BLE001 - one broken run must not end the benchmark; it is recorded
        outcome = RunOutcome(stage="none", status="error", error=f"{type(exc).__name__}: {exc}")
    wall = time.perf_counter() - started
    record = TaskRecord(
        variant=variant.name,
        task_id=task.id,
        run=index,
        category=task.category,
        stage=outcome.stage if stage_index(outcome.stage) <= stage_index("executed") else "executed",
        status=outcome.status,
        attempts=outcome.attempts,
        llm_calls=outcome.llm_calls,
        input_tokens=outcome.input_tokens,
        output_tokens=outcome.output_tokens,
        wall_s=round(wall, 4),
        llm_s=round(outcome.llm_s, 4),
        comfy_s=round(outcome.comfy_s, 4),
        overhead_s=round(
            outcome.overhead_s
            if outcome.overhead_s is not None
            else max(0.0, wall - outcome.llm_s - outcome.comfy_s),
            4,
        ),
        outputs=outcome.outputs,
        error=outcome.error,
        flow=outcome.flow,
        run_dir=outcome.run_dir,
        llm_usage=outcome.llm_usage,
        first_parsed=outcome.first_parsed,
        parsed_attempts=outcome.parsed_attempts,
        failed_stages=outcome.failed_stages,
        attempt_stages=outcome.attempt_stages,
        constrained=outcome.constrained,
    )
    return await _score(record, task, judge, inputs_dir)


async def _score(record: TaskRecord, task: Task, judge: Judge | None, inputs_dir: Path) -> TaskRecord:
    if not record.reached("executed") or not outputs_cover(task, record.outputs):
        return record
    record.stage = "outputs"
    paths = [Path(output.path) for output in record.outputs]
    if task.check:
        outcome = await asyncio.to_thread(run_checks, task.check, paths, inputs_dir)
        record.check_passed, record.check_details = outcome.passed, outcome.details
        if outcome.passed:
            record.stage = "resolved"
    if judge is not None:
        try:
            record.judge = await judge.judge(task, record.outputs, inputs_dir)
        except Exception as exc:  # noqa: BLE001 - a judge failure leaves the run "not judged"
            record.judge = JudgeVerdict(resolved=None, reason=f"judge failed: {type(exc).__name__}: {exc}")
    return record


def output_kinds(output: OutputFile) -> set[str]:
    """Kinds a produced file counts as: its reported kind plus what its suffix (and frames) say."""
    path = Path(output.path)
    kinds = {output.kind} | _SUFFIX_KINDS.get(path.suffix.lower(), set())
    if path.suffix.lower() in (".webp", ".png", ".gif") and path.is_file():
        try:
            with open_picture(path) as image:
                if int(getattr(image, "n_frames", 1)) > 1:
                    kinds.add("video")
        except MediaError:
            pass
    return kinds


def outputs_cover(task: Task, outputs: Sequence[OutputFile]) -> bool:
    """Whether existing files cover every expected output kind and count (any output if none expected)."""
    present = [output for output in outputs if Path(output.path).is_file()]
    if not task.expected_outputs:
        return bool(present)
    kinds = [output_kinds(output) for output in present]
    return all(sum(1 for k in kinds if want.kind in k) >= want.count for want in task.expected_outputs)
