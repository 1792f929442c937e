"""How a run ends: its `Result` with the run's timings, the review file of a paused run, its checkpoints.

Shared by `agenerate` (`anysym.graph.api`) and `aresume`/`arerun` (`anysym.graph.resume`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from anysym.graph.artifacts import RunDir
from anysym.graph.assemble import assemble_result
from anysym.graph.context import Context
from anysym.graph.result import Result, Timings
from anysym.graph.runs import open_checkpointer, open_postgres_checkpointer, serializer

__all__ = ["checkpoint_store", "finish_run", "review_path", "run_checkpointer"]


def review_path(run_dir: Path, syntax: str) -> Path:
    """Return the file a person edits while a run waits for review."""
    return run_dir / f"review.{syntax}"


async def finish_run(
    graph: Any, config: RunnableConfig, context: Context, run_id: str, started: float
) -> Result:
    """The run's `Result` (interrupted when it paused for review), timed from `started`, written out.

    A run that ended has its files from the finalize node already; only result.json is written again,
    with this process's wall-clock timings and the run id, which the graph itself does not know.
    """
    snapshot = await graph.aget_state(config)
    values = dict(snapshot.values)
    interrupted = bool(snapshot.interrupts)
    if interrupted:
        result = assemble_result(values, context, status="interrupted")  # type: ignore[arg-type]
        if context.run_dir is not None:
            payload = snapshot.interrupts[0].value
            review_path(context.run_dir, context.syntax).write_text(str(payload["flow"]), encoding="utf-8")
    else:
        result = values["result"]
    total = time.perf_counter() - started
    llm_s, comfy_s = result.timings.llm_s, result.timings.comfy_s
    timings = Timings(
        total_s=total, llm_s=llm_s, comfy_s=comfy_s, overhead_s=max(0.0, total - llm_s - comfy_s)
    )
    result = result.model_copy(update={"timings": timings, "run_id": run_id})
    if context.run_dir is not None:
        run_dir = RunDir(context.run_dir)
        (run_dir.write_result if interrupted else run_dir.write_record)(result)
    return result


@asynccontextmanager
async def run_checkpointer(
    run_dir: Path | None, run_id: str, checkpoint_url: str | None
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """PostgreSQL (`checkpoint_url`), the run directory's SQLite file, or memory (no run directory)."""
    if checkpoint_url is not None:
        async with open_postgres_checkpointer(checkpoint_url, run_id) as saver:
            yield saver
    elif run_dir is None:
        yield InMemorySaver(serde=serializer())
    else:
        async with open_checkpointer(run_dir) as saver:
            yield saver


def checkpoint_store(checkpoint_url: str | None) -> str:
    """Where a run's checkpoints are, as task.json records it (never the URL: it may hold a password)."""
    return "sqlite" if checkpoint_url is None else "postgres"
