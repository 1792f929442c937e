"""`anysym index`, `search` and `run` use the Chroma server `ANYSYM_CHROMA_URL` names.

A real `chroma run` server started here, a stand-in OpenAI-compatible chat endpoint that answers every
request with one program (no model needed to prove where the examples came from), and the CLI in a child
process, as a user runs it. A library that changes is re-indexed on the server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings
from PIL import Image

from anysym.retriever.store import COLLECTION
from tests.integration.services import INVERT_PROGRAM, ChatStandIn, chat_stand_in, free_port, served

START_TIMEOUT_S = 90.0


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server of this test's own (`chroma run` from the installed chromadb), stopped after."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        pytest.fail("the `chroma` command of the chromadb package is not installed", pytrace=False)
    port = free_port()
    data = tmp_path_factory.mktemp("chroma_server")
    command = [executable, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with served(command, f"{url}/api/v2/heartbeat", data / "server.log", timeout_s=START_TIMEOUT_S):
        yield url


@pytest.fixture
def chat() -> Iterator[ChatStandIn]:
    with chat_stand_in(INVERT_PROGRAM) as stand_in:
        yield stand_in


def _run_cli(args: list[str], chroma: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANYSYM_CHROMA_URL": chroma, "ANYSYM_EMBEDDING": "offline"}
    command = [sys.executable, "-c", "from anysym.cli import main; main()", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)


def _collections(url: str) -> dict[str, int]:
    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False))
    return {c.name: client.get_collection(c.name).count() for c in client.list_collections()}


def test_run_retrieves_from_the_chroma_server_the_environment_names(
    chroma_url: str, chat: ChatStandIn, tmp_path: Path
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
            chat.url,
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
    assert result["examples"] and chat.prompts  # programs retrieved (from the server) and asked
    # the server was empty: the run built the indexes there, and the embedded store was not what it read


COLOUR_MAP = """# title: Thermal false colours
# category: image-editing
# inputs: image
# outputs: image
# description: Paints a photo in thermal-camera false colours (ImageApplyColorMap).
# use when: make my photo look like a thermal camera picture
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("thermal", "ImageApplyColorMap", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "thermal"})
workflow.connect("photo", "IMAGE", "thermal", "image")
workflow.connect("thermal", "IMAGE", "save", "images")
"""


def _top_hit(query: str, library: Path, chroma: str, cwd: Path) -> str:
    found = _run_cli(["search", query, "--library", str(library), "--json", "-k", "1"], chroma, cwd)
    assert found.returncode == 0 and "Traceback" not in found.stderr, found.stderr[-3000:]
    return str(json.loads(found.stdout)[0]["id"])


def test_index_and_search_use_the_server_and_rebuild_it_when_the_library_changes(
    chroma_url: str, tmp_path: Path
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "my_sharpen.alang").write_text(
        (Path(__file__).parents[2] / "reference_programs" / "programs" / "sharpen_image.alang").read_text(),
        encoding="utf-8",
    )
    built = _run_cli(["index", "--library", str(library)], chroma_url, tmp_path)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr[-3000:]
    before = _collections(chroma_url)[COLLECTION]
    assert _top_hit("make my photo look like a thermal camera picture", library, chroma_url, tmp_path) != (
        "thermal_colours"
    )

    (library / "thermal_colours.alang").write_text(COLOUR_MAP, encoding="utf-8")  # the library changes
    assert _top_hit("make my photo look like a thermal camera picture", library, chroma_url, tmp_path) == (
        "thermal_colours"
    )
    assert _collections(chroma_url)[COLLECTION] > before  # rebuilt on the server, not in a local store


def test_a_chroma_server_that_is_down_is_one_line(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    done = _run_cli(["search", "invert a photo"], down, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"cannot open the Chroma store at {down}" in done.stderr
