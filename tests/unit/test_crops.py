"""A region cut out of an input file must be cropped, not resized whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.syntax import parse
from anysym.verify.crops import asks_region, check_crop, is_crop
from anysym.verify.expectations import expect

_SUITES = Path(__file__).resolve().parents[2] / "bench" / "suites"
_NAMES = ["portrait.png", "photo.png"]


@pytest.mark.parametrize(
    ("task", "asked"),
    [
        ("Cut out the central 96x96 square of portrait.png.", True),
        ("Take the 64x64 square in the top-left corner of portrait.png.", True),
        ("Grab the 80x60 corner at the bottom right of photo.png.", True),
        ("Crop photo.png to its left half.", True),
        ("Cut the 64x64 patch at (32, 32) out of portrait.png and paste it onto photo.png.", True),
        ("Resize photo.png to 64x64.", False),
        ("Place a 32x32 red square in the top-left corner of photo.png.", False),  # put on, not cut out
        ("Make a 64x64 square image of portrait.png.", False),
        ("A 96x96 square image filled with red.", False),
    ],
)
def test_what_asks_for_a_region(task: str, asked: bool) -> None:
    assert asks_region(task, _NAMES) is asked


def test_crop_functions_take_a_position_and_a_size(snapshot_catalog: Catalog) -> None:
    assert is_crop(snapshot_catalog["ImageCrop"]) and is_crop(snapshot_catalog["CropMask"])
    assert not is_crop(snapshot_catalog["ImageScale"])
    assert not is_crop(snapshot_catalog["ImageCompositeMasked"])  # a position, no size: a paste


def _chain(step: str, params: dict[str, object]) -> Flow:
    return Flow.build(
        {
            "source": Function(type="LoadImage", params={"image": "portrait.png"}),
            "step": Function(type=step, params=params),  # type: ignore[arg-type]
            "save": Function(type="SaveImage", params={"filename_prefix": "x"}),
        },
        [
            Link(source="source", output="IMAGE", target="step", input="image"),
            Link(source="step", output="IMAGE", target="save", input="images"),
        ],
    )


def test_a_resize_where_a_region_is_cut_out_is_reported(snapshot_catalog: Catalog, tmp_path: Path) -> None:
    Image.new("RGB", (192, 256)).save(tmp_path / "portrait.png")
    expectations = expect("Cut out the central 96x96 square of portrait.png.", [tmp_path / "portrait.png"])
    resized = _chain(
        "ImageScale", {"upscale_method": "bilinear", "width": 96, "height": 96, "crop": "disabled"}
    )
    [found] = check_crop(resized, expectations, snapshot_catalog)
    assert found.function == "step" and found.is_error
    assert found.message == (
        "the task cuts a region out of an input file, but step (ImageScale) resizes the whole picture and no "
        "function of the flow crops"
    )
    cropped = _chain("ImageCrop", {"width": 96, "height": 96, "x": 48, "y": 80})
    assert check_crop(cropped, expectations, snapshot_catalog) == []
    centre_cut = _chain(
        "ImageScale", {"upscale_method": "bilinear", "width": 96, "height": 96, "crop": "center"}
    )
    assert check_crop(centre_cut, expectations, snapshot_catalog) == []


def test_no_reference_solution_is_reported(snapshot_catalog: Catalog, tmp_path: Path) -> None:
    """Every hand-written solution of the four suites that cuts a region out has a crop, and no other
    is asked for one; at least the known region tasks are recognised."""
    asked = []
    for suite in ("cpu", "fresh", "unseen", "heldout"):
        for task in json.loads((_SUITES / f"{suite}.json").read_text())["tasks"]:
            paths = [tmp_path / name for name in task["inputs"]]
            for path in paths:
                if not path.exists():
                    Image.new("RGB", (64, 48)).save(path)
            flow = parse((_SUITES / f"{suite}_solutions" / f"{task['id']}.alang").read_text(), "declarative")
            expectations = expect(task["instruction"], paths)
            assert check_crop(flow, expectations, snapshot_catalog) == [], (suite, task["id"])
            if asks_region(task["instruction"], task["inputs"]):
                asked.append(task["id"])
    assert {"crop_portrait_center", "corner_square", "block_at_200_150", "texture_patch"} <= set(asked)
