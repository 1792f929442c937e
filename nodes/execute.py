"""execute: run the current attempt's API prompt on ComfyUI; record the files it produced."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from anysym.errors import ComfyTimeoutError
from anysym.executor.job import no_outputs, unexplained_failure
from anysym.graph.artifacts import RunDir
from anysym.graph.context import Context
from anysym.graph.deps import Deps, ExecutionLike
from anysym.graph.result import OutputFile
from anysym.graph.state import State
from anysym.language.diagnostics import Diagnostic, DiagnosticKind

__all__ = ["execute"]


async def execute(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Upload the inputs, queue the prompt, wait, and record the outcome on the current attempt."""
    context = runtime.context
    if deps.executor is None:
        raise ValueError(
            "execution is on but the graph has no executor; pass Deps(executor=...) or a dry run"
        )
    attempt = state["attempts"][-1]
    inputs = {Path(p).name: Path(p) for p in state.get("inputs", [])}
    out_dir = RunDir(context.run_dir).outputs if context.run_dir is not None else context.outputs_dir
    if out_dir is None:  # a graph embedded without either: agenerate always gives one
        out_dir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="anysym-outputs-"))
    started = time.perf_counter()
    try:
        job = await deps.executor.run(
            state["prompt"],
            inputs=inputs,
            out_dir=out_dir,
            timeout=context.execute_timeout_s,
            workflow=state.get("workflow") or None,
        )
    except ComfyTimeoutError as exc:
        job = _timed_out(exc, context.execute_timeout_s)
    comfy_s = time.perf_counter() - started
    outputs = list(job.outputs)
    if not job.success:
        diagnostics = tuple(job.diagnostics) or (unexplained_failure(),)
        attempt = attempt.model_copy(update={"diagnostics": diagnostics, "failed_stage": "execute"})
    elif not outputs:
        attempt = attempt.model_copy(
            update={"diagnostics": (no_outputs(),), "failed_stage": "outputs", "stage_reached": "executed"}
        )
    else:
        attempt = attempt.model_copy(update={"stage_reached": "outputs", "outputs": tuple(outputs)})
    return {"attempts": [attempt], "outputs": outputs, "comfy_s": comfy_s}


@dataclass(frozen=True)
class _Failed:
    """A failed execution without outputs (shaped like `ExecutionLike`)."""

    diagnostics: tuple[Diagnostic, ...]
    success: bool = False
    outputs: tuple[OutputFile, ...] = ()


def _timed_out(exc: ComfyTimeoutError, timeout: float) -> ExecutionLike:
    """A timeout is a failed attempt the refiner can act on, with the executor's diagnostic if it gave one."""
    diagnostics = tuple(exc.diagnostics) or (
        Diagnostic(
            kind=DiagnosticKind.TIMEOUT,
            message=f"the run did not finish within {timeout:g} s ({exc.message})",
            hint="use smaller sizes, fewer steps or smaller batches, or raise the execution timeout "
            f"(--timeout / execute_timeout_s, now {timeout:g} s)",
        ),
    )
    return _Failed(diagnostics=diagnostics)
