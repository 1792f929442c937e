"""`anysym run` retrieves from the Chroma server `ANYSYM_CHROMA_URL` names, like `anysym search`.

A real `chroma run` server started here, a stand-in OpenAI-compatible chat endpoint that answers every
request with one program (no model needed to prove where the examples came from), and the CLI in a child
process, as a user runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import chromadb
import httpx
import pytest
from chromadb.config import Settings
from PIL import Image

PROGRAM = """```python
photo = LoadImage(image="photo.png")
inverted = ImageInvert(image=photo.IMAGE)
save = SaveImage(images=inverted.IMAGE, filename_prefix="inverted")
```"""
START_TIMEOUT_S = 90.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server of this test's own (`chroma run` from the installed chromadb), stopped after."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        pytest.fail("the `chroma` command of the chromadb package is not installed", pytrace=False)
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma_server")
    log = (data / "server.log").open("wb")
    server = subprocess.Popen(
        [executable, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"chroma run exited: {(data / 'server.log').read_text()[-2000:]}", pytrace=False)
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail(f"chroma run did not answer within {START_TIMEOUT_S:g} s", pytrace=False)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


class _ChatHandler(BaseHTTPRequestHandler):
    """Answer every chat completion with `PROGRAM` and keep the prompts."""

    prompts: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        self.prompts.append(json.dumps(body.get("messages", [])))
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "stand-in"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": PROGRAM}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def chat_url() -> Iterator[str]:
    """The stand-in chat endpoint's base URL (`.../v1`)."""
    _ChatHandler.prompts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _run_cli(args: list[str], chroma: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANYSYM_CHROMA_URL": chroma, "ANYSYM_EMBEDDING": "offline"}
    command = [sys.executable, "-c", "from anysym.cli import main; main()", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)


def _collections(url: str) -> dict[str, int]:
    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False))
    return {c.name: client.get_collection(c.name).count() for c in client.list_collections()}


def test_run_retrieves_from_the_chroma_server_the_environment_names(
    chroma_url: str, chat_url: str, tmp_path: Path
) -> None:
    assert _collections(chroma_url) == {}
    photo = tmp_path / "photo.png"
    Image.new("RGB", (32, 24), (200, 40, 40)).save(photo)
    done = _run_cli(
        [
            "run",
            "Invert the colours of photo.png.",
            "--input",
            str(photo),
            "--base-url",
            chat_url,
            "--model",
            "stand-in",
            "--one-step",
            "--dry-run",
            "--out",
            str(tmp_path / "run"),
        ],
        chroma_url,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    stored = _collections(chroma_url)
    assert len(stored) >= 2 and all(count > 0 for count in stored.values())  # programs and node types
    result = json.loads((tmp_path / "run" / "result.json").read_text(encoding="utf-8"))
    assert result["examples"] and _ChatHandler.prompts  # programs retrieved (from the server) and asked
    # the server was empty: the run built the indexes there, and the embedded store was not what it read


def test_a_chroma_server_that_is_down_is_one_line(chat_url: str, tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{_free_port()}"
    done = _run_cli(["search", "invert a photo"], down, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"cannot open the Chroma store at {down}" in done.stderr
