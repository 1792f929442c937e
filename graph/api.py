"""The engine's public API: generate, resume a paused or crashed run, rerun an edited flow.

`generate` / `agenerate` run a task; `aresume` continues a run; `arerun` executes an edited flow without
new inference.

`deps=None` uses the embedded defaults (`anysym.graph.defaults`: the configured or managed local LLM, the
managed local ComfyUI, the reference-program store) and writes a run directory under `paths.runs`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from structlog.contextvars import bound_contextvars

from anysym.errors import CheckpointError
from anysym.graph.artifacts import RunDir
from anysym.graph.assemble import assemble_result
from anysym.graph.build import compile_graph, recursion_limit, run_config
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import Result, Timings
from anysym.graph.run_outputs import keep_result_files, run_outputs
from anysym.graph.runs import (
    context_from_task,
    context_to_json,
    kept_for_resume,
    new_run_dir,
    new_run_id,
    open_checkpointer,
    open_postgres_checkpointer,
    read_task,
    serializer,
)
from anysym.graph.state import Draft, InputState
from anysym.language.source_text import read_source
from anysym.llm.settings import LLMSettings
from anysym.nodes.keys import check_key_types, parse_key_function
from anysym.retriever.settings import RetrievalSettings
from anysym.settings import Paths
from anysym.verify.judge import JudgeConfig, VisionJudge

__all__ = ["agenerate", "arerun", "aresume", "generate", "recursion_limit", "review_path", "with_options"]


def generate(task: str, inputs: Sequence[str | Path] = (), **options: Any) -> Result:
    """Run `agenerate` to completion in a new event loop (see `agenerate` for the options)."""
    return asyncio.run(agenerate(task, inputs, **options))


async def agenerate(
    task: str,
    inputs: Sequence[str | Path] = (),
    *,
    context: Context | None = None,
    deps: Deps | None = None,
    key_functions: Sequence[str] = (),
    judge: JudgeConfig | None = None,
    constrained: bool | None = None,
    servers: Sequence[str] | None = None,
    paths: Paths | None = None,
    llm_settings: LLMSettings | None = None,
    retrieval: RetrievalSettings | None = None,
    checkpoint_url: str | None = None,
    **options: Any,
) -> Result:
    """Turn `task` (with its input files) into a flow, run it, refine it on failure; return the `Result`.

    How the engine behaves is a `Context` (`anysym.graph.context`, one field per option with its
    description): pass one as `context`, or its fields by name as keyword `options` (`syntax="dataflow"`,
    `candidates=1`, `max_llm_calls=20`, ...), which override the given context's (None: not given). An
    unknown option name raises `TypeError`. `constrained=None` (auto) turns grammar-constrained decoding
    on exactly when the endpoint supports it (detected: the managed local server does, others are
    probed); `judge` adds a vision model to `verify`.

    Without `deps`, the services are started as needed: the LLM `llm_settings` names (default: the
    managed local model, or the context's `model`/`base_url`), ComfyUI on `servers` (default: the managed
    local one), programs and node types retrieved as `retrieval` says (default: the embedded store and
    the offline embedding), all under `paths` (default: the user cache dir), and the run is written
    under `paths.runs/<run id>`. The library never reads the environment: the CLI passes
    `Paths.from_env`, `LLMSettings.from_env` and `RetrievalSettings.from_env` of `os.environ`.

    Checkpoints (resume after a crash or a review pause) go to SQLite in the run directory, or to the
    PostgreSQL database `checkpoint_url` names (`postgresql://user:password@host:port/db`; the
    `postgres` extra), which many runs, processes and machines share; `aresume` then needs the URL.

    With `deps` and no `run_dir`, nothing is written but the output files: in `outputs_dir`, or a
    temporary folder per run, holding only the result's files (`anysym.graph.run_outputs`). Failures of
    the flow are data (`status="failed"` with every attempt's diagnostics); services that keep failing
    raise (`LLMError`, `ComfyConnectionError`, `LocalServiceError`).
    """
    started = time.perf_counter()
    context = with_options(context or Context(), options)
    run_dir, given_outputs_dir = context.run_dir, context.outputs_dir
    keys = [parse_key_function(text) for text in key_functions]  # a typo costs no service start
    async with AsyncExitStack() as stack:
        if deps is None:
            from anysym.graph.defaults import open_default_deps

            paths = paths or Paths.default()
            run_dir = run_dir or new_run_dir(paths.runs)
            model, base_url = context.model or None, context.base_url
            settings = llm_settings or LLMSettings().overridden(model=model, base_url=base_url)
            deps = await stack.enter_async_context(
                open_default_deps(
                    paths,
                    llm_settings=settings,
                    servers=servers,
                    execute=context.execute,
                    retrieval=retrieval,
                )
            )
        check_key_types(keys, deps.catalog)  # before any LLM call
        if constrained is None:  # auto: on exactly when the endpoint was detected to honour grammars
            constrained = deps.grammar is not None
        if judge is not None and context.verify:
            vision = VisionJudge(judge)
            stack.push_async_callback(vision.aclose)
            deps = replace(deps, judge=vision)
        context = stack.enter_context(run_outputs(replace(context, constrained=constrained, run_dir=run_dir)))
        request: InputState = {
            "task": task,
            "inputs": [str(Path(p).resolve()) for p in inputs],
            "key_functions": list(key_functions),
        }
        run_id = run_dir.name if run_dir is not None else new_run_id()
        stack.enter_context(bound_contextvars(run_id=run_id))  # every structlog event of the run names it
        if run_dir is not None:
            RunDir(run_dir).write_task(
                task,
                request["inputs"],
                request["key_functions"],
                run_id=run_id,
                context=context_to_json(context),
                servers=list(servers or ()),
                checkpoints=_store(checkpoint_url),
            )
        saver = await stack.enter_async_context(_checkpointer(run_dir, run_id, checkpoint_url))
        graph = compile_graph(deps, checkpointer=saver)
        config = run_config(run_id, context)
        with kept_for_resume(run_dir, task, run_id):
            await graph.ainvoke(request, config=config, context=context)
        result = await _finish(graph, config, context, run_id, started)
        keep_result_files(result, context, temporary=given_outputs_dir is None)
        return result


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
        return await _finish(graph, config, context, str(task["run_id"]), started)


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
        from anysym.errors import AnysymError

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
        checkpoints=_store(checkpoint_url),
    )
    async with AsyncExitStack() as stack:
        stack.enter_context(bound_contextvars(run_id=run_id))
        used = (
            deps
            if deps is not None
            else await stack.enter_async_context(
                _default_deps(paths, context, task, llm_settings=llm_settings)
            )
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
        return await _finish(graph, config, context, run_id, started)


def review_path(run_dir: Path, syntax: str) -> Path:
    """Return the file a person edits while a run waits for review."""
    return run_dir / f"review.{syntax}"


async def _finish(
    graph: Any, config: RunnableConfig, context: Context, run_id: str, started: float
) -> Result:
    snapshot = await graph.aget_state(config)
    values = dict(snapshot.values)
    if snapshot.interrupts:
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
        RunDir(context.run_dir).write_result(result)
    return result


def with_options(context: Context, options: dict[str, Any]) -> Context:
    """`context` with `options` (Context field names) replaced; an unknown name raises `TypeError`.

    None means "not given" and keeps the context's value.
    """
    unknown = sorted(set(options) - {f.name for f in fields(Context)})
    if unknown:
        raise TypeError(f"unknown engine option(s) {', '.join(unknown)}; see anysym.graph.context.Context")
    return replace(context, **{name: value for name, value in options.items() if value is not None})


@asynccontextmanager
async def _checkpointer(
    run_dir: Path | None, run_id: str, checkpoint_url: str | None
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    if checkpoint_url is not None:
        async with open_postgres_checkpointer(checkpoint_url, run_id) as saver:
            yield saver
    elif run_dir is None:
        yield InMemorySaver(serde=serializer())
    else:
        async with open_checkpointer(run_dir) as saver:
            yield saver


def _store(checkpoint_url: str | None) -> str:
    """Where a run's checkpoints are, as task.json records it (never the URL: it may hold a password)."""
    return "sqlite" if checkpoint_url is None else "postgres"


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
