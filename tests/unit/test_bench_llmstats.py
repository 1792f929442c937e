"""Per-stage LLM aggregation (tokens/s, median latency), first-try parse rates, and how they are reported."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rich.console import Console

from anysym.bench.llmstats import first_parse_rate, parse_rate_per_attempt, stage_llm
from anysym.bench.records import TaskRecord
from anysym.bench.report import print_summary, write_reports
from anysym.bench.summary import summarise
from anysym.graph.result import LLMCall


def _record(task: str, variant: str, calls: list[tuple[str, float, int]], **fields: object) -> TaskRecord:
    usage = [LLMCall(stage=s, seconds=sec, input_tokens=10 * out, output_tokens=out) for s, sec, out in calls]
    return TaskRecord.model_validate(
        {"variant": variant, "task_id": task, "llm_usage": usage, "llm_calls": len(usage), **fields}
    )


RECORDS = [
    _record(
        "a",
        "v/constrained",
        [("psi1", 2.0, 40), ("psi2", 4.0, 60), ("refine", 3.0, 90)],
        attempts=2,
        parsed_attempts=2,
        first_parsed=True,
        constrained=True,
    ),
    _record(
        "b",
        "v/constrained",
        [("psi1", 6.0, 20), ("psi2", 1.0, 30)],
        attempts=1,
        parsed_attempts=1,
        first_parsed=True,
        constrained=True,
    ),
    _record("c", "v/constrained", [("psi1", 1.0, 10)], stage="none", constrained=True),
    _record(
        "a",
        "v/free",
        [("one_step", 5.0, 50), ("refine", 5.0, 150)],
        attempts=2,
        parsed_attempts=1,
        first_parsed=False,
        constrained=False,
    ),
]


def test_stage_llm_sums_tokens_over_seconds_and_takes_the_median_per_call() -> None:
    stages = stage_llm(RECORDS[:3])
    assert list(stages) == ["psi1", "psi2", "refine"]
    psi1 = stages["psi1"]
    assert (psi1.calls, psi1.output_tokens, psi1.input_tokens, psi1.max_input_tokens) == (3, 70, 700, 400)
    assert psi1.seconds == 9.0 and psi1.tokens_per_s == round(70 / 9, 2) and psi1.median_s == 2.0
    assert psi1.mean_output_tokens == round(70 / 3, 2)
    assert stages["psi2"].median_s == 2.5 and stages["psi2"].tokens_per_s == round(90 / 5, 2)


def test_pipeline_order_first_then_unknown_stages_and_zero_time_has_no_rate() -> None:
    records = [_record("x", "v", [("zeta", 0.0, 5), ("refine", 0.0, 1), ("psi1", 0.0, 2)])]
    stages = stage_llm(records)
    assert list(stages) == ["psi1", "refine", "zeta"] and stages["zeta"].tokens_per_s is None


def test_parse_rates_leave_out_runs_without_a_program() -> None:
    assert first_parse_rate(RECORDS[:3]) == 1.0
    assert first_parse_rate(RECORDS[3:]) == 0.0
    assert first_parse_rate([RECORDS[2]]) is None
    assert parse_rate_per_attempt(RECORDS) == round(4 / 5, 4)
    assert parse_rate_per_attempt([RECORDS[2]]) is None


def test_summary_and_reports_show_per_stage_numbers_per_variant(tmp_path: Path) -> None:
    summary = summarise(RECORDS, suite="s")
    constrained, free = summary.variants["v/constrained"], summary.variants["v/free"]
    assert constrained.constrained is True and free.constrained is False
    assert constrained.first_parse == 1.0 and free.first_parse == 0.0 and free.attempt_parse == 0.5
    assert set(free.llm_stages) == {"one_step", "refine"} and free.llm_stages["refine"].tokens_per_s == 30.0
    assert summarise([*RECORDS[:1], RECORDS[3]], suite="s").variants["v/constrained"].constrained is True

    summary_path, csv_path, html_path = write_reports(summary, RECORDS, tmp_path)
    assert '"tokens_per_s": 30.0' in summary_path.read_text()
    with csv_path.open() as handle:
        rows = {(r["variant"], r["task_id"]): r for r in csv.DictReader(handle)}
    row = rows[("v/constrained", "a")]
    assert (row["llm_s_psi1"], row["out_tokens_psi2"], row["out_tokens_one_step"]) == ("2.0", "60", "0")
    assert (row["first_parsed"], row["constrained"], rows[("v/constrained", "c")]["first_parsed"]) == (
        "1",
        "1",
        "",
    )
    html = html_path.read_text()
    assert "LLM per stage" in html and "<td>one_step</td>" in html and "constrained" in html

    console = Console(record=True, width=80, file=io.StringIO())
    print_summary(summary, console)
    text = console.export_text()
    assert "1st" in text and "LLM per stage" in text and "tok/s" in text and "judge" not in text
    assert "…" not in text and "v/constrained" in text  # nothing cut off on an 80-column terminal
    assert "│ v/free        │ one_step │     1 │    500 │       50 │  10.0 │     5.00 │" in text
