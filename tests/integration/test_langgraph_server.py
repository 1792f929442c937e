"""The graph served by a real LangGraph API server (`langgraph dev` on langgraph.json), driven by its client.

The server is started here from the repository's own langgraph.json, with a stand-in chat model (its one
program is what the run must have used) and the managed local ComfyUI executing. Through the official
client (`langgraph-sdk`) a thread is created, a run streams its node updates and pauses at review, the
flow is edited and the run resumed on a restarted server, and the final state holds the edited flow's
outputs. The server's dev mode raises on any blocking call on its event loop, so this also proves the
nodes keep file work off it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient
from PIL import Image

from anysym.graph.build import GRAPH_NAME
from tests.integration.conftest import ComfyServer
from tests.integration.services import INVERT_PROGRAM, ChatStandIn, chat_stand_in, free_port, served

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 180.0


@pytest.fixture(scope="module")
def chat() -> Iterator[ChatStandIn]:
    with chat_stand_in(INVERT_PROGRAM) as stand_in:
        yield stand_in


@pytest.fixture
def dev_server(
    chat: ChatStandIn, comfy_server: ComfyServer, tmp_path: Path
) -> Callable[[], AbstractContextManager[SyncLangGraphClient]]:
    """A context manager that starts `langgraph dev` on this repository's langgraph.json and gives its client.

    Each start takes a new port but the same folder, where the dev server keeps its state; the server
    stops when the block ends.
    """
    executable = shutil.which("langgraph", path=str(Path(sys.executable).parent)) or shutil.which("langgraph")
    if executable is None:
        pytest.fail("no `langgraph` command: ./scripts/setup.sh installs anysym[server]", pytrace=False)
    env = {
        **os.environ,
        "ANYSYM_LLM_BASE_URL": chat.url,
        "ANYSYM_LLM_MODEL": "stand-in",
        "ANYSYM_COMFY_URL": comfy_server.url,
        "ANYSYM_EMBEDDING": "offline",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
    }
    home = tmp_path / "server"
    home.mkdir()

    @contextmanager
    def running() -> Iterator[SyncLangGraphClient]:
        port = free_port()
        command = [executable, "dev", "--no-browser", "--no-reload", "--port", str(port)]
        command += ["--config", str(REPO / "langgraph.json")]
        url = f"http://127.0.0.1:{port}"
        log = home / f"server-{port}.log"
        with (
            served(command, f"{url}/ok", log, timeout_s=START_TIMEOUT_S, env=env, cwd=home),
            get_sync_client(url=url, timeout=300.0) as client,
        ):
            yield client

    return running


def _stream(client: SyncLangGraphClient, thread_id: str, **run: Any) -> list[dict[str, Any]]:
    """Stream one run's node updates; fail on an error event."""
    updates: list[dict[str, Any]] = []
    for part in client.runs.stream(thread_id, GRAPH_NAME, stream_mode="updates", **run):
        assert part.event != "error", part.data
        if part.event == "updates":
            updates.append(part.data)
    return updates


def test_a_served_run_pauses_at_review_and_resumes_with_an_edited_flow_after_a_restart(
    dev_server: Callable[[], AbstractContextManager[SyncLangGraphClient]], chat: ChatStandIn, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (32, 24), (200, 40, 40)).save(photo)
    run_dir = tmp_path / "run"  # on the server's machine: the run's artifacts, as `anysym run --out` writes
    context = {"model": "stand-in", "one_step": True, "review": True, "run_dir": str(run_dir)}

    with dev_server() as client:
        thread_id = client.threads.create()["thread_id"]
        updates = _stream(
            client,
            thread_id,
            input={"task": "Invert the colours of photo.png.", "inputs": [str(photo)], "key_functions": []},
            context=context,
        )
        nodes = [name for update in updates for name in update]
        assert nodes[0] == "retrieve" and "compile" in nodes and nodes[-1] == "__interrupt__"
        [paused] = updates[-1]["__interrupt__"]
        assert "ImageInvert" in paused["value"]["flow"] and chat.prompts  # the stand-in's program, compiled

    with dev_server() as client:  # a restarted server still holds the paused thread
        assert client.threads.get_state(thread_id)["next"] == ["review"]
        edited = paused["value"]["flow"].replace(
            '"filename_prefix": "inverted"', '"filename_prefix": "edited"'
        )
        assert edited != paused["value"]["flow"]
        resumed = _stream(client, thread_id, command={"resume": edited}, context=context)
        assert [name for update in resumed for name in update][-1] == "finalize"
        final = client.threads.get_state(thread_id)

    assert final["next"] == []
    result = final["values"]["result"]
    assert result["status"] == "succeeded", result.get("error")
    assert '"filename_prefix": "edited"' in result["texts"]["declarative"]
    [output] = result["outputs"]
    saved = Path(output["path"])
    assert (
        saved.parent == run_dir / "outputs" / "save" and saved.name.startswith("edited") and saved.is_file()
    )
    assert json.loads((run_dir / "result.json").read_text(encoding="utf-8"))["status"] == "succeeded"
    with Image.open(saved) as image:
        pixel = image.getpixel((0, 0))
    assert isinstance(pixel, tuple) and all(
        abs(a - b) <= 1 for a, b in zip(pixel, (55, 215, 215), strict=True)
    )
