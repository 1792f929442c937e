"""A self-contained HTML report: inline SVG bar charts and tables, no external JavaScript or CSS."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from anysym.bench.records import STAGES, TaskRecord
from anysym.bench.summary import Summary

__all__ = ["bar_chart", "render_html"]

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
td.fail{color:#b00}td.pass{color:#070}
.legend span{display:inline-block;margin-right:1.5em}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}
"""


def bar_chart(
    title: str, groups: Sequence[str], series: dict[str, Sequence[float]], *, width: int = 900
) -> str:
    """Return an inline SVG grouped bar chart of rates in [0, 1]: one group per label, one bar per series."""
    height, top, bottom, left = 260, 30, 60, 40
    plot_h = height - top - bottom
    names = list(series)
    group_w = (width - left - 10) / max(1, len(groups))
    bar_w = max(2.0, (group_w - 8) / max(1, len(names)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        label = f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick:.0%}</text>'
        parts.append(label)
    for g, group in enumerate(groups):
        x0 = left + g * group_w + 4
        for s, name in enumerate(names):
            value = max(0.0, min(1.0, float(series[name][g])))
            bar_h = plot_h * value
            x = x0 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{bar_h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(name)} / {escape(group)}: {value:.1%}'
                "</title></rect>"
            )
        label_x = x0 + (group_w - 8) / 2
        parts.append(
            f'<text x="{label_x:.1f}" y="{height - bottom + 14}" font-size="11" text-anchor="middle">'
            f"{escape(group[:22])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: Sequence[str]) -> str:
    items = "".join(
        f'<span><i style="background:{PALETTE[i % len(PALETTE)]}"></i>{escape(name)}</span>'
        for i, name in enumerate(names)
    )
    return f'<div class="legend">{items}</div>'


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _summary_table(summary: Summary) -> str:
    head = "".join(f"<th>{s}</th>" for s in STAGES)
    rows = []
    for name, g in summary.variants.items():
        judge = "not judged" if g.judge_resolved is None else f"{g.judge_resolved:.1%} of {g.judged}"
        cells = "".join(f"<td>{g.pass_at_1[s]:.1%}</td>" for s in STAGES)
        decoding = {None: "auto/mixed", True: "constrained", False: "free"}[g.constrained]
        rows.append(
            f"<tr><td>{escape(name)}</td><td>{g.runs}</td>{cells}<td>{g.pass_at_n['resolved']:.1%}</td>"
            f"<td>{_rate(g.first_parse)}</td><td>{_rate(g.attempt_parse)}</td><td>{decoding}</td>"
            f"<td>{judge}</td><td>{g.mean_attempts:.2f}</td><td>{g.mean_llm_calls:.2f}</td>"
            f"<td>{g.mean_input_tokens:.0f} / {g.mean_output_tokens:.0f}</td>"
            f"<td>{g.mean_wall_s:.2f}</td><td>{g.mean_llm_s:.2f}</td><td>{g.mean_comfy_s:.2f}</td>"
            f"<td>{g.mean_overhead_s:.2f}</td></tr>"
        )
    return (
        f"<table><tr><th>variant</th><th>runs</th>{head}<th>resolved pass@n</th><th>parsed 1st try</th>"
        "<th>parsed per attempt</th><th>decoding</th><th>judge</th>"
        "<th>attempts</th><th>LLM calls</th><th>tokens in / out</th><th>wall s</th><th>LLM s</th>"
        f"<th>ComfyUI s</th><th>own s</th></tr>{''.join(rows)}</table>"
    )


def _llm_table(summary: Summary) -> str:
    rows = []
    for name, g in summary.variants.items():
        for stage, c in g.llm_stages.items():
            rate = "-" if c.tokens_per_s is None else f"{c.tokens_per_s:.1f}"
            rows.append(
                f"<tr><td>{escape(name)}</td><td>{escape(stage)}</td><td>{c.calls}</td>"
                f"<td>{c.max_input_tokens}</td><td>{c.mean_output_tokens:.0f}</td>"
                f"<td>{c.output_tokens}</td><td>{c.seconds:.2f}</td>"
                f"<td>{rate}</td><td>{c.median_s:.2f}</td></tr>"
            )
    return (
        "<table><tr><th>variant</th><th>stage</th><th>calls</th><th>longest prompt (tokens)</th>"
        "<th>output tokens / call</th>"
        "<th>output tokens</th><th>LLM s</th><th>tokens / s</th><th>median s / call</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _task_table(records: Sequence[TaskRecord]) -> str:
    rows = []
    for r in sorted(records, key=lambda r: (r.task_id, r.variant, r.run)):
        css = "pass" if r.stage == "resolved" else "fail"
        why = r.error or "; ".join(d for d in r.check_details if "failed" in d)
        judge = "" if r.judge.resolved is None else ("yes" if r.judge.resolved else "no")
        rows.append(
            f"<tr><td>{escape(r.task_id)}</td><td>{escape(r.variant)}</td><td>{r.run}</td>"
            f"<td>{escape(r.category)}</td><td class='{css}'>{r.stage}</td><td>{judge}</td>"
            f"<td>{r.attempts}</td><td>{r.llm_calls}</td><td>{r.wall_s:.2f}</td>"
            f"<td style='text-align:left'>{escape(why[:200])}</td></tr>"
        )
    return (
        "<table><tr><th>task</th><th>variant</th><th>run</th><th>category</th><th>stage</th><th>judge</th>"
        f"<th>attempts</th><th>calls</th><th>wall s</th><th>why not resolved</th></tr>{''.join(rows)}</table>"
    )


def render_html(summary: Summary, records: Sequence[TaskRecord]) -> str:
    """Render the whole report page."""
    variants = list(summary.variants)
    stage_chart = bar_chart(
        "pass@1 per stage",
        list(STAGES),
        {v: [summary.variants[v].pass_at_1[s] for s in STAGES] for v in variants},
    )
    categories = list(dict.fromkeys(c for cells in summary.categories.values() for c in cells))
    category_chart = bar_chart(
        "resolved pass@1 per category",
        categories,
        {
            v: [
                summary.categories[v][c].pass_at_1["resolved"] if c in summary.categories[v] else 0.0
                for c in categories
            ]
            for v in variants
        },
        width=max(900, 70 * len(categories) * max(1, len(variants)) // 2),
    )
    variant_chart = bar_chart(
        "per variant: valid / executed / resolved",
        variants,
        {s: [summary.variants[v].pass_at_1[s] for v in variants] for s in ("valid", "executed", "resolved")},
    )
    config = "".join(
        f"<tr><td>{escape(str(k))}</td><td style='text-align:left'>{escape(str(v))}</td></tr>"
        for k, v in summary.config.items()
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>anysym bench: {escape(summary.suite)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>anysym bench: {escape(summary.suite)}</h1>"
        f"<h2>Summary</h2>{_summary_table(summary)}"
        f"<h2>LLM per stage</h2>{_llm_table(summary)}"
        f"<h2>Pass rate per stage</h2>{_legend(variants)}{stage_chart}"
        f"<h2>Per category</h2>{_legend(variants)}{category_chart}"
        f"<h2>Per variant</h2>{_legend(['valid', 'executed', 'resolved'])}{variant_chart}"
        f"<h2>Configuration</h2><table>{config}</table>"
        f"<h2>Tasks</h2>{_task_table(records)}"
        "</body></html>\n"
    )
