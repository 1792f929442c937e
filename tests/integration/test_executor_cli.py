"""`anysym execute`, `anysym catalog pull`, `anysym comfy status|serve` against the real local ComfyUI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from anysym.cli import _register_all, app
from anysym.language.catalog import Catalog

runner = CliRunner()
_register_all()

FLOW = """
photo = LoadImage(image="tiny.png")
negative = ImageInvert(image=photo)
save = SaveImage(images=negative, filename_prefix="exec_cli")
"""


@pytest.fixture
def env(comfy_server: Any) -> dict[str, str]:
    return {"ANYSYM_HOME": str(comfy_server.local.paths.home)}


def test_execute_runs_a_flow_and_saves_outputs(comfy_server: Any, tmp_path: Path) -> None:
    pixels = np.random.default_rng(5).integers(0, 256, (12, 20, 3), dtype=np.uint8)
    Image.fromarray(pixels, "RGB").save(tmp_path / "tiny.png")
    flow = tmp_path / "flow.dataflow"
    flow.write_text(FLOW, encoding="utf-8")
    out = tmp_path / "run"
    args = ["execute", str(flow), "--server", comfy_server.url, "--input", str(tmp_path / "tiny.png")]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    [saved] = list((out / "save").iterdir())
    assert f"save: {saved}" in result.stdout.replace("\n", "")
    got = np.asarray(Image.open(saved).convert("RGB")).astype(np.int16)
    assert np.abs(got - (255 - pixels.astype(np.int16))).max() <= 1  # SaveImage truncates float -> uint8


def test_executed_pictures_carry_the_flow_as_a_workflow(
    comfy_server: Any, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    """`anysym execute` sends the flow's UI workflow, so a saved PNG reopens in the editor (and here)."""
    from anysym.language.source_text import load_json, read_source
    from anysym.language.ui_workflow import from_ui

    Image.new("RGB", (8, 6), (10, 200, 30)).save(tmp_path / "tiny.png")
    flow = tmp_path / "flow.dataflow"
    flow.write_text(FLOW, encoding="utf-8")
    out = tmp_path / "run"
    args = ["execute", str(flow), "--server", comfy_server.url, "--input", str(tmp_path / "tiny.png")]
    assert runner.invoke(app, [*args, "--out", str(out)]).exit_code == 0
    [saved] = list((out / "save").iterdir())
    back = from_ui(load_json(read_source(saved)), comfy_catalog)
    assert {f.type for f in back.functions.values()} == {"LoadImage", "ImageInvert", "SaveImage"}


def test_execute_reports_diagnostics_and_fails(comfy_server: Any, tmp_path: Path) -> None:
    flow = tmp_path / "bad.dataflow"
    flow.write_text(FLOW.replace("ImageInvert", "ImageInvrt"), encoding="utf-8")
    result = runner.invoke(app, ["execute", str(flow), "--server", comfy_server.url])
    assert result.exit_code == 1
    assert "error[unknown_function] negative" in result.output and "ImageInvert" in result.output


def test_execute_refuses_paths_outside_the_server_folders_even_unvalidated(
    comfy_server: Any, tmp_path: Path
) -> None:
    """The 2024 server reads `LoadImage` files from anywhere on its machine: the executor's own guard
    refuses such a prompt before sending it, whatever `--no-validate` says."""
    flow = tmp_path / "escape.dataflow"
    escaping = FLOW.replace('"tiny.png"', '"/etc/hosts"').replace('"exec_cli"', '"../../escape"')
    flow.write_text(escaping, encoding="utf-8")
    history_before = len(httpx.get(f"{comfy_server.url}/history", timeout=30).json())
    out = tmp_path / "run"
    args = ["execute", str(flow), "--server", comfy_server.url, "--no-validate", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "error[invalid_input_file] photo.image" in result.output
    assert "error[invalid_output_path] save.filename_prefix" in result.output
    assert len(httpx.get(f"{comfy_server.url}/history", timeout=30).json()) == history_before
    assert not out.exists() or not any(out.rglob("*.png"))


def test_catalog_pull_saves_object_info(comfy_server: Any, tmp_path: Path) -> None:
    out = tmp_path / "catalog" / "object_info.json"
    result = runner.invoke(app, ["catalog", "pull", "--server", comfy_server.url, "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = json.loads(out.read_text(encoding="utf-8"))
    assert len(info) >= 244 and "ImageBlend" in info


def test_comfy_status_and_idempotent_serve(env: dict[str, str], comfy_server: Any) -> None:
    status = runner.invoke(app, ["comfy", "status"], env=env)
    assert status.exit_code == 0 and f"running at {comfy_server.url}" in status.stdout.replace("\n", "")
    serve = runner.invoke(app, ["comfy", "serve"], env=env)
    assert serve.exit_code == 0 and serve.stdout.strip() == comfy_server.url
    assert comfy_server.local.catalog_path.is_file()
