"""`anysym bench` argument handling (the engine itself is exercised by the integration tests)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from anysym.cli import _register_all, app

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    _register_all()
    result = runner.invoke(app, ["bench", *args])
    return result.exit_code, result.output


def test_unknown_suite_is_one_line_error(tmp_path: Path) -> None:
    code, output = _invoke(str(tmp_path / "nope.json"), "--out", str(tmp_path / "out"))
    assert code == 1 and "cannot read suite" in output and "Traceback" not in output


def test_judge_needs_model_and_endpoint(tmp_path: Path) -> None:
    code, output = _invoke("cpu", "--out", str(tmp_path), "--judge-model", "vlm")
    assert code == 1 and "--judge-base-url" in output


def test_bad_syntax_and_variant_are_rejected(tmp_path: Path) -> None:
    code, output = _invoke("cpu", "--out", str(tmp_path), "--syntax", "python")
    assert code == 1 and "unknown syntax" in output
