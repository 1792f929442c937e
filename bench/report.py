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
    "extracted": "extr",
    "parsed": "parse",
    "valid": "valid",
    "executed": "exec",
    "outputs": "outs",
    "resolved": "resolved",
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
        ";".join(str(output.path) for output in record.outputs),
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
    """Print three compact tables: pass@1 per stage, mean cost per run, and the LLM per stage."""
    console.print(_pass_table(summary))
    console.print(_cost_table(summary))
    console.print(_refine_table(summary))
    if any(group.llm_stages for group in summary.variants.values()):
        console.print(_llm_table(summary))


def _table(title: str, *columns: str) -> Table:
    """A table whose first column is the variant (folded when narrow), the others unwrapped numbers."""
    table = Table(title=title, show_lines=False, title_justify="left")
    table.add_column(columns[0], style="bold", min_width=12, overflow="fold")
    for name in columns[1:]:
        table.add_column(name, justify="right", no_wrap=True)
    return table


def _pass_table(summary: Summary) -> Table:
    """pass@1 per stage, the first-try parse rate and the judge rate, one row per variant."""
    stages = [_STAGE_LABELS[stage] for stage in STAGES]
    table = _table(
        f"anysym bench: {summary.suite} (pass@1)", "variant", "runs", *stages[:2], "1st", *stages[2:]
    )
    judged = any(group.judge_resolved is not None for group in summary.variants.values())
    if judged:
        table.add_column("judge", justify="right", no_wrap=True)
    for variant, group in summary.variants.items():
        judge = ["n/j" if group.judge_resolved is None else f"{group.judge_resolved:.0%}"] if judged else []
        table.add_row(variant, str(group.runs), *_stage_cells(group), *judge)
    return table


def _cost_table(summary: Summary) -> Table:
    """Mean attempts, LLM calls, tokens and the wall time split per run, one row per variant."""
    table = _table(
        "mean per run",
        "variant",
        "tries",
        "calls",
        "tok in/out",
        "wall s",
        "LLM s",
        "Comfy s",
        "own s",
    )
    for variant, g in summary.variants.items():
        table.add_row(
            variant,
            f"{g.mean_attempts:.1f}",
            f"{g.mean_llm_calls:.1f}",
            f"{g.mean_input_tokens:.0f}/{g.mean_output_tokens:.0f}",
            f"{g.mean_wall_s:.1f}",
            f"{g.mean_llm_s:.1f}",
            f"{g.mean_comfy_s:.1f}",
            f"{g.mean_overhead_s:.1f}",
        )
    return table


def _refine_table(summary: Summary) -> Table:
    """What search and refine rescued: failed first attempts that ended passing, and failed verifications."""
    table = _table("refine", "variant", "1st failed", "rescued", "by search", "failed verif.", "rescued")
    for variant, g in summary.variants.items():
        table.add_row(
            variant,
            str(g.first_failed),
            str(g.rescued),
            str(g.search_rescued),
            str(g.verification_failed),
            str(g.verification_rescued),
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
    """One row per variant and LLM stage: calls, longest prompt, mean output tokens, tokens/s, median s."""
    table = _table("LLM per stage", "variant", "stage", "calls", "max in", "out/call", "tok/s", "median s")
    for variant, group in summary.variants.items():
        for stage, cost in group.llm_stages.items():
            table.add_row(
                variant,
                stage,
                str(cost.calls),
                str(cost.max_input_tokens),
                f"{cost.mean_output_tokens:.0f}",
                "-" if cost.tokens_per_s is None else f"{cost.tokens_per_s:.1f}",
                f"{cost.median_s:.2f}",
            )
    return table
