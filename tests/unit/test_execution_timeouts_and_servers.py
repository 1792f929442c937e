"""An execution timeout is a refinable failed attempt; several servers share the work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from anysym.errors import ComfyConnectionError, ComfyTimeoutError
from anysym.executor.pool import ServerPool
from anysym.graph.api import agenerate
from anysym.graph.comfy import first_reachable_catalog, timeout_diagnostic
from anysym.graph.deps import Deps
from anysym.graph.testing import FakeExecution, ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind

PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"
TASK = "Invert the colours of photo.png and save it"
GOOD = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "save", "images")
```"""
PROMPT: dict[str, Any] = {"inv": {"class_type": "ImageInvert", "inputs": {}}}


@dataclass
class TimingOutFirst:
    """Failure injection: the first run raises `ComfyTimeoutError`, later runs are scripted successes."""

    error: ComfyTimeoutError
    then: ScriptedExecutor

    async def run(
        self,
        prompt: Mapping[str, Any],
        *,
        inputs: Mapping[str, Path],
        out_dir: Path,
        timeout: float,
        workflow: Mapping[str, Any] | None = None,
    ) -> FakeExecution:
        if not self.then.prompts and self.error is not None:
            self.then.prompts.append(dict(prompt))
            raise self.error
        return await self.then.run(prompt, inputs=inputs, out_dir=out_dir, timeout=timeout)


def test_timeout_diagnostic_names_the_running_function() -> None:
    known = timeout_diagnostic(PROMPT, "inv", 30.0)
    assert known.kind is DiagnosticKind.TIMEOUT and known.function == "inv"
    assert "within 30 s while function 'inv' (ImageInvert) was running" in known.message
    assert known.hint and "fewer steps" in known.hint and "timeout" in known.hint
    assert "\n" not in known.render()
    unknown = timeout_diagnostic(PROMPT, None, 2.5, cause="GET /queue got no answer in time")
    assert unknown.function is None
    assert "within 2.5 s before any function started (GET /queue got no answer in time)" in unknown.message


@pytest.mark.parametrize("with_diagnostic", [True, False])
async def test_execution_timeout_is_a_refined_attempt(
    snapshot_catalog: Catalog, with_diagnostic: bool
) -> None:
    diagnostics = [timeout_diagnostic(PROMPT, "inv", 5.0)] if with_diagnostic else []
    error = ComfyTimeoutError("prompt p1 did not finish within 5 s", diagnostics=diagnostics)
    executor = TimingOutFirst(error, ScriptedExecutor([FakeExecution(), FakeExecution()]))
    llm = ScriptedLLM([GOOD, GOOD])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=executor)
    result = await agenerate(TASK, [PHOTO], deps=deps, one_step=True, execute_timeout_s=5.0)
    assert result.status == "succeeded"
    assert [a.failed_stage for a in result.attempts] == ["execute", None]
    [timeout] = result.attempts[0].diagnostics
    assert timeout.kind is DiagnosticKind.TIMEOUT and "within 5 s" in timeout.message
    assert timeout.function == ("inv" if with_diagnostic else None)
    assert timeout.render() in llm.prompts[1][1]  # the refiner sees it


def _cluster(up: dict[str, dict[str, Any]]) -> httpx.MockTransport:
    """Servers by host: those in `up` answer like ComfyUI, the others refuse connections."""

    def handle(request: httpx.Request) -> httpx.Response:
        host = f"{request.url.host}:{request.url.port}"
        if host not in up:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/system_stats":
            return httpx.Response(200, json={"system": {}, "devices": []})
        if request.url.path == "/queue":
            return httpx.Response(200, json={"queue_running": [], "queue_pending": []})
        if request.url.path == "/object_info":
            return httpx.Response(200, json=up[host])
        return httpx.Response(404)

    return httpx.MockTransport(handle)


def _node(name: str) -> dict[str, Any]:
    return {name: {"input": {"required": {}}, "output": ["IMAGE"], "output_node": False}}


async def test_catalog_comes_from_the_first_reachable_server() -> None:
    up = {"b.test:8188": _node("OnB"), "c.test:8188": _node("OnC")}
    urls = ["http://a.test:8188", "http://b.test:8188", "http://c.test:8188"]
    async with httpx.AsyncClient(transport=_cluster(up)) as http:
        catalog = await first_reachable_catalog(ServerPool(urls, http))
    assert list(catalog) == ["OnB"]


async def test_no_reachable_server_is_a_one_line_connection_error() -> None:
    async with httpx.AsyncClient(transport=_cluster({})) as http:
        with pytest.raises(ComfyConnectionError, match="no ComfyUI server is reachable") as caught:
            await first_reachable_catalog(ServerPool(["http://a.test:8188", "http://b.test:8188"], http))
    assert "\n" not in str(caught.value) and "--server" in str(caught.value)
