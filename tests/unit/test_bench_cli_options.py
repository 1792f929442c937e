"""`anysym bench` options for decoding comparisons and subsets: --decoding, --variants decoding, --tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anysym.bench.engine import EngineRunner
from anysym.bench.harness import RESULTS_FILE
from anysym.bench.records import ResultsStore, TaskRecord
from anysym.cli import _register_all, app

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    _register_all()
    result = runner.invoke(app, ["bench", *args], env={"COLUMNS": "100"})
    return result.exit_code, result.output


def test_unknown_decoding_and_decoding_modifier_are_one_line_errors(tmp_path: Path) -> None:
    code, output = _invoke("cpu", "--out", str(tmp_path), "--decoding", "greedy")
    assert code == 1 and "unknown decoding 'greedy'" in output and "constrained" in output
    code, output = _invoke("cpu", "--out", str(tmp_path), "--variants", "declarative+greedy")
    assert code == 1 and "modifier" in output and "Traceback" not in output


def test_unknown_task_id_is_rejected(tmp_path: Path) -> None:
    code, output = _invoke("cpu", "--out", str(tmp_path), "--tasks", "invert_photo,no_such_task")
    assert code == 1 and "unknown task id(s) no_such_task" in output


def test_fully_resumed_benchmark_reports_without_starting_any_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_services(*args: object, **kwargs: object) -> None:
        raise AssertionError("a fully resumed benchmark must not open the LLM, ComfyUI or the index")

    monkeypatch.setattr(EngineRunner, "session", no_services)
    store = ResultsStore(tmp_path / RESULTS_FILE)
    for variant in ("declarative/two-stage/refine/constrained", "declarative/two-stage/refine/free"):
        for task in ("invert_photo", "resize_photo"):
            store.append(TaskRecord(variant=variant, task_id=task, category="adjust", stage="parsed"))
    code, output = _invoke(
        "cpu",
        "--out",
        str(tmp_path),
        "--variants",
        "decoding",
        "--tasks",
        "resize_photo,invert_photo",
        "--llm-timeout",
        "600",
        "--llm-retries",
        "1",
    )
    assert code == 0, output
    lines = output.splitlines()
    assert (
        sum(line.startswith("resumed ") for line in lines) == 4
        and "declarative/two-stage/refine/free" in output
    )
    assert (tmp_path / "report.html").is_file() and (tmp_path / "summary.json").is_file()
    settings = json.loads((tmp_path / "bench.json").read_text())
    assert settings["llm_timeout_s"] == 600.0 and settings["tasks"] == "invert_photo, resize_photo"
    assert settings["llm_retries"] == 1


def test_set_may_not_override_what_a_variant_or_the_bench_sets(tmp_path: Path) -> None:
    code, output = _invoke("cpu", "--out", str(tmp_path), "--set", "verify=false", "--set", "model=x")
    assert code == 1 and "--set model, verify" in output and "--variants modifier" in output
    code, output = _invoke("cpu", "--out", str(tmp_path), "--set", "max_llm_calls=lots")
    assert code == 1 and "give a number" in output and "Traceback" not in output
