"""Search's crop edits and the crop's place read from the task: a region cut out of a file gets cropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from anysym.language.catalog import Catalog
from anysym.language.flow import Function, Link
from anysym.repair.anchored_crops import anchored_crops
from anysym.repair.region_crops import region_crops
from anysym.repair.task_repairs import apply_task_repairs
from anysym.verify.media import Size

from .flows import flow_of

_RESIZED = flow_of(
    {
        "photo": ("LoadImage", {"image": "photo.png"}),
        "scaled": ("ImageScaleBy", {"upscale_method": "bilinear", "scale_by": 1.5}),
        "save": ("SaveImage", {"filename_prefix": "out"}),
    },
    [("photo", "IMAGE", "scaled", "image"), ("scaled", "IMAGE", "save", "images")],
)


def test_a_resize_becomes_the_crop_of_its_value_and_the_task_places_it(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    [(edited, note)] = list(region_crops(_RESIZED, snapshot_catalog, region=True))
    assert note == "changed scaled from ImageScaleBy to ImageCrop: the task cuts a region"
    assert edited.functions["scaled"].type == "ImageCrop"
    assert set(edited.links) == set(_RESIZED.links)
    photo = tmp_path / "photo.png"
    Image.new("RGB", (256, 192)).save(photo)
    task = "Grab the 80x60 corner at the bottom right of photo.png."
    placed, _ = apply_task_repairs(edited, task=task, inputs=[photo], catalog=snapshot_catalog)
    assert placed.functions["scaled"].params == {"width": 80, "height": 60, "x": 176, "y": 132}


def test_a_flow_that_sizes_nothing_gets_a_crop_before_its_output(snapshot_catalog: Catalog) -> None:
    mask = flow_of(
        {
            "mask": ("LoadImageMask", {"image": "mask.png", "channel": "red"}),
            "invert": ("InvertMask", {}),
            "as_image": ("MaskToImage", {}),
            "save": ("SaveImage", {}),
        },
        [
            ("mask", "MASK", "invert", "mask"),
            ("invert", "MASK", "as_image", "mask"),
            ("as_image", "IMAGE", "save", "images"),
        ],
    )
    [(edited, note)] = list(region_crops(mask, snapshot_catalog, region=True))
    assert note == "inserted crop (ImageCrop) before save: the task cuts a region"
    assert Link(source="crop", output="IMAGE", target="save", input="images") in edited.links


def test_no_crop_edit_unless_a_region_is_asked_and_nothing_crops(snapshot_catalog: Catalog) -> None:
    assert list(region_crops(_RESIZED, snapshot_catalog, region=False)) == []
    cropped = _RESIZED.with_function("scaled", Function(type="ImageCrop", params={"width": 8, "height": 8}))
    assert list(region_crops(cropped, snapshot_catalog, region=True)) == []
    centred = _RESIZED.with_function("scaled", Function(type="ImageScale", params={"crop": "center"}))
    assert list(region_crops(centred, snapshot_catalog, region=True)) == []


_CROP = flow_of(
    {
        "photo": ("LoadImage", {"image": "photo.png"}),
        "crop": ("ImageCrop", {"width": 32, "height": 32, "x": 16, "y": 16}),
        "save": ("SaveImage", {}),
    },
    [("photo", "IMAGE", "crop", "image"), ("crop", "IMAGE", "save", "images")],
)


@pytest.mark.parametrize(
    ("task", "place"),
    [
        ("Take the 64x48 square in the top-left corner of photo.png.", (64, 48, 0, 0)),
        ("Keep the top-right 64x48 block of photo.png.", (64, 48, 192, 0)),
        ("Grab the 80x60 corner at the bottom right of photo.png.", (80, 60, 176, 132)),
        ("Cut the lower-left 100x50 part out of photo.png.", (100, 50, 0, 142)),
        ("Keep the 96x96 region in the middle of photo.png.", (96, 96, 80, 48)),
    ],
)
def test_the_crop_is_placed_where_the_task_puts_the_size(
    snapshot_catalog: Catalog, task: str, place: tuple[int, int, int, int]
) -> None:
    placed, notes = anchored_crops(_CROP, task, [Size(256, 192)], snapshot_catalog)
    params = placed.functions["crop"].params
    assert (params["width"], params["height"], params["x"], params["y"]) == place, notes


@pytest.mark.parametrize(
    "task",
    [
        "Paste logo.png onto photo.png with its top-left corner at (16, 16).",  # a paste's place, no size
        "Crop the 64x96 region whose top-left corner is at x=40, y=80 out of photo.png.",  # stated numbers
        "Take the 300x60 strip at the bottom right of photo.png.",  # larger than the picture
    ],
)
def test_no_place_is_guessed(snapshot_catalog: Catalog, task: str) -> None:
    assert anchored_crops(_CROP, task, [Size(256, 192)], snapshot_catalog) == (_CROP, [])
