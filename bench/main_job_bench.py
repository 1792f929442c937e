"""The README's main job timed as a person runs it: `anysym run` in a child process, cold and warm.

The child process pays everything a user waits for (CLI start-up, services, retrieval, every LLM call,
ComfyUI). Cold: the managed local LLM and ComfyUI are stopped first, so the run starts them. Warm: both
run already (the cold run, or an untimed first run, leaves them running). Each run's outcome comes from
its `result.json`, so a fast run that did the wrong thing shows as such.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from anysym.errors import BenchError
from anysym.graph.artifacts import RESULT_FILE
from anysym.graph.result import Result
from anysym.services.comfy.server import LocalComfy
from anysym.services.llm.server import LocalLLM
from anysym.settings import Paths

__all__ = ["MAIN_JOB_TASK", "MainJobReport", "MainJobRun", "run_main_job_bench"]

MAIN_JOB_TASK = "Invert the colors of photo.png and scale it to 256x256"
"""The README's main job (with `--input examples/photo.png`)."""

RUN_TIMEOUT_S = 1800.0
"""A child run that takes longer than this is stopped and reported as timed out."""

Kind = Literal["cold", "warm-up", "warm"]


@dataclass(frozen=True)
class MainJobRun:
    """One timed `anysym run`: wall seconds as the user waits, and what the run itself reports."""

    kind: Kind
    seconds: float
    outcome: str
    llm_s: float = 0.0
    comfy_s: float = 0.0
    run_dir: str = ""


@dataclass(frozen=True)
class MainJobReport:
    """Every run of one model on one task, with the cold time and the warm median."""

    model: str
    task: str
    runs: list[MainJobRun] = field(default_factory=list)

    @property
    def cold_s(self) -> float | None:
        """The cold run's wall time (None when not measured)."""
        return next((run.seconds for run in self.runs if run.kind == "cold"), None)

    @property
    def warm_median_s(self) -> float | None:
        """The median wall time of the warm runs (None when none ran)."""
        warm = [run.seconds for run in self.runs if run.kind == "warm"]
        return statistics.median(warm) if warm else None

    def to_json(self) -> dict[str, object]:
        """The report as plain data, with the summary figures."""
        return {**asdict(self), "cold_s": self.cold_s, "warm_median_s": self.warm_median_s}

    def render(self) -> str:
        """A few lines for the terminal."""
        lines = [f"main job, model {self.model}: {self.task!r}"]
        for run in self.runs:
            lines.append(
                f"  {run.kind:<7} {run.seconds:7.1f} s  {run.outcome:<20} "
                f"(LLM {run.llm_s:.1f} s, ComfyUI {run.comfy_s:.1f} s)"
            )
        cold, warm = self.cold_s, self.warm_median_s
        lines.append(
            "  cold: "
            + (f"{cold:.1f} s" if cold is not None else "not measured")
            + "; warm median: "
            + (f"{warm:.1f} s" if warm is not None else "not measured")
        )
        return "\n".join(lines)


def run_main_job_bench(
    paths: Paths,
    *,
    command: Sequence[str],
    model: str,
    inputs: Sequence[Path],
    out_root: Path,
    task: str = MAIN_JOB_TASK,
    warm: int = 3,
    cold: bool = True,
    progress: Callable[[str], None] = lambda _line: None,
) -> MainJobReport:
    """Time `task` through `command` (the `anysym` executable as an argv prefix) cold once, then warm.

    Without `cold`, a first untimed warm-up run starts the services so the warm runs find them running.
    """
    missing = [str(path) for path in inputs if not path.is_file()]
    if missing:
        raise BenchError(f"input file not found: {', '.join(missing)}")
    report = MainJobReport(model=model, task=task)
    if cold:
        progress("stopping the managed LLM and ComfyUI for the cold run...")
        LocalLLM(paths, model=model).stop()
        LocalComfy(paths).stop()
    first: Kind = "cold" if cold else "warm-up"
    repeated: list[Kind] = ["warm"] * warm
    kinds = [first, *repeated]
    for number, kind in enumerate(kinds, start=1):
        run_dir = out_root / f"{number:02d}-{kind}"
        argv = [*command, "run", task, *_input_args(inputs), "--out", str(run_dir), "--model", model]
        run = _timed_run(kind, argv, run_dir)
        progress(f"{kind}: {run.seconds:.1f} s, {run.outcome}")
        report.runs.append(run)
    return report


def _input_args(inputs: Sequence[Path]) -> list[str]:
    return [arg for path in inputs for arg in ("--input", str(path))]


def _timed_run(kind: Kind, argv: list[str], run_dir: Path) -> MainJobRun:
    run_dir.mkdir(parents=True, exist_ok=True)
    log = run_dir / "bench-console.log"
    started = time.perf_counter()
    with log.open("wb") as sink:
        try:
            finished = subprocess.run(argv, stdout=sink, stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return MainJobRun(kind, time.perf_counter() - started, "timed out", run_dir=str(run_dir))
        except OSError as exc:
            raise BenchError(f"cannot start {argv[0]}: {exc}") from exc
    seconds = time.perf_counter() - started
    result = _result(run_dir / RESULT_FILE)
    if result is None:
        outcome = f"no result (exit {finished.returncode}; see {log})"
        return MainJobRun(kind, seconds, outcome, run_dir=str(run_dir))
    timings = result.timings
    return MainJobRun(kind, seconds, result.outcome, timings.llm_s, timings.comfy_s, str(run_dir))


def _result(path: Path) -> Result | None:
    try:
        return Result.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, json.JSONDecodeError):
        return None
