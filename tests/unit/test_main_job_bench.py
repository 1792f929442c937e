"""`bench main-job` orchestration: child runs timed, outcomes read from their result.json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from anysym.bench.main_job_bench import MainJobReport, run_main_job_bench
from anysym.errors import BenchError
from anysym.settings import Paths

# Stands in for `anysym`: `run TASK --input F --out DIR --model M` writes DIR/result.json like a real run
# (verified), except for a task saying "crash", which exits 3 without a result.
FAKE_ANYSYM = """
import json, sys
from pathlib import Path
args = sys.argv[1:]
out = Path(args[args.index("--out") + 1])
if "crash" in args[1]:
    sys.exit(3)
result = {
    "task": args[1], "status": "succeeded", "verification": "verified",
    "outputs": [{"function_id": "save", "path": str(out / "outputs" / "a.png")}],
    "timings": {"total_s": 1.5, "llm_s": 1.0, "comfy_s": 0.4, "overhead_s": 0.1},
}
(out / "result.json").write_text(json.dumps(result))
"""


@pytest.fixture
def command(tmp_path: Path) -> list[str]:
    script = tmp_path / "fake_anysym.py"
    script.write_text(FAKE_ANYSYM, encoding="utf-8")
    return [sys.executable, str(script)]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    path.write_bytes(b"not read by the fake")
    return path


def _bench(tmp_path: Path, command: list[str], inputs: list[Path], **options: Any) -> MainJobReport:
    """The benchmark over the fake command; no cold run (it would stop the machine's services)."""
    return run_main_job_bench(
        Paths(home=tmp_path / "home"),
        command=command,
        model="qwen2.5-coder-0.5b",
        inputs=inputs,
        out_root=tmp_path / "runs",
        **{"cold": False, **options},
    )


def test_warm_runs_follow_an_untimed_warm_up_and_report_what_each_run_did(
    tmp_path: Path, command: list[str], photo: Path
) -> None:
    lines: list[str] = []
    report = _bench(tmp_path, command, [photo], warm=2, progress=lines.append)
    assert [run.kind for run in report.runs] == ["warm-up", "warm", "warm"]
    assert {run.outcome for run in report.runs} == {"verified"}
    assert report.runs[1].llm_s == 1.0 and report.runs[1].comfy_s == 0.4
    assert report.cold_s is None and report.warm_median_s is not None and report.warm_median_s > 0
    assert len(lines) == 3 and "verified" in report.render()
    assert report.to_json()["warm_median_s"] == report.warm_median_s


def test_a_run_without_result_says_so_with_its_exit_code(
    tmp_path: Path, command: list[str], photo: Path
) -> None:
    report = _bench(tmp_path, command, [photo], task="crash now", warm=1)
    assert report.runs[-1].outcome.startswith("no result (exit 3; see ")


def test_a_missing_input_is_one_line_before_anything_runs(tmp_path: Path, command: list[str]) -> None:
    with pytest.raises(BenchError, match="input file not found"):
        _bench(tmp_path, command, [tmp_path / "nope.png"], cold=True)
