"""The engine's public API: generate, resume a paused or crashed run, rerun an edited flow.

`generate` / `agenerate` run a task; `aresume` continues a run; `arerun` executes an edited flow without
new inference.

`deps=None` uses the embedded defaults (`anysym.graph.defaults`: the configured or managed local LLM, the
managed local ComfyUI, the reference-program store) and writes a run directory under `paths.runs`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from structlog.contextvars import bound_contextvars

from anysym.graph.artifacts import RunDir
from anysym.graph.build import compile_graph, recursion_limit, run_config
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.finish import checkpoint_store, finish_run, review_path, run_checkpointer
from anysym.graph.result import Result
from anysym.graph.resume import arerun, aresume
from anysym.graph.run_outputs import keep_result_files, run_outputs
from anysym.graph.runs import (
    context_to_json,
    kept_for_resume,
    new_run_dir,
    new_run_id,
)
from anysym.graph.state import InputState
from anysym.inference.keys import check_key_types, parse_key_function
from anysym.llm.settings import LLMSettings
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
                checkpoints=checkpoint_store(checkpoint_url),
            )
        saver = await stack.enter_async_context(run_checkpointer(run_dir, run_id, checkpoint_url))
        graph = compile_graph(deps, checkpointer=saver)
        config = run_config(run_id, context)
        with kept_for_resume(run_dir, task, run_id):
            await graph.ainvoke(request, config=config, context=context)
        result = await finish_run(graph, config, context, run_id, started)
        keep_result_files(result, context, temporary=given_outputs_dir is None)
        return result


def with_options(context: Context, options: dict[str, Any]) -> Context:
    """`context` with `options` (Context field names) replaced; an unknown name raises `TypeError`.

    None means "not given" and keeps the context's value.
    """
    unknown = sorted(set(options) - {f.name for f in fields(Context)})
    if unknown:
        raise TypeError(f"unknown engine option(s) {', '.join(unknown)}; see anysym.graph.context.Context")
    return replace(context, **{name: value for name, value in options.items() if value is not None})
