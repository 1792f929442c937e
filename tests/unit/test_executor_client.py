"""ComfyClient + run_prompt against a scripted ComfyUI (httpx.MockTransport + a fake websocket).

The fake speaks both protocol variants: the 2024 local server (plain routes, server-made prompt ids, no
execution_success) and current upstream (`/api` routes only here, echoed prompt ids, execution_success).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest

from anysym.errors import ComfyConnectionError, ComfyProtocolError, ComfyTimeoutError
from anysym.executor.client import ComfyClient
from anysym.executor.events import Connection
from anysym.executor.job import NONCE_INPUT, run_prompt
from anysym.executor.responses import total_deadline
from anysym.language.diagnostics import DiagnosticKind

PROMPT = {
    "load": {"class_type": "LoadImage", "inputs": {"image": "photo.png"}},
    "invert": {"class_type": "ImageInvert", "inputs": {"image": ["load", 0]}},
    "save": {"class_type": "SaveImage", "inputs": {"images": ["invert", 0], "filename_prefix": "t"}},
}
PNG = b"\x89PNG\r\n\x1a\nfake"
OBJECT_INFO = {
    "LoadImage": {
        "input": {"required": {"image": [["photo.png"], {"image_upload": True}]}},
        "output": ["IMAGE", "MASK"],
    },
    "ImageInvert": {"input": {"required": {"image": ["IMAGE"]}}, "output": ["IMAGE"]},
    "SaveImage": {
        "input": {"required": {"images": ["IMAGE"], "filename_prefix": ["STRING", {"default": "ComfyUI"}]}},
        "output": [],
        "output_node": True,
    },
}


class FakeSocket:
    """A websocket whose frames the fake server pushes."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[str | bytes | BaseException] = asyncio.Queue()
        self.closed = False

    async def recv(self) -> str | bytes:
        item = await self.frames.get()
        if isinstance(item, BaseException):
            raise item
        return item

    async def close(self) -> None:
        self.closed = True

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.closed = True


Script = Callable[["FakeComfy", str], list[Any]]


def success_script(fake: FakeComfy, prompt_id: str) -> list[Any]:
    """Frames of a successful run of PROMPT, plus history."""
    output = {"images": [{"filename": "t_00001_.png", "subfolder": "", "type": "output"}]}
    fake.history[prompt_id] = {
        "outputs": {"save": output},
        "status": {"status_str": "success", "messages": []},
    }
    frames: list[Any] = [
        {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 1}}}},
        {"type": "execution_start", "data": {"prompt_id": prompt_id}},
        {"type": "execution_cached", "data": {"nodes": [], "prompt_id": prompt_id}},
        b"\x00\x00\x00\x01\x00\x00\x00\x02preview-bytes",
        {"type": "executing", "data": {"node": "save", "prompt_id": prompt_id}},
        {"type": "progress", "data": {"value": 1, "max": 2, "node": "save", "prompt_id": prompt_id}},
        {"type": "executed", "data": {"node": "save", "output": output, "prompt_id": prompt_id}},
        {"type": "crystools.monitor", "data": {"cpu": 3}},
    ]
    if fake.upstream:
        frames.append({"type": "execution_success", "data": {"prompt_id": prompt_id}})
    frames.append({"type": "executing", "data": {"node": None, "prompt_id": prompt_id}})
    return frames


class FakeComfy:
    """A scripted ComfyUI: records requests, answers like the real server variants."""

    def __init__(self, *, upstream: bool = False, script: Script = success_script) -> None:
        self.upstream = upstream
        self.script = script
        self.requests: list[httpx.Request] = []
        self.history: dict[str, Any] = {}
        self.files: dict[str, bytes] = {"t_00001_.png": PNG}
        self.socket = FakeSocket()
        self.prompt_status = 200
        self.prompt_body: Any = None
        self.running: list[str] = []
        self.queued_prompts: list[dict[str, Any]] = []

    @property
    def prefix(self) -> str:
        return "/api" if self.upstream else ""

    def connector(self, url: str) -> FakeSocket:
        assert url.startswith("ws://comfy.test" + self.prefix + "/ws?clientId=")
        return self.socket

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if not path.startswith(self.prefix + "/"):
            return httpx.Response(404, text="404: Not Found")
        route = path.removeprefix(self.prefix)
        if route == "/system_stats":
            return httpx.Response(200, json={"system": {"os": "posix"}, "devices": []})
        if route == "/object_info":
            return httpx.Response(200, json=OBJECT_INFO)
        if route == "/upload/image":
            name = request.content.split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
            return httpx.Response(200, json={"name": name, "subfolder": "", "type": "input"})
        if route == "/prompt":
            return self._prompt(json.loads(request.content))
        if route == "/queue" and request.method == "GET":
            running = [[0, pid, {}, {}, []] for pid in self.running]
            return httpx.Response(200, json={"queue_running": running, "queue_pending": []})
        if route.startswith("/history/"):
            prompt_id = route.removeprefix("/history/")
            return httpx.Response(
                200, json={prompt_id: self.history[prompt_id]} if prompt_id in self.history else {}
            )
        if route == "/view":
            name = request.url.params["filename"]
            return (
                httpx.Response(200, content=self.files[name]) if name in self.files else httpx.Response(404)
            )
        if route in ("/interrupt", "/queue"):
            return httpx.Response(200)
        return httpx.Response(404)

    def _prompt(self, body: dict[str, Any]) -> httpx.Response:
        if self.prompt_body is not None:
            if isinstance(self.prompt_body, str):
                return httpx.Response(self.prompt_status, text=self.prompt_body)
            return httpx.Response(self.prompt_status, json=self.prompt_body)
        self.queued_prompts.append(body["prompt"])
        prompt_id = body["prompt_id"] if self.upstream else "server-made-id"
        self.running.append(prompt_id)
        for frame in self.script(self, prompt_id):
            self.socket.frames.put_nowait(
                frame if isinstance(frame, bytes | BaseException) else json.dumps(frame)
            )
        return httpx.Response(200, json={"prompt_id": prompt_id, "number": 0, "node_errors": {}})

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


async def run(fake: FakeComfy, tmp_path: Path, *, timeout: float = 5.0, **kwargs: Any) -> Any:
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as http:
        client = ComfyClient("http://comfy.test", http=http, connector=fake.connector)
        return await run_prompt(
            client, PROMPT, inputs={"photo.png": photo}, out_dir=tmp_path / "out", timeout=timeout, **kwargs
        )


@pytest.mark.parametrize("upstream", [False, True], ids=["local-2024", "upstream-api-prefix"])
async def test_run_prompt_succeeds_on_both_protocols(tmp_path: Path, upstream: bool) -> None:
    fake = FakeComfy(upstream=upstream)
    seen: list[str] = []
    result = await run(fake, tmp_path, on_event=lambda event: seen.append(event.type))
    assert result.success, result.diagnostics
    assert [(o.function_id, o.kind, o.filename) for o in result.outputs] == [
        ("save", "image", "t_00001_.png")
    ]
    assert (tmp_path / "out" / "save" / "t_00001_.png").read_bytes() == PNG
    assert "execution_start" in seen and "executed" in seen and "crystools.monitor" in seen
    assert result.timings.submit_to_start_s is not None and result.timings.finish_to_saved_s is not None
    sent = fake.queued_prompts[0]
    assert (
        sent["load"]["inputs"]["image"].startswith("photo_")
        and sent["load"]["inputs"]["image"] != "photo.png"
    )
    assert NONCE_INPUT in sent["save"]["inputs"] and NONCE_INPUT not in sent["invert"]["inputs"]
    assert fake.socket.closed
    expected_first = ["/system_stats"] if not upstream else ["/system_stats", "/api/system_stats"]
    assert fake.paths()[: len(expected_first)] == expected_first
    assert all(p.startswith("/api/") for p in fake.paths()[len(expected_first) :]) == upstream


async def test_client_prompt_id_is_used_only_when_echoed(tmp_path: Path) -> None:
    for upstream, expected in ((True, True), (False, False)):
        fake = FakeComfy(upstream=upstream)
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as http:
            client = ComfyClient("http://comfy.test", http=http, connector=fake.connector)
            prompt_id = await client.queue(PROMPT)
        assert client.accepts_client_prompt_id is expected
        assert (prompt_id == "server-made-id") is not expected


NODE_ERRORS_DICT = {
    "error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation"},
    "node_errors": {
        "invert": {
            "errors": [
                {
                    "type": "required_input_missing",
                    "message": "Required input is missing",
                    "details": "image",
                    "extra_info": {"input_name": "image"},
                }
            ],
            "dependent_outputs": ["save"],
            "class_type": "ImageInvert",
        }
    },
}
UNKNOWN_NODE_LIST = {
    "error": {
        "type": "invalid_prompt",
        "message": "Cannot execute because node NoSuchNode does not exist.",
        "details": "Node ID '#load'",
        "extra_info": {},
    },
    "node_errors": [],
}


@pytest.mark.parametrize(
    ("body", "kind", "function", "port"),
    [
        (NODE_ERRORS_DICT, DiagnosticKind.MISSING_INPUT, "invert", "image"),
        (UNKNOWN_NODE_LIST, DiagnosticKind.UNKNOWN_FUNCTION, "load", None),
        ({"error": "no prompt", "node_errors": []}, DiagnosticKind.SERVER_REJECTED, None, None),
    ],
    ids=["node-errors-dict", "node-errors-list", "string-error"],
)
async def test_400_becomes_diagnostics(
    tmp_path: Path, body: Any, kind: DiagnosticKind, function: str | None, port: str | None
) -> None:
    fake = FakeComfy()
    fake.prompt_status, fake.prompt_body = 400, body
    result = await run(fake, tmp_path)
    assert not result.success and result.prompt_id is None and result.outputs == []
    assert [(d.kind, d.function, d.port) for d in result.diagnostics] == [(kind, function, port)]
    assert json.loads(result.raw["error_body"]) == body


async def test_400_with_non_json_body_is_still_data(tmp_path: Path) -> None:
    fake = FakeComfy()
    fake.prompt_status, fake.prompt_body = 400, "<html>bad request</html>"
    result = await run(fake, tmp_path)
    assert [d.kind for d in result.diagnostics] == [DiagnosticKind.SERVER_REJECTED]
    assert "bad request" in result.diagnostics[0].message


async def test_malformed_prompt_answer_raises_protocol_error(tmp_path: Path) -> None:
    fake = FakeComfy()
    fake.prompt_status, fake.prompt_body = 200, "{not json"
    with pytest.raises(ComfyProtocolError) as caught:
        await run(fake, tmp_path)
    assert caught.value.body == "{not json"


async def test_prompt_answer_without_id_raises_protocol_error(tmp_path: Path) -> None:
    fake = FakeComfy()
    fake.prompt_status, fake.prompt_body = 200, {"number": 0}
    with pytest.raises(ComfyProtocolError, match="prompt_id"):
        await run(fake, tmp_path)


async def test_malformed_websocket_frame_raises_protocol_error(tmp_path: Path) -> None:
    fake = FakeComfy(script=lambda fake, pid: [b"\x00\x00\x00\x01"])
    fake.socket.frames.put_nowait("{oops")
    with pytest.raises(ComfyProtocolError, match="not JSON"):
        await run(fake, tmp_path)


def error_script(fake: FakeComfy, prompt_id: str) -> list[Any]:
    data = {
        "prompt_id": prompt_id,
        "node_id": "load",
        "node_type": "LoadImage",
        "exception_type": "UnidentifiedImageError",
        "exception_message": "cannot identify image file",
        "traceback": ['  File "nodes.py", line 1, in load\n', "    raise UnidentifiedImageError\n"],
    }
    fake.history[prompt_id] = {
        "outputs": {},
        "status": {"status_str": "error", "messages": [["execution_error", data]]},
    }
    return [
        {"type": "execution_start", "data": {"prompt_id": prompt_id}},
        {"type": "execution_error", "data": data},
        {"type": "executing", "data": {"node": None, "prompt_id": prompt_id}},
    ]


async def test_execution_error_becomes_a_diagnostic(tmp_path: Path) -> None:
    result = await run(FakeComfy(script=error_script), tmp_path)
    assert not result.success and result.outputs == []
    [diagnostic] = result.diagnostics
    assert (diagnostic.kind, diagnostic.function) == (DiagnosticKind.EXECUTION_ERROR, "load")
    assert (
        "LoadImage" in diagnostic.message and "UnidentifiedImageError: cannot identify" in diagnostic.message
    )
    assert diagnostic.hint == "last traceback line: raise UnidentifiedImageError"


async def test_success_without_files_is_a_no_outputs_failure(tmp_path: Path) -> None:
    def script(fake: FakeComfy, prompt_id: str) -> list[Any]:
        fake.history[prompt_id] = {"outputs": {}, "status": {"status_str": "success", "messages": []}}
        return [{"type": "executing", "data": {"node": None, "prompt_id": prompt_id}}]

    result = await run(FakeComfy(script=script), tmp_path)
    assert not result.success
    assert [d.kind for d in result.diagnostics] == [DiagnosticKind.NO_OUTPUTS]


async def test_history_poll_completes_when_events_are_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("anysym.executor.waiting.POLL_INTERVAL_S", 0.05)

    def script(fake: FakeComfy, prompt_id: str) -> list[Any]:
        success_script(fake, prompt_id)
        return []

    result = await run(FakeComfy(script=script), tmp_path)
    assert result.success and [o.filename for o in result.outputs] == ["t_00001_.png"]


async def test_timeout_interrupts_the_running_prompt(tmp_path: Path) -> None:
    fake = FakeComfy(script=lambda fake, pid: [{"type": "execution_start", "data": {"prompt_id": pid}}])
    with pytest.raises(ComfyTimeoutError, match="interrupted"):
        await run(fake, tmp_path, timeout=0.3)
    assert "/interrupt" in fake.paths()
    assert fake.socket.closed


async def test_a_websocket_closing_mid_run_falls_back_to_history(tmp_path: Path) -> None:
    def script(fake: FakeComfy, prompt_id: str) -> list[Any]:
        success_script(fake, prompt_id)  # the prompt runs to the end on the server, history included
        return [{"type": "execution_start", "data": {"prompt_id": prompt_id}}, ConnectionResetError("reset")]

    fake = FakeComfy(script=script)
    result = await run(fake, tmp_path)
    assert result.success and [o.function_id for o in result.outputs] == ["save"]
    assert "/history/server-made-id" in fake.paths()


async def test_a_websocket_closing_and_no_history_ends_at_the_deadline_with_an_interrupt(
    tmp_path: Path,
) -> None:
    def script(fake: FakeComfy, prompt_id: str) -> list[Any]:
        return [{"type": "execution_start", "data": {"prompt_id": prompt_id}}, ConnectionResetError("reset")]

    fake = FakeComfy(script=script)
    with pytest.raises(ComfyTimeoutError, match="interrupted"):
        await run(fake, tmp_path, timeout=0.5)
    assert "/interrupt" in fake.paths()


async def test_the_job_timeout_covers_the_uploads(tmp_path: Path) -> None:
    fake = FakeComfy()

    async def slow_uploads(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/upload/image"):
            await asyncio.sleep(5)
        return fake.handler(request)

    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    async with httpx.AsyncClient(transport=httpx.MockTransport(slow_uploads)) as http:
        client = ComfyClient("http://comfy.test", http=http, connector=fake.connector)
        with pytest.raises(ComfyTimeoutError, match="not ready within the 0.3 s"):
            await run_prompt(client, PROMPT, inputs={"photo.png": photo}, out_dir=tmp_path, timeout=0.3)
    assert fake.queued_prompts == []


async def test_connection_refused_raises_connection_error(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        client = ComfyClient("http://comfy.test", http=http)
        with pytest.raises(ComfyConnectionError, match="cannot reach the server .*; is ComfyUI up"):
            await client.system_stats()


async def test_read_timeout_raises_timeout_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
        with pytest.raises(ComfyTimeoutError):
            await ComfyClient("http://comfy.test", http=http).object_info()


async def test_a_trickling_answer_ends_at_the_total_deadline() -> None:
    """Every byte arrives well within the per-read timeout; only the whole exchange is too slow."""

    async def trickle() -> Any:
        for _ in range(200):
            await asyncio.sleep(0.02)
            yield b" "

    async def slow_body(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())

    timeout = httpx.Timeout(0.2, connect=0.1)
    assert total_deadline(timeout) == pytest.approx(0.3) and total_deadline(httpx.Timeout(None)) is None
    async with httpx.AsyncClient(transport=httpx.MockTransport(slow_body)) as http:
        client = ComfyClient("http://comfy.test", http=http)
        with pytest.raises(ComfyTimeoutError, match="did not finish within 0.3 s"):
            await client._send("GET", "http://comfy.test/object_info", timeout=timeout)


async def test_server_that_is_not_comfyui_is_a_protocol_error() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(404))) as http:
        with pytest.raises(ComfyProtocolError, match="is it a ComfyUI server"):
            await ComfyClient("http://comfy.test", http=http).queue(PROMPT)


async def test_hostile_output_names_stay_inside_the_run_dir(tmp_path: Path) -> None:
    names = ["../../escape.png", "..", "a/../../b.png", "..\\..\\win.png", "t_00001_.png", "t_00001_.png"]

    def script(fake: FakeComfy, prompt_id: str) -> list[Any]:
        items = [{"filename": name, "subfolder": "../..", "type": "output"} for name in names]
        items.append({"filename": "in.png", "subfolder": "", "type": "input"})
        fake.files.update(dict.fromkeys(names, b"x"))
        outputs = {"../save": {"images": items, "text": ["hello"]}}
        fake.history[prompt_id] = {"outputs": outputs, "status": {"status_str": "success", "messages": []}}
        return [{"type": "executing", "data": {"node": None, "prompt_id": prompt_id}}]

    result = await run(FakeComfy(script=script), tmp_path)
    out = (tmp_path / "out").resolve()
    paths = [o.path.resolve() for o in result.outputs]
    assert all(out in p.parents for p in paths)
    assert len(set(paths)) == len(paths) == len(names) + 1
    assert sorted(p.name for p in paths) == sorted(
        ["escape.png", "images.out", "b.png", "win.png", "t_00001_.png", "t_00001__1.png", "text.txt"]
    )
    assert {o.function_id for o in result.outputs} == {"../save"}
    assert {p.parent.name for p in paths} == {"save"}
    assert [o.kind for o in result.outputs if o.filename == "text.txt"] == ["text"]
    assert not (tmp_path / "escape.png").exists()


async def test_dangling_link_is_never_sent(tmp_path: Path) -> None:
    fake = FakeComfy()
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    bad = {**PROMPT, "save": {"class_type": "SaveImage", "inputs": {"images": ["missing_99", 0]}}}
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as http:
        client = ComfyClient("http://comfy.test", http=http, connector=fake.connector)
        result = await run_prompt(client, bad, inputs={"photo.png": photo}, out_dir=tmp_path, timeout=5)
    assert not result.success and fake.requests == []
    assert [(d.kind, d.function, d.port) for d in result.diagnostics] == [
        (DiagnosticKind.UNKNOWN_LINK_SOURCE, "save", "images")
    ]


@pytest.mark.parametrize(
    ("function", "port", "value", "kind"),
    [
        ("load", "image", "../../etc/passwd", DiagnosticKind.INVALID_INPUT_FILE),
        ("load", "image", "/etc/hostname", DiagnosticKind.INVALID_INPUT_FILE),
        ("save", "filename_prefix", "../../../tmp/x", DiagnosticKind.INVALID_OUTPUT_PATH),
    ],
)
async def test_paths_that_leave_the_servers_folders_are_never_sent_even_without_a_catalog(
    tmp_path: Path, function: str, port: str, value: str, kind: DiagnosticKind
) -> None:
    # The caller gave no catalog (as `execute --no-validate` once did): the executor reads the server's
    # own, so its guard never depends on whether anyone validated the prompt.
    fake = FakeComfy()
    node = PROMPT[function]
    hostile = {**PROMPT, function: {**node, "inputs": {**node["inputs"], port: value}}}
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as http:
        client = ComfyClient("http://comfy.test", http=http, connector=fake.connector)
        result = await run_prompt(client, hostile, inputs=None, out_dir=tmp_path, timeout=5)
    assert not result.success and result.raw["not_sent"] == "paths outside the server's folders"
    assert [(d.kind, d.function, d.port) for d in result.diagnostics] == [(kind, function, port)]
    assert fake.queued_prompts == [] and "/object_info" in fake.paths()
    assert not any(p.startswith("/upload") for p in fake.paths())
