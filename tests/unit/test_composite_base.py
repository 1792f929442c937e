"""Which picture is the base of a blend or paste (`anysym.verify.composite_base`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.flow import Flow
from anysym.language.syntax import parse
from anysym.verify.checks import check_static
from anysym.verify.composite_base import base_ports, check_composite_base, stated_bases
from anysym.verify.expectations import expect

_SUITES = Path(__file__).parents[2] / "bench" / "suites"

BLEND = """
workflow.add_node("a", "LoadImage", {{"image": "{first}"}})
workflow.add_node("b", "LoadImage", {{"image": "{second}"}})
workflow.add_node("mix", "ImageBlend", {{"blend_factor": 0.6, "blend_mode": "overlay"}})
workflow.add_node("save", "SaveImage", {{"filename_prefix": "out"}})
workflow.connect("a", "IMAGE", "mix", "image1")
workflow.connect("b", "IMAGE", "mix", "image2")
workflow.connect("mix", "IMAGE", "save", "images")
"""
PASTE = """
workflow.add_node("tex", "LoadImage", {{"image": "texture.png"}})
workflow.add_node("por", "LoadImage", {{"image": "portrait.png"}})
workflow.add_node("crop", "ImageCrop", {{"width": 64, "height": 64, "x": 32, "y": 32}})
workflow.add_node("paste", "ImageCompositeMasked", {{"x": 64, "y": 96, "resize_source": false}})
workflow.add_node("save", "SaveImage", {{"filename_prefix": "out"}})
workflow.connect("tex", "IMAGE", "crop", "image")
workflow.connect("{below}", "IMAGE", "paste", "destination")
workflow.connect("{above}", "IMAGE", "paste", "source")
workflow.connect("paste", "IMAGE", "save", "images")
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    for name in ("photo.png", "pattern.png", "texture.png", "portrait.png"):
        Image.new("RGB", (32, 24)).save(tmp_path / name)
    return {name: tmp_path / name for name in ("photo.png", "pattern.png", "texture.png", "portrait.png")}


def _blend(first: str, second: str) -> Flow:
    return parse(BLEND.format(first=first, second=second), "declarative")


@pytest.mark.parametrize(
    ("task", "names", "expected"),
    [
        (
            "Overlay pattern.png on photo.png (overlay mode).",
            ["photo.png", "pattern.png"],
            [("pattern", "photo")],
        ),
        (
            "Mix pattern.png into photo.png at equal strength.",
            ["photo.png", "pattern.png"],
            [("pattern", "photo")],
        ),
        ("Screen-blend portrait.png over photo.png.", ["photo.png", "portrait.png"], [("portrait", "photo")]),
        (
            "Cut a patch out of texture.png and paste it onto portrait.png at (64, 96).",
            ["texture.png", "portrait.png"],
            [("texture", "portrait")],
        ),
        ("Paste the cut-out onto portrait.png.", ["portrait.png"], [(None, "portrait")]),
        ("Blend photo.png and pattern.png evenly.", ["photo.png", "pattern.png"], []),
        ("Find the edges on photo.png.", ["photo.png"], []),  # "on" alone needs a file before it
        ("Paste photo.png onto file7.", ["photo.png"], []),  # "file7" written by the user: no input
        ("Place photo.png and its inverted copy side by side on a 512x192 canvas.", ["photo.png"], []),
    ],
)
def test_the_base_a_task_states(task: str, names: list[str], expected: list[tuple[str | None, str]]) -> None:
    def stem(name: str | None) -> str | None:
        return name.removesuffix(".png") if name else None

    assert [(stem(top), stem(base)) for top, base in stated_bases(task, names)] == expected


def test_base_ports_of_two_operand_functions(snapshot_catalog: Catalog) -> None:
    assert base_ports(snapshot_catalog["ImageBlend"]) == ("image1", "image2")
    assert base_ports(snapshot_catalog["ImageCompositeMasked"]) == ("destination", "source")
    assert base_ports(snapshot_catalog["MaskComposite"]) == ("destination", "source")
    assert base_ports(snapshot_catalog["ImageInvert"]) is None
    assert base_ports(snapshot_catalog["ImageBatch"]) is None  # side by side: no base


def test_a_blend_with_the_top_picture_as_its_base_fails(
    files: dict[str, Path], snapshot_catalog: Catalog
) -> None:
    task = expect(
        "Overlay pattern.png on photo.png with blend factor 0.6.", [files["photo.png"], files["pattern.png"]]
    )
    wrong = check_composite_base(_blend("pattern.png", "photo.png"), task, snapshot_catalog)
    assert [(d.kind, d.function, d.port) for d in wrong] == [
        (DiagnosticKind.VERIFICATION_FAILED, "mix", "image1")
    ]
    assert "pattern.png goes on top of photo.png" in wrong[0].message
    assert check_composite_base(_blend("photo.png", "pattern.png"), task, snapshot_catalog) == []
    assert [d.function for d in check_static(_blend("pattern.png", "photo.png"), task, snapshot_catalog)] == [
        "mix"
    ]


def test_the_base_is_followed_through_earlier_steps(
    files: dict[str, Path], snapshot_catalog: Catalog
) -> None:
    task = expect(
        "Cut the 64x64 patch at (32, 32) out of texture.png and paste it onto portrait.png at (64, 96).",
        [files["texture.png"], files["portrait.png"]],
    )
    swapped = parse(PASTE.format(below="crop", above="por"), "declarative")
    assert [d.port for d in check_composite_base(swapped, task, snapshot_catalog)] == ["destination"]
    right = parse(PASTE.format(below="por", above="crop"), "declarative")
    assert check_composite_base(right, task, snapshot_catalog) == []
    both_top = parse(PASTE.format(below="crop", above="crop"), "declarative")  # portrait.png feeds nothing
    assert [d.port for d in check_composite_base(both_top, task, snapshot_catalog)] == ["destination"]


def test_no_reference_solution_is_flagged(tmp_path: Path, snapshot_catalog: Catalog) -> None:
    """The 110 hand-written solutions of the cpu, fresh, unseen and heldout suites put each base right."""
    for suite in ("cpu", "fresh", "unseen", "heldout"):
        for task in json.loads((_SUITES / f"{suite}.json").read_text())["tasks"]:
            paths = [tmp_path / name for name in task["inputs"]]
            for path in paths:
                Image.new("RGB", (8, 8)).save(path)
            flow = parse((_SUITES / f"{suite}_solutions" / f"{task['id']}.alang").read_text(), "declarative")
            assert check_composite_base(flow, expect(task["instruction"], paths), snapshot_catalog) == [], (
                task["id"]
            )
