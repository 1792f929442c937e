"""Benchmark reports: a rich table on the terminal, `summary.json`, `tasks.csv` and `report.html`."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from anysym.bench.html import render_html
from anysym.bench.records import STAGES, TaskRecord
from anysym.bench.summary import Summary

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
        ";".join(output.path for output in record.outputs),
        (record.error or "").splitlines()[0] if record.error else "",
    ]


def print_summary(summary: Summary, console: Console) -> None:
    """Print one row per variant: pass@1 per stage, judge rate, attempts, calls, tokens and time split."""
    table = Table(title=f"anysym bench: {summary.suite}", show_lines=False)
    table.add_column("variant", style="bold")
    table.add_column("runs", justify="right")
    for stage in STAGES:
        table.add_column(_STAGE_LABELS[stage], justify="right")
    for name in ("judge", "attempts", "calls", "tok in/out", "s: llm/comfy/own"):
        table.add_column(name, justify="right")
    for variant, group in summary.variants.items():
        judge = "n/j" if group.judge_resolved is None else f"{group.judge_resolved:.0%}"
        table.add_row(
            variant,
            str(group.runs),
            *(f"{group.pass_at_1[stage]:.0%}" for stage in STAGES),
            judge,
            f"{group.mean_attempts:.1f}",
            f"{group.mean_llm_calls:.1f}",
            f"{group.mean_input_tokens:.0f}/{group.mean_output_tokens:.0f}",
            f"{group.mean_llm_s:.1f}/{group.mean_comfy_s:.1f}/{group.mean_overhead_s:.1f}",
        )
    console.print(table)
