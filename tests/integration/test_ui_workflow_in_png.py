"""A PNG the real ComfyUI saves for an anysym flow carries its UI workflow, and the flow reads back out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.source_text import load_json, read_source
from anysym.language.syntax import parse
from anysym.language.ui_workflow import from_ui
from tests.integration.conftest import saved_png

PROGRAM = (
    'workflow.add_node("canvas", "EmptyImage", {"width": 32, "height": 24, "color": 16711680})\n'
    'workflow.add_node("inverted", "ImageInvert")\n'
    'workflow.add_node("save", "SaveImage", {"filename_prefix": "ui_png"})\n'
    'workflow.connect("canvas", "IMAGE", "inverted", "image")\n'
    'workflow.connect("inverted", "IMAGE", "save", "images")\n'
)


async def test_a_saved_png_reopens_as_the_same_flow(
    comfy_server: Any, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    flow = parse(PROGRAM, "declarative")
    prompt = to_api(flow, comfy_catalog)
    png = await saved_png(flow, comfy_server, comfy_catalog, tmp_path / "out")
    back = from_ui(load_json(read_source(png)), comfy_catalog)
    assert set(back.functions) == {"canvas", "inverted", "save"}
    assert to_api(back, comfy_catalog) == prompt
