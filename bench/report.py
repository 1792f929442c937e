"""Benchmark reports: a rich table on the terminal, `summary.json`, `tasks.csv` and `report.html`."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from anysym.bench.html import render_html
from anysym.bench.llmstats import LLM_STAGES
from anysym.bench.records import STAGES, TaskRecord
from anysym.bench.summary import GroupSummary, Summary

__all__ = ["CSV_COLUMNS", "print_summary", "write_reports"]

CSV_COLUMNS = (
    "variant",
    "task_id",
    "run",
    "category",
    "stage",
    *STAGES,
    "status",
    "check_passed",
    "judge_resolved",
    "attempts",
    "llm_calls",
    "input_tokens",
    "output_tokens",
    "wall_s",
    "llm_s",
    "comfy_s",
    "overhead_s",
    "first_parsed",
    "parsed_attempts",
    "constrained",
    *(f"{kind}_{stage}" for stage in LLM_STAGES for kind in ("llm_s", "out_tokens")),
    "outputs",
    "error",
)
_STAGE_LABELS = {
    "extracted": "extract",
    "parsed": "parse",
    "valid": "valid",
    "executed": "exec",
    "outputs": "outputs",
    "resolved": "resolve",
}


def write_reports(summary: Summary, records: Sequence[TaskRecord], out_dir: Path) -> list[Path]:
    """Write summary.json, tasks.csv and report.html into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary_path = out_dir / "summary.json"
    summary_path.write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    csv_path = out_dir / "tasks.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for record in sorted(records, key=lambda r: (r.variant, r.task_id, r.run)):
            writer.writerow(_row(record))
    html_path = out_dir / "report.html"
    html_path.write_text(render_html(summary, records), encoding="utf-8")
    return [summary_path, csv_path, html_path]


def _row(record: TaskRecord) -> list[object]:
    return [
        record.variant,
        record.task_id,
        record.run,
        record.category,
        record.stage,
        *(int(record.reached(stage)) for stage in STAGES),
        record.status,
        "" if record.check_passed is None else int(record.check_passed),
        "" if record.judge.resolved is None else int(record.judge.resolved),
        record.attempts,
        record.llm_calls,
        record.input_tokens,
        record.output_tokens,
        record.wall_s,
        record.llm_s,
        record.comfy_s,
        record.overhead_s,
        _flag(record.first_parsed),
        record.parsed_attempts,
        _flag(record.constrained),
        *_stage_costs(record),
        ";".join(output.path for output in record.outputs),
        (record.error or "").splitlines()[0] if record.error else "",
    ]


def _flag(value: bool | None) -> object:
    return "" if value is None else int(value)


def _stage_costs(record: TaskRecord) -> list[object]:
    cells: list[object] = []
    for stage in LLM_STAGES:
        calls = [c for c in record.llm_usage if c.stage == stage]
        cells += [round(sum(c.seconds for c in calls), 4), sum(c.output_tokens for c in calls)]
    return cells


def print_summary(summary: Summary, console: Console) -> None:
    """Print the pass@1 table (one row per variant) and the per-stage LLM table."""
    console.print(_pass_table(summary))
    if any(group.llm_stages for group in summary.variants.values()):
        console.print(_llm_table(summary))


def _pass_table(summary: Summary) -> Table:
    """pass@1 per stage (and first-try parse), judge rate, attempts, calls, tokens and time split."""
    table = Table(title=f"anysym bench: {summary.suite}", show_lines=False)
    table.add_column("variant", style="bold")
    table.add_column("runs", justify="right")
    for stage in STAGES:
        table.add_column(_STAGE_LABELS[stage], justify="right")
        if stage == "parsed":
            table.add_column("parse 1st", justify="right")
    for name in ("judge", "attempts", "calls", "tok in/out", "s: llm/comfy/own"):
        table.add_column(name, justify="right")
    for variant, group in summary.variants.items():
        judge = "n/j" if group.judge_resolved is None else f"{group.judge_resolved:.0%}"
        table.add_row(
            variant,
            str(group.runs),
            *_stage_cells(group),
            judge,
            f"{group.mean_attempts:.1f}",
            f"{group.mean_llm_calls:.1f}",
            f"{group.mean_input_tokens:.0f}/{group.mean_output_tokens:.0f}",
            f"{group.mean_llm_s:.1f}/{group.mean_comfy_s:.1f}/{group.mean_overhead_s:.1f}",
        )
    return table


def _stage_cells(group: GroupSummary) -> list[str]:
    cells = []
    for stage in STAGES:
        cells.append(f"{group.pass_at_1[stage]:.0%}")
        if stage == "parsed":
            cells.append("-" if group.first_parse is None else f"{group.first_parse:.0%}")
    return cells


def _llm_table(summary: Summary) -> Table:
    """One row per variant and LLM stage: calls, mean output tokens, tokens/s, median seconds per call."""
    table = Table(title="LLM per stage", show_lines=False)
    for name in ("variant", "stage", "calls", "out tok/call", "tok/s", "median s"):
        table.add_column(name, justify="left" if name in ("variant", "stage") else "right")
    for variant, group in summary.variants.items():
        for stage, cost in group.llm_stages.items():
            table.add_row(
                variant,
                stage,
                str(cost.calls),
                f"{cost.mean_output_tokens:.0f}",
                "-" if cost.tokens_per_s is None else f"{cost.tokens_per_s:.1f}",
                f"{cost.median_s:.2f}",
            )
    return table
