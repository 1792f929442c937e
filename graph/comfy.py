"""The ComfyUI executor of the graph: `run_prompt` on one server or a `ServerPool` (see `anysym.executor`).

A run that does not finish in time raises `ComfyTimeoutError` carrying a `timeout` Diagnostic that names
the function that was running (from the server's `executing` events); the execute node turns it into a
failed attempt. A server that cannot be reached raises `ComfyConnectionError` unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anysym.errors import ComfyTimeoutError
from anysym.executor.client import ComfyClient
from anysym.executor.events import Event, Executing, Progress
from anysym.executor.job import JobResult, run_prompt
from anysym.executor.pool import ServerPool
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind

__all__ = ["ComfyExecutor", "first_reachable_catalog", "timeout_diagnostic"]


class ComfyExecutor:
    """Runs API prompts on one ComfyUI server or, given a `ServerPool`, on its least-loaded server.

    400s and runtime errors come back as diagnostics in the `JobResult`; a timeout raises
    `ComfyTimeoutError` with a `timeout` diagnostic (see the module docstring).
    """

    def __init__(self, target: ComfyClient | ServerPool) -> None:
        self.target = target
        self._catalog: Catalog | None = None
        """One server's catalog, read once for the executor's path guard (a pool keeps its own)."""

    async def run(
        self,
        prompt: Mapping[str, Any],
        *,
        inputs: Mapping[str, Path],
        out_dir: Path,
        timeout: float,
        workflow: Mapping[str, Any] | None = None,
    ) -> JobResult:
        """Upload `inputs`, queue `prompt` (with `workflow` for the saved images), wait, download."""
        running = _RunningFunction()
        sent = dict(prompt)
        try:
            if isinstance(self.target, ServerPool):
                return await self.target.run_prompt(
                    sent,
                    inputs=inputs,
                    out_dir=out_dir,
                    timeout=timeout,
                    on_event=running.see,
                    workflow=workflow,
                )
            if self._catalog is None:
                self._catalog = Catalog.from_object_info(await self.target.object_info())
            return await run_prompt(
                self.target,
                sent,
                inputs=inputs,
                out_dir=out_dir,
                timeout=timeout,
                on_event=running.see,
                catalog=self._catalog,
                workflow=workflow,
            )
        except ComfyTimeoutError as exc:
            diagnostic = timeout_diagnostic(prompt, running.function, timeout, cause=exc.message)
            raise ComfyTimeoutError(diagnostic.message, diagnostics=[diagnostic]) from exc


class _RunningFunction:
    """Remembers which function the server reported executing last (None before the run starts)."""

    def __init__(self) -> None:
        self.function: str | None = None

    def see(self, event: Event) -> None:
        if isinstance(event, Executing | Progress) and event.node is not None:
            self.function = event.node


def timeout_diagnostic(
    prompt: Mapping[str, Any], function: str | None, timeout: float, *, cause: str = ""
) -> Diagnostic:
    """The one-line `timeout` diagnostic: which function was running (if known) and what to do.

    `cause` (the client's own message) is quoted when no function had started, since the time may then
    have gone to a busy queue or a server that stopped answering rather than to the flow itself.
    """
    node = prompt.get(function) if function is not None else None
    node_type = node.get("class_type") if isinstance(node, Mapping) else None
    if function is None:
        where = "before any function started" + (f" ({cause})" if cause else "")
    else:
        where = f"while function {function!r}" + (f" ({node_type})" if node_type else "") + " was running"
    return Diagnostic(
        kind=DiagnosticKind.TIMEOUT,
        message=f"the run did not finish within {timeout:g} s {where}; it was stopped",
        function=function,
        hint="use smaller sizes, fewer steps or smaller batches, or raise the execution timeout "
        f"(--timeout / execute_timeout_s, now {timeout:g} s)",
    )


async def first_reachable_catalog(pool: ServerPool) -> Catalog:
    """The catalog of the first server of `pool` (in the order given) that answers.

    Raises:
        ComfyConnectionError: no server answered.
    """
    loads = await pool.loads()
    for client in pool.clients:
        if loads[client.base_url] is not None:
            return await pool.catalog(client.base_url)
    raise pool.none_reachable()
