"""Run identity and storage: run ids, checkpoints, saved options, the record of a run a service stopped.

`task.json` holds the options (`Context`) and servers; the per-run SQLite checkpointer every step.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from anysym.errors import AnysymError, CheckpointError
from anysym.graph.artifacts import RunDir
from anysym.graph.context import Context
from anysym.graph.result import Result

__all__ = [
    "CHECKPOINT_FILE",
    "context_from_task",
    "context_to_json",
    "find_run_dir",
    "kept_for_resume",
    "new_run_dir",
    "new_run_id",
    "open_checkpointer",
    "read_task",
    "serializer",
]

CHECKPOINT_FILE = "checkpoints.sqlite"
"""The SQLite checkpoint database inside a run directory (thread id = run id)."""

_STATE_TYPES = (
    [("anysym.graph.result", name) for name in ("Attempt", "LLMCall", "OutputFile", "Result", "Timings")]
    + [("anysym.executor.outputs", "OutputFile")]  # its home; checkpoints before 2026-12-07 name graph.result
    + [("anysym.graph.state", name) for name in ("Draft", "Example")]
    + [("anysym.language.flow", name) for name in ("Flow", "Function", "Link")]
    + [("anysym.language.diagnostics", name) for name in ("Diagnostic", "DiagnosticKind", "Severity")]
)


def new_run_id() -> str:
    """Return a sortable, unique run id such as `20260101-120000-3f9a`."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def new_run_dir(root: Path) -> Path:
    """Create and return a run directory under `root` that no other run has (`root/<new run id>`).

    The directory is made exclusively, so runs started in the same second by several processes never
    share one, however their random suffixes fall.
    """
    root.mkdir(parents=True, exist_ok=True)
    while True:
        candidate = root / new_run_id()
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def serializer() -> JsonPlusSerializer:
    """Return the checkpoint serializer that knows the state's pydantic types."""
    return JsonPlusSerializer(allowed_msgpack_modules=_STATE_TYPES)


@asynccontextmanager
async def open_checkpointer(
    run_dir: Path, postgres_url: str | None = None
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Open the run's checkpointer: SQLite in the run directory (created on first use), or PostgreSQL.

    With `postgres_url` the checkpoints go to that database (the run id is the thread), so many runs,
    processes and machines share one durable store; the tables are created on first use. Every
    sqlite3 or psycopg error, on opening or while the run writes its checkpoints (a full disk, a file
    locked or replaced underneath, a database that went away), is one `CheckpointError`.

    Raises:
        CheckpointError: the store cannot be read or written (a corrupt or foreign file, a database
            that refuses the connection), or the PostgreSQL extra is not installed.
    """
    if postgres_url is not None:
        async with open_postgres_checkpointer(postgres_url, run_dir.name) as saver:
            yield saver
        return
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / CHECKPOINT_FILE
    try:
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            saver.serde = serializer()
            await saver.setup()  # reads the schema now, so a broken file fails here and not mid-run
            yield saver
    except sqlite3.Error as exc:
        raise CheckpointError(
            f"the checkpoints of run {run_dir.name} cannot be read or written ({path}: "
            f"{type(exc).__name__}: {exc}); `anysym rerun {run_dir.name}` runs its last flow again "
            "without them"
        ) from exc


@asynccontextmanager
async def open_postgres_checkpointer(url: str, run_name: str) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """A LangGraph Postgres checkpointer on `url`, its psycopg errors mapped to `CheckpointError`."""
    try:
        import psycopg
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    except ImportError as exc:
        raise CheckpointError(
            "PostgreSQL checkpoints need the postgres extra: pip install 'anysym[postgres]'"
        ) from exc
    try:
        async with AsyncPostgresSaver.from_conn_string(url) as saver:
            saver.serde = serializer()
            await saver.setup()
            yield saver
    except psycopg.Error as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CheckpointError(
            f"the checkpoints of run {run_name} in PostgreSQL at {redacted(url)} cannot be read or "
            f"written ({reason}); check the URL and that the database server is up"
        ) from exc


def redacted(url: str) -> str:
    """`url` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def read_task(run_dir: Path) -> dict[str, Any]:
    """Read task.json of a run; raises `AnysymError` when the directory is not a run."""
    path = run_dir / "task.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AnysymError(
            f"{run_dir} is not a run directory ({exc}); pass the folder `anysym run` printed"
        ) from exc
    if not isinstance(data, dict):
        raise AnysymError(f"{path} is not a task file; pass the folder `anysym run` printed")
    return data


def context_to_json(context: Context) -> dict[str, Any]:
    """Return the context's fields as JSON values (paths as strings)."""
    return {f.name: _plain(getattr(context, f.name)) for f in dataclasses.fields(context)}


def context_from_task(task: dict[str, Any], **overrides: Any) -> Context:
    """Rebuild the run's Context from task.json (`overrides` win)."""
    saved = dict(task.get("context", {}))
    known = {f.name for f in dataclasses.fields(Context)}
    values = {k: v for k, v in saved.items() if k in known} | overrides
    for name in ("run_dir", "outputs_dir"):
        if values.get(name) is not None:
            values[name] = Path(values[name])
    return Context(**values)


def find_run_dir(runs: Path, run_id_or_dir: str) -> Path:
    """Resolve a run id (under `runs`) or a path to a run directory."""
    candidate = Path(run_id_or_dir)
    for path in (candidate, runs / run_id_or_dir):
        if (path / "task.json").is_file():
            return path
    raise AnysymError(f"no run {run_id_or_dir!r} in {runs}; pass a run id or the run directory")


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


@contextmanager
def kept_for_resume(run_dir: Path | None, task: str, run_id: str) -> Iterator[None]:
    """On a service error that stops the run, record it as interrupted and say how to go on.

    The checkpoints hold every finished step, so `anysym resume` continues where the LLM or ComfyUI
    failed; `result.json` says so (status "interrupted", which resume accepts), and the error's one
    line names the command.
    """
    try:
        yield
    except AnysymError as exc:
        if run_dir is None:
            raise
        RunDir(run_dir).write_result(
            Result(task=task, status="interrupted", error=exc.message, run_id=run_id)
        )
        exc.message = f"{exc.message} (the run is kept: `anysym resume {run_dir}` goes on from there)"
        exc.args = (exc.message, *exc.args[1:])
        raise
