"""Shared CLI plumbing: consoles, the one-line error convention and the Paths built from the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from anysym.errors import AnysymError
from anysym.settings import Paths

if TYPE_CHECKING:
    from anysym.llm.settings import LLMSettings
    from anysym.retriever.settings import RetrievalSettings

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one red line to stderr and exit with `code`."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn library errors into one readable line and exit code 1 (never a traceback)."""
    try:
        yield
    except AnysymError as exc:
        fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))


def paths_from_env() -> Paths:
    """Build the installation layout once, from `$ANYSYM_HOME` (the CLI's one reading of it).

    `graph/studio.py` reads it for the LangGraph server.
    """
    return Paths.from_env(os.environ)


def judge_key_from_env() -> str | None:
    """The vision judge's API key: `ANYSYM_JUDGE_API_KEY`, else `OPENAI_API_KEY`."""
    return os.environ.get("ANYSYM_JUDGE_API_KEY") or os.environ.get("OPENAI_API_KEY")


def llm_from_env(**overrides: Any) -> LLMSettings:
    """The chat endpoint, model and key from `ANYSYM_LLM_BASE_URL`, `ANYSYM_LLM_MODEL`, `OPENAI_API_KEY`."""
    from anysym.llm.settings import LLMSettings

    return LLMSettings.from_env(os.environ, **overrides)


def checkpoints_from_env(given: str | None) -> str | None:
    """The PostgreSQL checkpoint URL: `--checkpoints`, else `ANYSYM_CHECKPOINTS_URL` (None: SQLite)."""
    return given or os.environ.get("ANYSYM_CHECKPOINTS_URL") or None


def retrieval_from_env() -> RetrievalSettings:
    """The index store and embedding every command uses, from `ANYSYM_CHROMA_URL`, `ANYSYM_EMBEDDING`..."""
    from anysym.retriever.settings import RetrievalSettings

    return RetrievalSettings.from_env(os.environ)


def quiet_logging() -> None:
    """Only warnings from the engine's structlog events (benchmarks print their own progress)."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Any other engine option as name=value, a field of anysym.graph.context.Context "
        "(e.g. max_llm_calls=20, brief_descriptions=false); repeatable.",
    ),
]


def context_sets(items: list[str] | None, *, own_flags: dict[str, str]) -> dict[str, Any]:
    """Parse `--set name=value` items; a field with its own option of this command names that option."""
    from anysym.graph.context import parse_option

    options: dict[str, Any] = {}
    for item in items or ():
        try:
            name, value = parse_option(item)
        except ValueError as exc:
            fail(str(exc))
        if name in own_flags:
            fail(f"--set {name}: this command sets it with {own_flags[name]}")
        options[name] = value
    return options
