"""Continue a run: `aresume` (after a review pause or a crash) and `arerun` (an edited flow, no LLM call)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.types import Command
from structlog.contextvars import bound_contextvars

from anysym.errors import AnysymError, CheckpointError
from anysym.graph.artifacts import RunDir
from anysym.graph.build import compile_graph, run_config
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.finish import checkpoint_store, finish_run, review_path
from anysym.graph.result import Result
from anysym.graph.runs import (
    context_from_task,
    context_to_json,
    kept_for_resume,
    open_checkpointer,
    read_task,
)
from anysym.graph.state import Draft
from anysym.language.source_text import read_source
from anysym.llm.settings import LLMSettings
from anysym.retriever.settings import RetrievalSettings
from anysym.settings import Paths

__all__ = ["arerun", "aresume"]


async def aresume(
    run_dir: Path,
    *,
    deps: Deps | None = None,
    paths: Paths | None = None,
    llm_settings: LLMSettings | None = None,
    retrieval: RetrievalSettings | None = None,
    checkpoint_url: str | None = None,
) -> Result:
    """Continue a run that paused for review (reading the edited review file) or crashed.

    A run that has already ended is returned as recorded, without starting anything; a run another
    process is resuming raises `AnysymError`. Without `deps`, the run's recorded model, endpoint and
    ComfyUI servers are used, with `llm_settings` for the rest (the API key, timeouts).
    """
    started = time.perf_counter()
    task = read_task(run_dir)
    finished = RunDir(run_dir).finished_result()
    if finished is not None:
        return finished  # nothing to resume: its record (timings included) stays as it was
    context = context_from_task(task, run_dir=run_dir)
    postgres = task.get("checkpoints") == "postgres"
    if postgres and checkpoint_url is None:
        raise CheckpointError(
            f"run {run_dir.name} keeps its checkpoints in PostgreSQL; pass its URL (`anysym resume "
            "--checkpoints URL`, or ANYSYM_CHECKPOINTS_URL)"
        )
    async with AsyncExitStack() as stack:
        stack.enter_context(RunDir(run_dir).exclusive("resume"))
        stack.enter_context(bound_contextvars(run_id=str(task["run_id"])))
        used = deps
        if used is None:
            used = await stack.enter_async_context(
                _default_deps(paths, context, task, llm_settings=llm_settings, retrieval=retrieval)
            )
        saver = await stack.enter_async_context(
            open_checkpointer(run_dir, checkpoint_url if postgres else None)
        )
        graph = compile_graph(used, checkpointer=saver)
        config = run_config(str(task["run_id"]), context)
        snapshot = await graph.aget_state(config)
        with kept_for_resume(run_dir, str(task["task"]), str(task["run_id"])):
            if snapshot.interrupts:
                review = review_path(run_dir, context.syntax)
                edited = read_source(review) if review.is_file() else None
                await graph.ainvoke(Command(resume=edited), config=config, context=context)
            elif snapshot.next:
                await graph.ainvoke(None, config=config, context=context)
        return await finish_run(graph, config, context, str(task["run_id"]), started)


async def arerun(
    run_dir: Path,
    *,
    edit: Path | None = None,
    deps: Deps | None = None,
    paths: Paths | None = None,
    llm_settings: LLMSettings | None = None,
    checkpoint_url: str | None = None,
) -> Result:
    """Compile and execute a run's final flow (or the edited file `edit`) again, without any LLM call.

    The new run gets its own directory next to `run_dir` (`<run id>-rerun-<n>`), and its checkpoints
    go to PostgreSQL when `checkpoint_url` is given.
    """
    started = time.perf_counter()
    task = read_task(run_dir)
    old = context_from_task(task)
    text_path = edit or RunDir(run_dir).flow_path(old.syntax)
    try:
        text = read_source(text_path)
    except OSError as exc:
        raise AnysymError(f"cannot read the flow {text_path}: {exc}; pass --edit FILE") from exc
    new_dir = _rerun_dir(run_dir)
    context = context_from_task(task, run_dir=new_dir, refine=False, review=False, execute=True)
    run_id = new_dir.name
    RunDir(new_dir).write_task(
        str(task["task"]),
        list(task.get("inputs", [])),
        list(task.get("key_functions", [])),
        run_id=run_id,
        rerun_of=str(run_dir),
        context=context_to_json(context),
        servers=list(task.get("servers") or ()),
        checkpoints=checkpoint_store(checkpoint_url),
    )
    async with AsyncExitStack() as stack:
        stack.enter_context(bound_contextvars(run_id=run_id))
        used = deps
        if used is None:
            used = await stack.enter_async_context(
                _default_deps(paths, context, task, llm_settings=llm_settings)
            )
        saver = await stack.enter_async_context(open_checkpointer(new_dir, checkpoint_url))
        graph = compile_graph(used, checkpointer=saver)
        config = run_config(run_id, context)
        values: dict[str, Any] = {
            "task": str(task["task"]),
            "inputs": list(task.get("inputs", [])),
            "key_functions": list(task.get("key_functions", [])),
            "draft": Draft(stage="edit", text=text),
        }
        await graph.aupdate_state(config, values, as_node="refine")
        await graph.ainvoke(None, config=config, context=context)
        return await finish_run(graph, config, context, run_id, started)


@asynccontextmanager
async def _default_deps(
    paths: Paths | None,
    context: Context,
    task: dict[str, Any],
    *,
    llm_settings: LLMSettings | None = None,
    retrieval: RetrievalSettings | None = None,
) -> AsyncIterator[Deps]:
    """The services a resumed or rerun run used: its LLM endpoint and its ComfyUI servers (`task.json`)."""
    from anysym.graph.defaults import open_default_deps

    recorded = {"model": context.model or None, "base_url": context.base_url}
    settings = (llm_settings or LLMSettings()).overridden(**recorded)
    servers = [str(url) for url in task.get("servers") or ()]
    async with open_default_deps(
        paths or Paths.default(),
        llm_settings=settings,
        servers=servers or None,
        execute=context.execute,
        retrieval=retrieval,
    ) as deps:
        yield deps


def _rerun_dir(run_dir: Path) -> Path:
    for n in range(1, 1000):
        candidate = run_dir.parent / f"{run_dir.name}-rerun-{n}"
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"too many reruns of {run_dir}")
