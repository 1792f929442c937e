"""Servers the integration tests start themselves: a free port, a service process, a stand-in chat model.

`served` starts a command (`chroma run`, `langgraph dev`), waits until an HTTP probe answers 200 and
stops the process (its whole process group) afterwards. `chat_stand_in` is an OpenAI-compatible chat
endpoint that answers every request with one program and keeps the prompts: no model is needed to prove
where a run's services came from.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from anysym.services.process import free_port

__all__ = ["INVERT_PROGRAM", "ChatStandIn", "chat_stand_in", "free_port", "served"]

INVERT_PROGRAM = """```python
photo = LoadImage(image="photo.png")
inverted = ImageInvert(image=photo.IMAGE)
save = SaveImage(images=inverted.IMAGE, filename_prefix="inverted")
```"""
"""An answer that inverts photo.png: the stand-in's program where a test needs any valid one."""


@contextmanager
def served(
    command: list[str],
    probe_url: str,
    log_path: Path,
    *,
    timeout_s: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` until the block ends; fail the test if `probe_url` does not answer 200 in time."""
    log = log_path.open("wb")
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(env or os.environ),
        cwd=cwd,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-3000:]
                pytest.fail(f"{command[0]} exited: {tail}", pytrace=False)
            try:
                if httpx.get(probe_url, timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(
                f"{command[0]} did not answer within {timeout_s:g} s: "
                f"{log_path.read_text(errors='replace')[-3000:]}",
                pytrace=False,
            )
        yield process
    finally:
        _stop_group(process)
        log.close()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (servers such as `langgraph dev` fork workers), SIGKILL after 30 s."""
    for sig, wait_s in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


class ChatStandIn:
    """The stand-in's state: the program it answers with and the prompts it was sent."""

    def __init__(self, program: str) -> None:
        self.program = program
        self.prompts: list[str] = []
        self.url = ""
        """Its base URL (`http://127.0.0.1:PORT/v1`), set when it serves."""


@contextmanager
def chat_stand_in(program: str) -> Iterator[ChatStandIn]:
    """Serve an OpenAI-compatible `/v1/chat/completions` that answers every request with `program`."""
    state = ChatStandIn(program)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            state.prompts.append(json.dumps(body.get("messages", [])))
            message = {"role": "assistant", "content": state.program}
            answer = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "stand-in"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
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

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
