"""Run one API prompt end to end: upload inputs, queue, stream events, wait, download outputs.

Problems with the flow are data (`JobResult.success=False` + Diagnostics): HTTP 400 validation errors,
`execution_error`, interrupts, and a run that produced no files. Problems with the server raise:
`ComfyConnectionError`, `ComfyTimeoutError` (after `/interrupt`), `ComfyProtocolError`.
"""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from anysym.errors import ComfyConnectionError, ComfyTimeoutError, ComfyValidationError
from anysym.executor.client import ComfyClient, UploadKind
from anysym.executor.errors_map import diagnostics_from_history
from anysym.executor.events import Event, EventStream, Executing, ExecutionStart, ExecutionSuccess
from anysym.executor.outputs import SUFFIX_KINDS, OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.validate_api import dangling_links, path_problems

__all__ = ["JobResult", "JobTimings", "no_outputs", "run_prompt", "unexplained_failure"]

NONCE_INPUT = "anysym_run"
"""Extra input put on sink functions so a re-run re-executes them (the 2024 server reports no outputs
for cached output nodes). ComfyUI ignores inputs a node does not declare; upstream nodes stay cached."""


class JobTimings(BaseModel):
    """Where the time of one job went, in seconds (None when the event was not seen)."""

    model_config = ConfigDict(frozen=True)

    upload_s: float = 0.0
    queue_s: float = 0.0
    run_s: float = 0.0
    download_s: float = 0.0
    submit_to_start_s: float | None = None
    finish_to_saved_s: float | None = None


class JobResult(BaseModel):
    """The outcome of one job: success, the saved outputs, the diagnostics, the raw server data."""

    model_config = ConfigDict(frozen=True)

    success: bool
    prompt_id: str | None
    outputs: list[OutputFile]
    diagnostics: list[Diagnostic]
    timings: JobTimings
    raw: dict[str, Any]


def upload_kind(path: Path) -> UploadKind:
    """How to upload a local file: images as images, everything else as a plain input file."""
    return "image" if SUFFIX_KINDS.get(path.suffix.lower()) == "image" else "input_file"


def rename_inputs(prompt: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `prompt` whose literal params equal to an input's flow name use its server name."""
    renamed = copy.deepcopy(dict(prompt))
    for node in renamed.values():
        inputs = node.get("inputs") if isinstance(node, dict) else None
        if isinstance(inputs, dict):
            for key, value in inputs.items():
                if isinstance(value, str) and value in names:
                    inputs[key] = names[value]
    return renamed


def add_nonce(prompt: dict[str, Any], nonce: str) -> dict[str, Any]:
    """Put `NONCE_INPUT` on every function no link reads from (the output functions), in place."""
    sources = {
        str(value[0])
        for node in prompt.values()
        if isinstance(node, dict)
        for value in (node.get("inputs") or {}).values()
        if isinstance(value, list) and len(value) == 2
    }
    for node_id, node in prompt.items():
        if node_id not in sources and isinstance(node, dict) and isinstance(node.get("inputs"), dict):
            node["inputs"][NONCE_INPUT] = nonce
    return prompt


def _not_sent(prompt: dict[str, Any], refused: list[Diagnostic], why: str) -> JobResult:
    """The failed result of a prompt refused before anything reached the server."""
    return JobResult(
        success=False,
        prompt_id=None,
        outputs=[],
        diagnostics=refused,
        timings=JobTimings(),
        raw={"prompt": prompt, "not_sent": why},
    )


async def run_prompt(
    client: ComfyClient,
    prompt: dict[str, Any],
    *,
    inputs: Mapping[str, Path] | None,
    out_dir: Path,
    timeout: float,
    on_event: Callable[[Event], None] | None = None,
    fresh_outputs: bool = True,
    catalog: Catalog | None = None,
    workflow: Mapping[str, Any] | None = None,
) -> JobResult:
    """Run `prompt` on `client`'s server; see the module docstring for what raises and what is data.

    Args:
        inputs: flow name (e.g. "photo.png") -> local file; uploaded, and params naming them rewritten.
        out_dir: outputs are saved as `out_dir/<function id>/<filename>`.
        timeout: seconds for the whole job: uploads, queueing and the run (an upload that is still
            going when they are spent raises `ComfyTimeoutError` before anything is queued).
        fresh_outputs: re-execute output functions even when the server cached them (see NONCE_INPUT).
        catalog: the server's catalog (fetched from the server when not given): input file names and
            output prefixes that leave the server's folders are refused whether or not the prompt was
            validated (see `path_problems`).
        workflow: the UI workflow of the same graph, embedded in the images the server saves.
    """
    marks: dict[str, float] = {}
    started = time.perf_counter()
    dangling = dangling_links(prompt)
    if dangling:
        return _not_sent(prompt, dangling, "links to missing functions")
    uploads = list((inputs or {}).items())
    try:
        async with asyncio.timeout(timeout):
            await client.prefix()
            if catalog is None:
                catalog = Catalog.from_object_info(await client.object_info())
            escaping = path_problems(prompt, catalog)
            if escaping:
                return _not_sent(prompt, escaping, "paths outside the server's folders")
            names = {name: await client.upload(path, kind=upload_kind(path)) for name, path in uploads}
    except TimeoutError as exc:
        raise ComfyTimeoutError(
            f"the server's catalog and the inputs were not ready within the {timeout:g} s the job may "
            "take; raise the timeout"
        ) from exc
    sent = rename_inputs(prompt, names)
    if fresh_outputs:
        add_nonce(sent, uuid.uuid4().hex)
    raw: dict[str, Any] = {"prompt": sent, "uploads": names}
    marks["uploaded"] = time.perf_counter()

    def record(event: Event) -> None:
        now = time.perf_counter()
        if isinstance(event, ExecutionStart):
            marks.setdefault("started", now)
        elif isinstance(event, ExecutionSuccess) or (isinstance(event, Executing) and event.node is None):
            marks.setdefault("finished", now)
        if on_event is not None:
            on_event(event)

    async with AsyncExitStack() as stack:
        stream = await _open_stream(stack, client)
        try:
            prompt_id = await client.queue(sent, workflow=workflow)
        except ComfyValidationError as exc:
            raw["error_body"] = exc.body
            timings = JobTimings(upload_s=marks["uploaded"] - started, queue_s=time.perf_counter() - started)
            return JobResult(
                success=False,
                prompt_id=None,
                outputs=[],
                diagnostics=exc.diagnostics,
                timings=timings,
                raw=raw,
            )
        marks["queued"] = time.perf_counter()
        left = max(timeout - (time.perf_counter() - started), 0.001)
        entry = await client.wait(prompt_id, left, stream=stream, on_event=record)
    marks["done"] = time.perf_counter()
    raw["history"] = entry
    diagnostics = diagnostics_from_history(entry)
    failed = bool(diagnostics) or entry.get("status", {}).get("status_str") == "error"
    if failed and not diagnostics:
        diagnostics = [unexplained_failure()]
    outputs = [] if failed else await client.download_outputs(prompt_id, out_dir, entry=entry)
    saved = time.perf_counter()
    if not failed and not outputs:
        diagnostics = [no_outputs()]
    finished = marks.get("finished", marks["done"])
    timings = JobTimings(
        upload_s=marks["uploaded"] - started,
        queue_s=marks["queued"] - marks["uploaded"],
        run_s=marks["done"] - marks["queued"],
        download_s=saved - marks["done"],
        submit_to_start_s=marks["started"] - marks["uploaded"] if "started" in marks else None,
        finish_to_saved_s=saved - finished,
    )
    return JobResult(
        success=not diagnostics,
        prompt_id=prompt_id,
        outputs=outputs,
        diagnostics=diagnostics,
        timings=timings,
        raw=raw,
    )


async def _open_stream(stack: AsyncExitStack, client: ComfyClient) -> EventStream | None:
    """Open the websocket (closed by `stack`); None means: poll `/history` instead."""
    try:
        return await stack.enter_async_context(client.events())
    except ComfyConnectionError:
        await client.system_stats()  # the server itself is down: raise that, do not poll a dead server
        return None


def no_outputs() -> Diagnostic:
    """The diagnostic of a run that ended without an output file."""
    return Diagnostic(
        kind=DiagnosticKind.NO_OUTPUTS,
        message="the flow ran but saved no output file",
        hint="end the flow in an output function (SaveImage, SaveAnimatedWEBP, ...) fed by the result",
    )


def unexplained_failure() -> Diagnostic:
    """The diagnostic of a failed run whose server named no cause."""
    return Diagnostic(
        kind=DiagnosticKind.EXECUTION_ERROR,
        message="the server reports the run failed without saying where",
        hint="check the server log",
    )
