"""Failures on the real local ComfyUI become Diagnostics (bad flows) or typed errors (bad servers), fast.

Timeout and kill tests use a SECOND managed server on its own port, never the shared one.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from anysym.errors import ComfyConnectionError, ComfyTimeoutError, ComfyValidationError
from anysym.executor.client import ComfyClient
from anysym.executor.events import Event, ExecutionStart, Progress
from anysym.executor.job import JobResult, run_prompt
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.diagnostics import DiagnosticKind as K
from anysym.language.syntax import parse
from anysym.services.comfy.server import LocalComfy

RunFlow = Callable[..., Awaitable[JobResult]]
SECOND_PORT = 8197

BLEND = """
workflow.add_node("a", "EmptyImage", {"width": 16, "height": 16, "batch_size": 1, "color": 0})
workflow.add_node("b", "EmptyImage", {"width": 16, "height": 16, "batch_size": 1, "color": 16777215})
workflow.add_node("mix", "ImageBlend", {"blend_factor": FACTOR, "blend_mode": "MODE"})
workflow.add_node("save", "SaveImage", {"filename_prefix": "exec_fail"})
workflow.connect("a", 0, "mix", "image1")
workflow.connect("b", 0, "mix", "image2")
workflow.connect("mix", 0, "save", "images")
"""

SLOW = """
workflow.add_node("latent", "EmptyLatentImage", {"width": 768, "height": 768, "batch_size": 1})
workflow.add_node("vae", "VAELoader", {"vae_name": "taesd"})
workflow.add_node("decode", "VAEDecodeTiled", {"tile_size": 320})
workflow.add_node("save", "SaveImage", {"filename_prefix": "exec_slow"})
workflow.connect("latent", 0, "decode", "samples")
workflow.connect("vae", 0, "decode", "vae")
workflow.connect("decode", 0, "save", "images")
"""


def blend(factor: str = "0.5", mode: str = "normal") -> str:
    return BLEND.replace("FACTOR", factor).replace("MODE", mode)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (blend().replace('"ImageBlend"', '"ImageBlendz"'), (K.UNKNOWN_FUNCTION, "mix", None)),
        (
            blend().replace('workflow.connect("b", 0, "mix", "image2")', ""),
            (K.MISSING_INPUT, "mix", "image2"),
        ),
        (blend(mode="sparkle"), (K.VALUE_NOT_IN_LIST, "mix", "blend_mode")),
        (blend(factor="7.5"), (K.VALUE_OUT_OF_RANGE, "mix", "blend_factor")),
    ],
    ids=["unknown-function", "missing-input", "bad-choice", "out-of-range"],
)
async def test_rejected_flows_give_diagnostics_on_function_ids(
    run_flow: RunFlow, text: str, expected: tuple[K, str, str | None]
) -> None:
    result = await run_flow(text)
    assert not result.success and result.prompt_id is None and result.outputs == []
    assert [(d.kind, d.function, d.port) for d in result.diagnostics] == [expected]
    assert result.raw["error_body"]


async def test_corrupt_input_file_is_an_execution_error(run_flow: RunFlow, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 8)
    result = await run_flow(
        """
        workflow.add_node("load", "LoadImage", {"image": "corrupt.png"})
        workflow.add_node("save", "SaveImage", {"filename_prefix": "exec_corrupt"})
        workflow.connect("load", 0, "save", "images")
        """,
        inputs={"corrupt.png": corrupt},
    )
    assert not result.success and result.prompt_id is not None and result.outputs == []
    [diagnostic] = result.diagnostics
    assert (diagnostic.kind, diagnostic.function) == (K.EXECUTION_ERROR, "load")
    assert "LoadImage" in diagnostic.message and diagnostic.hint and "traceback" in diagnostic.hint


@pytest.fixture(scope="module")
def second_server(comfy_server: Any) -> Iterator[LocalComfy]:
    """A private managed server on another port (killed by tests; the shared one is never touched)."""
    local = LocalComfy(comfy_server.local.paths, port=SECOND_PORT)
    local.serve(timeout=180)
    try:
        yield local
    finally:
        local.stop()


async def test_a_prompt_that_crashes_the_executor_fails_alone(
    second_server: LocalComfy, tmp_path: Path
) -> None:
    """Launcher workaround: an exception outside any node fails that prompt; the worker keeps serving."""
    prompt: dict[str, Any] = {
        "a": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
        "save": {"class_type": "SaveImage", "inputs": {"images": ["a", 0], "filename_prefix": "exec_crash"}},
    }
    crashing = copy.deepcopy(prompt)
    crashing["save"]["inputs"]["junk"] = [5, 0, 0]  # undeclared, unvalidated; the fork's planner indexes it
    async with httpx.AsyncClient() as http:
        client = ComfyClient(second_server.url, http=http)
        crashed = await run_prompt(client, crashing, inputs=None, out_dir=tmp_path, timeout=30)
        after = await run_prompt(client, prompt, inputs=None, out_dir=tmp_path, timeout=30)
    [diagnostic] = crashed.diagnostics
    assert not crashed.success and diagnostic.kind is K.EXECUTION_ERROR
    assert "KeyError" in diagnostic.message and diagnostic.hint
    assert after.success and len(after.outputs) == 1


def slow_prompt(catalog: Catalog) -> dict[str, Any]:
    if "taesd" not in (catalog["VAELoader"].inputs["vae_name"].choices or ()):
        pytest.fail(
            "the random TAESD is missing: run ./scripts/setup.sh (anysym comfy install --with-random-models)"
        )
    return to_api(parse(SLOW, "declarative"), catalog)


async def test_hung_job_times_out_and_is_interrupted(
    second_server: LocalComfy, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    seen: list[Event] = []
    started = time.monotonic()
    async with httpx.AsyncClient() as http:
        client = ComfyClient(second_server.url, http=http)
        with pytest.raises(ComfyTimeoutError, match="interrupted") as caught:
            await run_prompt(
                client,
                slow_prompt(comfy_catalog),
                inputs=None,
                out_dir=tmp_path,
                timeout=4.0,
                on_event=seen.append,
            )
        assert time.monotonic() - started < 4.0 + 5.0
        assert any(isinstance(e, ExecutionStart) for e in seen)
        prompt_id = next(e.prompt_id for e in seen if isinstance(e, ExecutionStart))
        assert prompt_id and prompt_id in str(caught.value)
        entry = None
        for _ in range(100):  # the interrupt lands at the next progress step
            entry = await client.history(prompt_id)
            if entry is not None:
                break
            await asyncio.sleep(0.1)
        assert entry is not None, "the interrupted prompt never finished"
        assert entry["status"]["status_str"] == "error"
        assert entry["status"]["messages"][-1][0] == "execution_interrupted"
        assert await client.queue_load() == 0


async def test_server_killed_mid_run_raises_connection_error(
    second_server: LocalComfy, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    def kill_on_progress(event: Event) -> None:
        if isinstance(event, Progress):
            second_server.kill()

    started = time.monotonic()
    async with httpx.AsyncClient() as http:
        client = ComfyClient(second_server.url, http=http)
        with pytest.raises(ComfyConnectionError):
            await run_prompt(
                client,
                slow_prompt(comfy_catalog),
                inputs=None,
                out_dir=tmp_path,
                timeout=120.0,
                on_event=kill_on_progress,
            )
    assert time.monotonic() - started < 60
    assert not second_server.status().running


async def test_managed_server_rejects_dangling_links_and_keeps_running(
    comfy_server: Any, tmp_path: Path
) -> None:
    """Launcher workaround: the 2024 server would accept this (optional input) and its worker would die."""
    prompt: dict[str, Any] = {
        "a": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
        "paste": {
            "class_type": "ImageCompositeMasked",
            "inputs": {
                "destination": ["a", 0],
                "source": ["a", 0],
                "x": 0,
                "y": 0,
                "resize_source": False,
                "mask": ["missing_99", 0],
            },
        },
        "save": {
            "class_type": "SaveImage",
            "inputs": {"images": ["paste", 0], "filename_prefix": "exec_dangling"},
        },
    }
    async with httpx.AsyncClient() as http:
        client = ComfyClient(comfy_server.url, http=http)
        with pytest.raises(ComfyValidationError) as caught:
            await client.queue(prompt)
        assert [(d.kind, d.function, d.port) for d in caught.value.diagnostics] == [
            (K.UNKNOWN_LINK_SOURCE, "paste", "mask")
        ]
        del prompt["paste"]["inputs"]["mask"]
        result = await run_prompt(client, prompt, inputs=None, out_dir=tmp_path, timeout=60)
    assert result.success
