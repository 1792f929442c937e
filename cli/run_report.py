"""How `run`, `resume` and `rerun` report: live node progress lines (or JSON), and the result."""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from anysym.cli.common import console

if TYPE_CHECKING:
    from anysym.graph.result import Result

__all__ = ["configure_logging", "finish", "print_result"]


def configure_logging(*, log_json: bool, verbose: bool) -> None:
    """Log node events as JSON lines (`--log-json`) or as compact live progress lines on stderr."""
    import logging

    import structlog

    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,  # the run id the engine binds for each run
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
    ]
    if log_json:
        processors.append(structlog.processors.JSONRenderer())
    else:
        processors.append(_progress_line)
    level = logging.DEBUG if verbose else logging.INFO
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def _progress_line(_: Any, __: str, event: MutableMapping[str, Any]) -> str:
    name = event.pop("event", "")
    node = event.pop("node", None)
    for shown_elsewhere in ("timestamp", "level", "run_id"):  # the run id is printed once, at the end
        event.pop(shown_elsewhere, None)
    if name == "node_finished" and node is not None:
        seconds = event.pop("seconds", 0.0)
        details = " ".join(f"{k}={v}" for k, v in event.items() if v not in (None, [], ""))
        return f"  {node:<17} {seconds:6.2f}s  {details}"
    return f"  {name} " + " ".join(f"{k}={v}" for k, v in event.items())


_COLOURS = {
    "verified": "green",
    "ran, unverified": "yellow",
    "failed verification": "red",
    "succeeded": "green",
    "failed": "red",
    "interrupted": "yellow",
}


def print_result(result: Result, resume_hint: bool = True) -> None:
    """One summary line of the result, its outputs, its error, and where to resume a paused run."""
    word = result.outcome
    colour = _COLOURS.get(word, "red")
    tokens = f"{result.input_tokens} in / {result.output_tokens} out"
    t = result.timings
    console.print(
        f"[bold {colour}]{word}[/] (stage reached: {result.stage or 'none'}; "
        f"{len(result.attempts)} attempt(s); {len(result.llm_calls)} LLM call(s), {tokens} tokens; "
        f"{t.total_s:.1f}s = LLM {t.llm_s:.1f}s + ComfyUI {t.comfy_s:.1f}s + own {t.overhead_s:.2f}s)"
    )
    for output in result.outputs:
        console.print(f"  output {escape(output.function_id)}: {escape(str(output.path))}")
    if result.error:
        console.print(f"  [red]{escape(result.error)}[/]")
    if result.run_dir is not None:
        console.print(f"  run directory: {escape(str(result.run_dir))}")
    if result.status == "interrupted" and result.run_dir is not None and resume_hint:
        from anysym.graph.api import review_path

        syntax = result.syntax
        console.print(
            f"  review: edit {escape(str(review_path(result.run_dir, syntax)))} if needed, "
            f"then run `anysym resume {result.run_id}`"
        )


def finish(result: Result) -> None:
    """Print the result and the final flow, and exit 0 when it succeeded or paused for review."""
    print_result(result)
    if result.flow is not None and result.status != "interrupted":
        text = result.texts.get(result.syntax)
        if text:
            console.print(escape(text), end="", highlight=False)
    raise typer.Exit(0 if result.status in ("succeeded", "interrupted") else 1)
