"""A built wheel, installed with pip into a fresh virtualenv, works from any directory.

The wheel is built from this checkout; the virtualenv sees the already installed dependencies
(`--system-site-packages`, so nothing is downloaded) but imports anysym from the wheel. With an empty
anysym home, `search` must build its index from the wheel's own reference programs and tokenizer;
`validate` and `convert` read a flow; `run` compiles a task with a stand-in chat model against the real
local ComfyUI's catalog.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import ComfyServer
from tests.integration.services import ChatStandIn, chat_stand_in

REPO = Path(__file__).resolve().parents[2]
_NOT_SOURCES = (
    ".git",
    "build",
    "dist",
    "*.egg-info",
    ".*_cache",
    ".hypothesis",
    "__pycache__",
    ".benchmarks",
)
FLOW = """workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("negative", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "negative"})
workflow.connect("photo", "IMAGE", "negative", "image")
workflow.connect("negative", "IMAGE", "save", "images")
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the wheel of this checkout installed by pip (dependencies seen from the system)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"  # a copy: an in-tree build would reuse the checkout's stale build/ folder
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(*_NOT_SOURCES))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (base / "dist").glob("anysym-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(base / "venv")], check=True)
    python = base / "venv" / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check", str(wheel)]
    installed = subprocess.run(pip, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return base / "venv"


@pytest.fixture(scope="module")
def chat() -> Iterator[ChatStandIn]:
    with chat_stand_in(f"```\n{FLOW}```") as stand_in:
        yield stand_in


def _anysym(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANYSYM_", "PYTHON"))}
    env |= {"ANYSYM_HOME": str(cwd / "home")}  # empty: nothing built by the checkout's install
    done = subprocess.run(
        [str(venv / "bin" / "anysym"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def test_the_wheel_is_what_the_virtualenv_imports(venv: Path, tmp_path: Path) -> None:
    code = "import anysym, pathlib; print(pathlib.Path(anysym.__file__).resolve())"
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert Path(where.stdout.strip()).is_relative_to(venv.resolve())


def test_search_builds_its_index_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    done = _anysym(venv, ["search", "turn my photo into its negative", "--json", "-k", "3"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    hits = [hit["id"] for hit in json.loads(done.stdout)]
    assert any("invert" in hit for hit in hits), hits


def test_validate_and_convert_read_a_flow(venv: Path, tmp_path: Path) -> None:
    flow = tmp_path / "negative.declarative"
    flow.write_text(FLOW, encoding="utf-8")
    catalog = str(REPO / "tests" / "data" / "object_info_comfyui_0.0.1.json")
    checked = _anysym(venv, ["validate", str(flow), "--catalog", catalog], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    converted = _anysym(venv, ["convert", str(flow), "--to", "api", "--catalog", catalog], tmp_path)
    assert converted.returncode == 0, converted.stderr[-3000:]
    assert json.loads(converted.stdout)["negative"]["class_type"] == "ImageInvert"


def test_run_compiles_a_task_from_the_wheel(
    venv: Path, tmp_path: Path, comfy_server: ComfyServer, chat: ChatStandIn
) -> None:
    (tmp_path / "photo.png").write_bytes((REPO / "examples" / "photo.png").read_bytes())
    args = ["run", "Invert the colours of photo.png.", "--input", "photo.png", "--base-url", chat.url]
    args += ["--model", "stand-in", "--one-step", "--dry-run", "--server", comfy_server.url, "--out", "run"]
    done = _anysym(venv, args, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "run" / "result.json").read_text(encoding="utf-8"))
    assert result["status"] == "succeeded" and result["api"]["negative"]["class_type"] == "ImageInvert"
