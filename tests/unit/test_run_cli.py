"""`anysym run` hands its options to the engine unchanged (the engine itself is tested elsewhere)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from anysym.cli import run as run_cli
from anysym.errors import LLMError
from anysym.graph import api
from anysym.graph.result import OutputFile, Result

app = typer.Typer()
run_cli.register(app)


def test_run_passes_options_and_prints_the_result(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    async def fake_agenerate(task: str, inputs: list[str], **options: Any) -> Result:
        seen.update(options, task=task, inputs=inputs)
        return Result(task=task, status="failed", error="error[cycle] a: functions form a cycle")

    monkeypatch.setattr(api, "agenerate", fake_agenerate)
    args = ["run", "Blur photo.png", "--input", "photo.png", "--timeout", "42", "--free"]
    args += ["--out", str(tmp_path), "--base-url", "http://127.0.0.1:9/v1", "--syntax", "dataflow"]
    args += ["--llm-timeout", "77", "--llm-retries", "1"]
    args += ["--set", "max_llm_calls=20", "--set", "brief-descriptions=off", "--set", "max_catalog_entries=9"]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 1, outcome.output
    assert seen["execute_timeout_s"] == 42.0 and seen["constrained"] is False
    assert (
        seen["syntax"] == "dataflow" and seen["run_dir"] == tmp_path and seen["inputs"] == [Path("photo.png")]
    )
    assert "functions form a cycle" in outcome.output
    assert (seen["llm_settings"].timeout_s, seen["llm_settings"].max_retries) == (77.0, 1)
    assert (seen["max_llm_calls"], seen["brief_descriptions"], seen["max_catalog_entries"]) == (20, False, 9)


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("nope=1", "a Context field name"),
        ("max_llm_calls=many", "give a number"),
        ("syntax=dataflow", "sets it with --syntax"),
        ("run_dir=/tmp/x", "a Context field name"),
        ("verify=maybe", "true or false"),
    ],
)
def test_a_bad_set_is_one_line_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, item: str, says: str
) -> None:
    async def never(task: str, inputs: list[str], **options: Any) -> Result:
        raise AssertionError("the engine must not start")

    monkeypatch.setattr(api, "agenerate", never)
    outcome = CliRunner().invoke(app, ["run", "Blur photo.png", "--set", item])
    assert outcome.exit_code != 0 and says in outcome.output, outcome.output
    assert "Traceback" not in outcome.output and len(outcome.output.strip().splitlines()) == 1


def test_run_turns_service_errors_into_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(task: str, inputs: list[str], **options: Any) -> Result:
        raise LLMError("the LLM endpoint failed for the psi1 request after 4 attempts; check the server")

    monkeypatch.setattr(api, "agenerate", failing)
    outcome = CliRunner().invoke(app, ["run", "Blur photo.png", "--base-url", "http://127.0.0.1:9/v1"])
    assert outcome.exit_code == 1
    assert "psi1 request after 4 attempts" in outcome.output and "Traceback" not in outcome.output


@pytest.mark.parametrize("function_id", ["[/]", "[bold red]x[/bold red]"])
def test_run_prints_markup_in_names_literally(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, function_id: str
) -> None:
    async def succeeded(task: str, inputs: list[str], **options: Any) -> Result:
        output = OutputFile(function_id=function_id, path=tmp_path / "[b]x.png")
        return Result(task=task, status="succeeded", outputs=[output])

    monkeypatch.setattr(api, "agenerate", succeeded)
    outcome = CliRunner().invoke(app, ["run", "Blur photo.png", "--base-url", "http://127.0.0.1:9/v1"])
    assert outcome.exit_code == 0, outcome.output
    assert f"output {function_id}: " in outcome.output and "[b]x.png" in outcome.output
