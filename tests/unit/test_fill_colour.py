"""The fill-colour check: a task without inputs asking for a plain picture of one colour, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from anysym.graph.result import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.flow import Flow, Function, Link
from anysym.verify.checks import check_outputs
from anysym.verify.expectations import expect

CANVAS = Flow.build(
    {
        "canvas": Function(type="EmptyImage", params={"width": 200, "height": 100, "color": 0xFF0000}),
        "step": Function(type="ImageInvert", params={}),
        "save": Function(type="SaveImage", params={"filename_prefix": "x"}),
    },
    [
        Link(source="canvas", output="IMAGE", target="step", input="image"),
        Link(source="step", output="IMAGE", target="save", input="images"),
    ],
)


def _saved(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> OutputFile:
    path = tmp_path / name
    Image.new("RGB", (200, 100), colour).save(path)
    return OutputFile(function_id="save", path=path, kind="image", filename=name)


@pytest.mark.parametrize(
    ("task", "inputs", "colour"),
    [
        ("Create a 200x100 image filled with pure red and save it.", [], 0xFF0000),
        ("Generate a plain blue picture, 120 pixels wide and 80 pixels high.", [], 0x0000FF),
        ("Make a 64x64 black canvas.", [], 0x000000),
        ("Create an image filled with RGB (250, 217, 64).", [], 0xFAD940),
        ("Create a 64x64 image with a red square on a white background.", [], None),  # two colours
        ("Paint a red fox in the snow.", [], None),  # no fill asked
        ("Fill the white disc of mask.png with pure red.", ["mask.png"], None),  # made from an input
        ("Make a grayscale image from the red channel.", [], None),  # a channel, not a colour
    ],
)
def test_a_fill_colour_is_expected_only_for_a_plain_picture_without_inputs(
    task: str, inputs: list[str], colour: int | None, tmp_path: Path
) -> None:
    files = [tmp_path / name for name in inputs]
    for path in files:
        Image.new("RGB", (8, 8)).save(path)
    assert expect(task, files).fill_colour == colour


def test_a_picture_of_another_colour_fails_and_the_stated_colour_passes(
    tmp_path: Path, snapshot_catalog: Catalog
) -> None:
    expectations = expect("Create a 200x100 image filled with pure red and save it.", [])
    cyan = _saved(tmp_path, "cyan.png", (0, 255, 255))
    [found] = check_outputs(CANVAS, [cyan], expectations, snapshot_catalog)
    assert (found.kind, found.function, found.port) == (DiagnosticKind.VERIFICATION_FAILED, "save", "images")
    assert "RGB (0, 255, 255)" in found.message and "RGB (255, 0, 0)" in found.message
    assert "color=16711680" in (found.hint or "")
    near_red = _saved(tmp_path, "red.png", (230, 20, 30))
    assert check_outputs(CANVAS, [near_red], expectations, snapshot_catalog) == []
    assert check_outputs(CANVAS, [cyan, near_red], expectations, snapshot_catalog) == []  # one is enough
