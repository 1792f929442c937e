"""LangSmith-compatible tracing receives the run tree, and every structlog event names the run.

The engine runs in a child process configured only through the standard environment variables
(`LANGSMITH_TRACING`, `LANGSMITH_ENDPOINT`, ...), as a user's deployment would be, against a local HTTP
endpoint standing in for the tracing API; the child flushes the tracer before it exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_shared_prefix import PHOTO, PSI1, PSI2, TASK

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "object_info_comfyui_0.0.1.json"
CHILD = """
import asyncio, json, sys
from pathlib import Path

import structlog
from langchain_core.tracers.langchain import wait_for_all_tracers

from anysym.graph.api import agenerate
from anysym.graph.deps import Deps
from anysym.graph.testing import FakeExecution, ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog

catalog_path, run_dir, task, photo, psi1, psi2 = sys.argv[1:]
structlog.configure(
    processors=[structlog.contextvars.merge_contextvars, structlog.processors.JSONRenderer()],
    logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
)
executor = ScriptedExecutor([FakeExecution()])
deps = Deps(llm=ScriptedLLM([psi1, psi2]), catalog=Catalog.load(catalog_path), executor=executor)
result = asyncio.run(agenerate(task, [photo], deps=deps, verify=False, run_dir=Path(run_dir)))
wait_for_all_tracers()
print(json.dumps({"run_id": result.run_id, "status": result.status}))
"""


class _Recorder(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, dict[str, str], bytes]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.requests.append((self.command, self.path, dict(self.headers), body))
        payload = b"{}" if not self.path.startswith("/info") else json.dumps({"version": "0.0.0"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def tracing_api() -> Iterator[tuple[str, list[tuple[str, str, dict[str, str], bytes]]]]:
    """A local endpoint standing in for the LangSmith API; yields its URL and what it received."""
    recorded: list[tuple[str, str, dict[str, str], bytes]] = []
    handler = type("Handler", (_Recorder,), {"requests": recorded})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", recorded
    finally:
        server.shutdown()
        server.server_close()


def _runs(recorded: list[tuple[str, str, dict[str, str], bytes]]) -> dict[str, dict[str, Any]]:
    """Every run the tracer sent (created, then updated), by run id, from JSON or multipart batches."""
    runs: dict[str, dict[str, Any]] = {}

    def add(item: dict[str, Any]) -> None:
        runs.setdefault(str(item["id"]), {}).update(item)

    for method, _, headers, body in recorded:
        if method == "GET" or not body:
            continue
        kind = headers.get("Content-Type", "")
        if kind.startswith("multipart/"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + body)
            for part in message.iter_parts():
                # post.<id> or patch.<id> holds the run; post.<id>.inputs, .outputs, .extra its fields
                _, run_id, *field = str(part.get_param("name", header="content-disposition")).split(".")
                value = json.loads(part.get_payload(decode=True))
                add(value if not field else {"id": run_id, field[0]: value})
        else:
            data = json.loads(body)
            for item in [data] if "id" in data else [*data.get("post", []), *data.get("patch", [])]:
                add(item)
    return runs


def test_a_run_reaches_the_tracing_api_as_a_tree_and_every_log_event_names_it(
    tracing_api: tuple[str, list[tuple[str, str, dict[str, str], bytes]]], tmp_path: Path
) -> None:
    url, recorded = tracing_api
    environment = {
        **os.environ,
        "LANGSMITH_TRACING": "true",
        "LANGSMITH_ENDPOINT": url,
        "LANGSMITH_API_KEY": "lsv2-test-key",
        "LANGSMITH_PROJECT": "anysym-tests",
        "LANGSMITH_DISABLE_RUN_COMPRESSION": "true",
    }
    arguments = [str(SNAPSHOT), str(tmp_path / "run"), TASK, str(PHOTO), PSI1, PSI2]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["status"] == "succeeded"

    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert len(events) >= 10 and all(event.get("run_id") == outcome["run_id"] for event in events)

    runs = _runs(recorded)
    [root] = [run for run in runs.values() if not run.get("parent_run_id")]
    assert root["extra"]["metadata"]["anysym_run_id"] == outcome["run_id"]
    children = {run["name"] for run in runs.values() if run.get("parent_run_id") == root["id"]}
    assert {"retrieve", "infer_components", "infer_topology", "compile", "execute"} <= children
    assert all(run.get("trace_id") == root["id"] for run in runs.values())
