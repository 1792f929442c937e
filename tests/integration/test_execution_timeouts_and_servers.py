"""On REAL ComfyUI servers: a timed-out run is refined; several --server URLs share the work.

Timeouts interrupt prompts, so they run on a private server started here on a free port (never the shared
one); dispatch uses the private server, the shared one and a dead URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from anysym.errors import ComfyConnectionError
from anysym.executor.client import ComfyClient
from anysym.graph.api import agenerate
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.defaults import open_default_deps
from anysym.graph.deps import Deps
from anysym.graph.testing import ScriptedLLM, StaticRetriever
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.syntax import parse
from anysym.llm.settings import LLMSettings
from anysym.services.comfy.server import LocalComfy
from tests.integration.services import free_port

# A large tiled decode with the random TAESD takes well over TIMEOUT_S on CPU; TINY takes a fraction.
SLOW = """```python
latent = EmptyLatentImage(width=768, height=768, batch_size=1)
vae = VAELoader(vae_name="taesd")
decode = VAEDecodeTiled(samples=latent, vae=vae, tile_size=320)
save = SaveImage(images=decode, filename_prefix="anysym_gaps_slow")
```"""
TINY = """```python
img = EmptyImage(width=8, height=8, batch_size=1, color=0)
save = SaveImage(images=img, filename_prefix="anysym_gaps_tiny")
```"""
TIMEOUT_S = 6.0


@pytest.fixture(scope="module")
def private_server(comfy_server: Any) -> Iterator[LocalComfy]:
    """A second managed server on a free port (interrupted by these tests; stopped at the end)."""
    local = LocalComfy(comfy_server.local.paths, port=free_port())
    local.serve(timeout=180)
    try:
        yield local
    finally:
        local.stop()


def _program(text: str) -> str:
    return text.removeprefix("```python\n").removesuffix("```")


def _require_taesd(catalog: Catalog) -> None:
    if "taesd" not in (catalog["VAELoader"].inputs["vae_name"].choices or ()):
        pytest.fail("the random TAESD is missing: run ./scripts/setup.sh (anysym comfy install)")


async def test_timed_out_run_is_refined_into_one_that_works(
    private_server: LocalComfy, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    _require_taesd(comfy_catalog)
    llm = ScriptedLLM([SLOW, TINY])
    started = time.monotonic()
    async with httpx.AsyncClient() as http:
        executor = ComfyExecutor(ComfyClient(private_server.url, http=http))
        deps = Deps(llm=llm, catalog=comfy_catalog, executor=executor)
        result = await agenerate(
            "Decode an empty latent and save it",
            deps=deps,
            syntax="dataflow",
            one_step=True,
            run_dir=tmp_path / "run",
            execute_timeout_s=TIMEOUT_S,
        )
    assert [a.failed_stage for a in result.attempts] == ["execute", None], result.attempts
    [timeout] = result.attempts[0].diagnostics
    assert timeout.kind is DiagnosticKind.TIMEOUT, timeout
    assert timeout.function in ("latent", "vae", "decode")
    assert f"within {TIMEOUT_S:g} s while function {timeout.function!r}" in timeout.message
    assert timeout.render() in llm.prompts[1][1]
    assert result.status == "succeeded" and result.outputs
    assert time.monotonic() - started < 3 * TIMEOUT_S + 30


async def test_unreachable_server_is_a_typed_one_line_error(comfy_catalog: Catalog) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    async with httpx.AsyncClient() as http:
        deps = Deps(
            llm=ScriptedLLM([TINY]),
            catalog=comfy_catalog,
            executor=ComfyExecutor(ComfyClient(dead, http=http)),
        )
        with pytest.raises(ComfyConnectionError) as caught:
            await agenerate("Save a black image", deps=deps, syntax="dataflow", one_step=True)
    assert "\n" not in str(caught.value) and "127.0.0.1" in str(caught.value)


async def test_several_servers_share_executions(
    private_server: LocalComfy, comfy_server: Any, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    _require_taesd(comfy_catalog)
    dead = f"http://127.0.0.1:{free_port()}"
    settings = LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="none")
    tiny = to_api(parse(_program(TINY), "dataflow"), comfy_catalog)
    slow = to_api(parse(_program(SLOW), "dataflow"), comfy_catalog)
    servers = [dead, private_server.url, comfy_server.url]
    async with (
        open_default_deps(
            comfy_server.local.paths, llm_settings=settings, servers=servers, retriever=StaticRetriever([])
        ) as deps,
        httpx.AsyncClient() as http,
    ):
        assert isinstance(deps.executor, ComfyExecutor)
        assert "VAELoader" in deps.catalog and deps.catalog["VAELoader"].inputs["vae_name"].choices
        first = await deps.executor.run(tiny, inputs={}, out_dir=tmp_path / "a", timeout=120)
        assert first.success and first.raw["server"] == private_server.url  # idle tie: order given

        private = ComfyClient(private_server.url, http=http)
        busy = [await private.queue(slow) for _ in range(4)]
        try:
            second = await deps.executor.run(tiny, inputs={}, out_dir=tmp_path / "b", timeout=120)
        finally:
            for prompt_id in busy[1:]:
                await private.delete_from_queue(prompt_id)
            await private.interrupt(busy[0])
        assert second.success and second.raw["server"] == comfy_server.url
