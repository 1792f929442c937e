"""Flow -> UI workflow: what the editor opens round-trips, and PNGs saved by ComfyUI give it back."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from anysym.errors import ALangSyntaxError
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.source_text import PNG_SIGNATURE, read_source
from anysym.language.syntax import parse
from anysym.language.ui_export import to_ui
from anysym.language.ui_workflow import from_ui

SOLUTIONS = Path(__file__).resolve().parents[2] / "bench" / "suites" / "cpu_solutions"


def _cpu_catalog() -> Catalog:
    path = SOLUTIONS.parent / "catalogs" / "core_comfyui_0.0.1.json"
    return Catalog.from_object_info(json.loads(path.read_text()))


@pytest.mark.parametrize("solution", sorted(SOLUTIONS.glob("*.alang")), ids=lambda p: p.stem)
def test_every_cpu_solution_round_trips_through_the_ui_format(solution: Path) -> None:
    catalog = _cpu_catalog()
    flow = parse(solution.read_text(), "declarative")
    ui = json.loads(json.dumps(to_ui(flow, catalog)))
    back = from_ui(ui, catalog)
    assert set(back.functions) == set(flow.functions)  # ids come back from the nodes' properties
    assert to_api(back, catalog) == to_api(flow, catalog)
    boxes = [(n["pos"][0], n["pos"][1], n["size"][0], n["size"][1]) for n in ui["nodes"]]
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y, "nodes overlap"
    columns = {n["title"]: n["pos"][0] for n in ui["nodes"]}
    for link in flow.links:
        assert columns[link.source] < columns[link.target]


def test_widget_values_follow_the_frontend_layout() -> None:
    catalog = _cpu_catalog()
    flow = parse(
        'workflow.add_node("mask", "LoadImageMask", {"image": "mask.png", "channel": "red"})\n'
        'workflow.add_node("img", "MaskToImage")\n'
        'workflow.add_node("save", "SaveImage", {"filename_prefix": "m"})\n'
        'workflow.connect("mask", "MASK", "img", "mask")\n'
        'workflow.connect("img", "IMAGE", "save", "images")\n',
        "declarative",
    )
    nodes = {n["title"]: n for n in to_ui(flow, catalog)["nodes"]}
    assert nodes["mask"]["widgets_values"] == ["mask.png", "red", "image"]  # upload button after required
    assert nodes["save"]["inputs"] == [{"name": "images", "type": "IMAGE", "link": 2}]
    assert nodes["mask"]["outputs"][0]["links"] == [1]


def test_a_seed_gets_its_control_value_and_is_read_back(snapshot_catalog: Catalog) -> None:
    flow = parse('workflow.add_node("s", "KSampler", {"seed": 7, "steps": 3})\n', "declarative")
    [node] = to_ui(flow, snapshot_catalog)["nodes"]
    assert node["widgets_values"][:3] == [7, "fixed", 3]
    assert from_ui({"nodes": [node], "links": []}, snapshot_catalog).functions["s"].params["steps"] == 3


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = PNG_SIGNATURE
    for kind, body in [*chunks, (b"IEND", b"")]:
        out += struct.pack(">I4s", len(body), kind) + body + struct.pack(">I", zlib.crc32(kind + body))
    return out


def test_a_png_saved_by_comfyui_gives_its_workflow(tmp_path: Path) -> None:
    png = tmp_path / "out.png"
    png.write_bytes(_png([(b"tEXt", b'prompt\0{"1": {}}'), (b"tEXt", b'workflow\0{"nodes": []}')]))
    assert read_source(png) == '{"nodes": []}'
    compressed = tmp_path / "z.png"
    compressed.write_bytes(_png([(b"iTXt", b"prompt\0\x01\x00\0\0" + zlib.compress(b'{"2": {}}'))]))
    assert read_source(compressed) == '{"2": {}}'
    plain = tmp_path / "plain.png"
    plain.write_bytes(_png([(b"tEXt", b"Software\0x")]))
    with pytest.raises(ALangSyntaxError, match="without a ComfyUI workflow"):
        read_source(plain)
