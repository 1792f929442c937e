"""`anysym bench`: a suite by default, the micro-benchmarks as subcommands."""

from __future__ import annotations

import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from anysym.cli import _register_all, app

_register_all()
runner = CliRunner()


def test_the_group_lists_the_suite_benchmark_first_then_each_micro_benchmark() -> None:
    bench = typer.main.get_group(app).commands["bench"]
    assert isinstance(bench, TyperGroup)
    with typer.Context(bench) as ctx:
        listed = bench.list_commands(ctx)
    assert listed[0] == "suite" and listed[1:] == sorted(listed[1:])
    assert {"llm", "main-job", "executor", "throughput", "ui-import", "startup", "validate"} <= set(listed)
    assert runner.invoke(app, ["bench", "--help"]).exit_code == 0


def test_a_word_that_names_no_subcommand_is_the_suite() -> None:
    by_default = runner.invoke(app, ["bench", "cpu", "--help"])
    assert by_default.exit_code == 0 and "anysym bench suite [OPTIONS] {suite}" in by_default.stdout
    missing = runner.invoke(app, ["bench", "no-such-suite", "--out", "unused"])
    assert missing.exit_code == 1 and "cannot read suite no-such-suite" in missing.stderr


def test_a_micro_benchmark_is_its_own_subcommand() -> None:
    result = runner.invoke(app, ["bench", "throughput", "--help"])
    assert result.exit_code == 0 and "anysym bench throughput [OPTIONS]" in result.stdout
