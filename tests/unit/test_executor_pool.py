"""ServerPool dispatch over scripted servers (httpx.MockTransport): least-loaded, dead ones skipped."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest

from anysym.errors import ComfyConnectionError, ComfyHTTPStatusError
from anysym.executor.events import Connection
from anysym.executor.job import add_nonce, rename_inputs
from anysym.executor.pool import SICK_FOR_S, ServerPool
from anysym.language.validate_api import dangling_links

OBJECT_INFO = {"SaveImage": {"input": {"required": {"images": ["IMAGE"]}}, "output": [], "output_node": True}}
PROMPT = {
    "x": {"class_type": "EmptyImage", "inputs": {}},
    "save": {"class_type": "SaveImage", "inputs": {"images": ["x", 0]}},
}


class Socket:
    """A websocket that reports one finished prompt."""

    def __init__(self) -> None:
        self.frames: list[str] = []

    async def recv(self) -> str:
        await asyncio.sleep(0.01)  # a job takes a moment, so concurrent jobs overlap
        return self.frames.pop(0)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


class Cluster:
    """Several fake servers behind one transport, keyed by host."""

    def __init__(self, loads: dict[str, int | None]) -> None:
        self.loads = loads
        self.jobs: list[str] = []
        self.object_info_calls: list[str] = []
        self.sockets: dict[str, Socket] = {}
        self.faults: dict[tuple[str, str], httpx.Response] = {}
        """(host, route) -> the broken answer that server gives there."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        host, route = request.url.host, request.url.path
        if self.loads[host] is None:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if (host, route) in self.faults:
            if route == "/prompt":
                self.jobs.append(f"{host}!")
            return self.faults[host, route]
        if route == "/system_stats":
            return httpx.Response(200, json={"system": {}})
        if route == "/queue":
            running = [[0, f"r{i}", {}, {}, []] for i in range(self.loads[host] or 0)]
            return httpx.Response(200, json={"queue_running": running, "queue_pending": []})
        if route == "/object_info":
            self.object_info_calls.append(host)
            return httpx.Response(200, json=OBJECT_INFO)
        if route == "/prompt":
            self.jobs.append(host)
            pid = f"{host}-job"
            self.sockets[host].frames.append(
                json.dumps({"type": "executing", "data": {"node": None, "prompt_id": pid}})
            )
            return httpx.Response(200, json={"prompt_id": pid, "number": 0, "node_errors": {}})
        if route.startswith("/history/"):
            pid = route.rsplit("/", 1)[1]
            item = {"filename": "a.png", "subfolder": "", "type": "output"}
            entry = {
                "outputs": {"save": {"images": [item]}},
                "status": {"status_str": "success", "messages": []},
            }
            return httpx.Response(200, json={pid: entry})
        if route == "/view":
            return httpx.Response(200, content=host.encode())
        return httpx.Response(404)

    def connector(self, url: str) -> Socket:
        host = httpx.URL(url.replace("ws://", "http://")).host
        if self.loads[host] is None:
            raise ConnectionRefusedError(111, "Connection refused")
        return self.sockets.setdefault(host, Socket())


def pool_for(cluster: Cluster, http: httpx.AsyncClient) -> ServerPool:
    return ServerPool([f"http://{host}:8188" for host in cluster.loads], http, connector=cluster.connector)


async def test_jobs_go_to_the_least_loaded_reachable_server(tmp_path: Path) -> None:
    cluster = Cluster({"busy": 3, "dead": None, "idle": 1})
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        pool = pool_for(cluster, http)
        assert await pool.loads() == {"http://busy:8188": 3, "http://dead:8188": None, "http://idle:8188": 1}
        result = await pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path, timeout=5)
    assert cluster.jobs == ["idle"]
    assert result.success and result.raw["server"] == "http://idle:8188"
    assert result.outputs[0].path.read_bytes() == b"idle"


async def test_jobs_dispatched_at_once_spread_over_the_servers(tmp_path: Path) -> None:
    cluster = Cluster({"a": 0, "b": 0})
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        pool = pool_for(cluster, http)
        jobs = [pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path / str(i), timeout=5) for i in range(4)]
        results = await asyncio.gather(*jobs)
    assert all(result.success for result in results)
    assert sorted(cluster.jobs) == ["a", "a", "b", "b"]  # each pick saw the jobs already dispatched


async def test_ties_go_to_the_first_server(tmp_path: Path) -> None:
    cluster = Cluster({"a": 0, "b": 0})
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        assert (await pool_for(cluster, http).pick()).base_url == "http://a:8188"


async def test_no_reachable_server_raises() -> None:
    cluster = Cluster({"a": None, "b": None})
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        with pytest.raises(ComfyConnectionError, match="no ComfyUI server is reachable"):
            await pool_for(cluster, http).run_prompt(PROMPT, inputs=None, out_dir=Path("."), timeout=1)


async def test_a_server_dying_mid_dispatch_is_skipped(tmp_path: Path) -> None:
    cluster = Cluster({"first": 0, "second": 5})
    original = cluster.connector

    def flaky(url: str) -> Socket:
        if "first" in url:
            cluster.loads["first"] = None  # dies after answering /queue
        return original(url)

    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        pool = ServerPool(["http://first:8188", "http://second:8188"], http, connector=flaky)
        result = await pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path, timeout=5)
    assert cluster.jobs == ["second"] and result.raw["server"] == "http://second:8188"


BROKEN = {
    "5xx": httpx.Response(500, text="Internal Server Error"),
    "html": httpx.Response(200, text="<html>proxy error</html>", headers={"content-type": "text/html"}),
}


@pytest.mark.parametrize("answer", sorted(BROKEN))
async def test_a_sick_server_is_routed_around_for_a_while(tmp_path: Path, answer: str) -> None:
    cluster = Cluster({"first": 0, "second": 5})
    cluster.faults["first", "/prompt"] = BROKEN[answer]
    now = [1000.0]
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        urls = ["http://first:8188", "http://second:8188"]
        pool = ServerPool(urls, http, connector=cluster.connector, clock=lambda: now[0])
        result = await pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path, timeout=5)
        assert result.success and result.raw["server"] == "http://second:8188"
        assert pool.is_sick("http://first:8188") and not pool.is_sick("http://second:8188")
        await pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path, timeout=5)
        now[0] += SICK_FOR_S + 1
        del cluster.faults["first", "/prompt"]
        healed = await pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path, timeout=5)
    assert cluster.jobs == ["first!", "second", "second", "first"]
    assert healed.raw["server"] == "http://first:8188"


async def test_a_queue_answering_errors_marks_the_server_sick() -> None:
    cluster = Cluster({"a": 0, "b": 3})
    cluster.faults["a", "/queue"] = BROKEN["html"]
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        pool = pool_for(cluster, http)
        assert (await pool.pick()).base_url == "http://b:8188"
        assert pool.is_sick("http://a:8188")


async def test_the_job_fails_only_when_every_server_is_sick(tmp_path: Path) -> None:
    cluster = Cluster({"a": 0, "b": 0})
    cluster.faults["a", "/prompt"] = cluster.faults["b", "/prompt"] = BROKEN["5xx"]
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        pool = pool_for(cluster, http)
        with pytest.raises(ComfyHTTPStatusError, match="HTTP 500"):
            await pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path, timeout=5)
        with pytest.raises(ComfyConnectionError, match=r"a:8188 \(answering errors\)"):
            await pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path, timeout=5)
    assert cluster.jobs == ["a!", "b!"]


async def test_catalogs_are_fetched_once_per_server() -> None:
    cluster = Cluster({"a": 0, "b": 2})
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        pool = pool_for(cluster, http)
        first = await pool.catalog()
        again = await pool.catalog("http://a:8188")
        other = await pool.catalog("http://b:8188")
        pool.forget_catalog("http://b:8188")
        await pool.catalog("http://b:8188")
    assert first is again and "SaveImage" in other
    assert cluster.object_info_calls == ["a", "b", "b"]


def test_rename_inputs_rewrites_only_literal_names() -> None:
    prompt: dict[str, Any] = {
        "load": {"class_type": "LoadImage", "inputs": {"image": "photo.png"}},
        "text": {"class_type": "X", "inputs": {"text": "a photo.png of a cat", "link": ["load", 0]}},
    }
    renamed = rename_inputs(prompt, {"photo.png": "photo_abc.png"})
    assert renamed["load"]["inputs"]["image"] == "photo_abc.png"
    assert renamed["text"]["inputs"] == prompt["text"]["inputs"]
    assert prompt["load"]["inputs"]["image"] == "photo.png"


def test_nonce_goes_on_sinks_only() -> None:
    prompt: dict[str, Any] = {
        "a": {"class_type": "EmptyImage", "inputs": {}},
        "b": {"class_type": "ImageInvert", "inputs": {"image": ["a", 0]}},
        "s1": {"class_type": "SaveImage", "inputs": {"images": ["b", 0]}},
        "s2": {"class_type": "PreviewImage", "inputs": {"images": ["a", 0]}},
    }
    add_nonce(prompt, "n")
    assert [k for k, node in prompt.items() if "anysym_run" in node["inputs"]] == ["s1", "s2"]


def test_links_to_missing_functions_are_caught_before_sending() -> None:
    prompt: dict[str, Any] = {
        "comp": {
            "class_type": "ImageCompositeMasked",
            "inputs": {"destination": ["a", 0], "mask": ["gone", 0]},
        },
        "a": {"class_type": "EmptyImage", "inputs": {}},
    }
    [diagnostic] = dangling_links(prompt)
    assert (diagnostic.function, diagnostic.port) == ("comp", "mask")
    assert "'gone'" in diagnostic.message


async def test_concurrent_jobs_spread_over_idle_servers(tmp_path: Path) -> None:
    cluster = Cluster({"a": 0, "b": 0})
    async with httpx.AsyncClient(transport=httpx.MockTransport(cluster.handler)) as http:
        pool = pool_for(cluster, http)
        results = await asyncio.gather(
            *(pool.run_prompt(PROMPT, inputs=None, out_dir=tmp_path / str(i), timeout=5) for i in range(2))
        )
    assert sorted(cluster.jobs) == ["a", "b"]
    assert {r.raw["server"] for r in results} == {"http://a:8188", "http://b:8188"}
