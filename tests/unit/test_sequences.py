"""Batching the files a task names as its frames or results, in the order it names them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function
from anysym.language.validate import validate
from anysym.repair.local_edits import EditHints, local_edits
from anysym.repair.sequences import sequences, stated_sequence
from anysym.verify.expectations import expect
from anysym.verify.flow_walk import reaching_outputs

from .flows import flow_of


def _frames(flow: Flow, value: tuple[str, str]) -> list[str]:
    """The files a batched value holds, first frame first (each loader by its file name)."""
    source, _ = value
    function = flow.functions[source]
    if function.type == "LoadImage":
        return [str(function.params["image"])]
    links = {link.input: link for link in flow.links_into(source)}
    assert function.type == "ImageBatch", function.type
    first, second = links["image1"], links["image2"]
    return _frames(flow, (first.source, first.output)) + _frames(flow, (second.source, second.output))


def _fed(flow: Flow, target: str, port: str) -> tuple[str, str]:
    link = next(link for link in flow.links if (link.target, link.input) == (target, port))
    return link.source, link.output


@pytest.fixture
def pictures(tmp_path: Path) -> list[Path]:
    for name in ("photo.png", "pattern.png"):
        Image.new("RGB", (32, 24)).save(tmp_path / name)
    return [tmp_path / "photo.png", tmp_path / "pattern.png"]


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (
            "Create a 2-frame animated WEBP that shows photo.png followed by pattern.png.",
            ("photo.png", "pattern.png"),
        ),
        (
            "Build a 3-frame animation: pattern.png, then photo.png, then pattern.png again.",
            ("pattern.png", "photo.png", "pattern.png"),
        ),
        ("Put photo.png and pattern.png in one batch and save the two images.", ("photo.png", "pattern.png")),
        ("Make an animated WEBP of photo.png and pattern.png.", ("photo.png", "pattern.png")),
        # four mentions, three frames: the middle frame is no file; unsure, so nothing is batched
        ("A 3-frame animated PNG: photo.png, then photo.png blended with pattern.png, then pattern.png.", ()),
        ("Overlay pattern.png on photo.png at half opacity.", ()),
        ("Make a 2-frame animation of photo.png.", ()),
    ],
)
def test_the_sequence_is_the_named_files_when_they_are_the_frames_or_results(
    task: str, expected: tuple[str, ...], pictures: list[Path]
) -> None:
    assert stated_sequence(expect(task, pictures)) == expected


def test_the_unused_file_is_batched_after_the_used_one_where_the_flow_takes_it(
    snapshot_catalog: Catalog,
) -> None:
    flow = flow_of(
        {
            "source": ("LoadImage", {"image": "photo.png"}),
            "pattern": ("LoadImage", {"image": "pattern.png"}),
            "invert": ("ImageInvert", {}),
            "save": ("SaveImage", {"filename_prefix": "out"}),
        },
        [("source", "IMAGE", "invert", "image"), ("invert", "IMAGE", "save", "images")],
    )
    (at_entry, note), (at_outputs, _) = sequences(flow, snapshot_catalog, ["photo.png", "pattern.png"])
    assert note == (
        "batched photo.png, pattern.png with ImageBatch in the order the task names them, for invert.image"
    )
    assert _frames(at_entry, _fed(at_entry, "invert", "image")) == ["photo.png", "pattern.png"]
    assert _fed(at_entry, "save", "images") == ("invert", "IMAGE")
    # the second edit saves the frames as they are: the invert reaches nothing and goes
    assert _frames(at_outputs, _fed(at_outputs, "save", "images")) == ["photo.png", "pattern.png"]
    assert "invert" not in at_outputs.functions
    for edited in (at_entry, at_outputs):
        assert not [d for d in validate(edited, snapshot_catalog) if d.is_error]
        assert set(edited.functions) == reaching_outputs(edited, snapshot_catalog)


def test_repeats_and_a_file_the_flow_does_not_load(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "source": ("LoadImage", {"image": "photo.png"}),
            "frames": ("RepeatImageBatch", {"amount": 6}),
            "save": ("SaveAnimatedWEBP", {"filename_prefix": "out", "fps": 6.0}),
        },
        [("source", "IMAGE", "frames", "image"), ("frames", "IMAGE", "save", "images")],
    )
    order = ["photo.png", "pattern.png", "photo.png"]
    edits = dict((note, edited) for edited, note in sequences(flow, snapshot_catalog, order))
    at_outputs = edits[
        "batched photo.png, pattern.png, photo.png with ImageBatch in the order the task names them, "
        "into the output functions"
    ]
    assert _frames(at_outputs, _fed(at_outputs, "save", "images")) == order
    assert at_outputs.functions["pattern"] == Function(type="LoadImage", params={"image": "pattern.png"})
    assert {fid for fid, f in at_outputs.functions.items() if f.type == "ImageBatch"} == {
        "frames_2",
        "frames_3",
    }
    assert not any(f.type == "RepeatImageBatch" for f in at_outputs.functions.values())


def test_nothing_without_a_loaded_named_file_or_a_batch_node(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {"mask": ("SolidMask", {"value": 1.0, "width": 8, "height": 8}), "save": ("SaveImage", {})},
        [],
    )
    assert list(sequences(flow, snapshot_catalog, ["photo.png", "pattern.png"])) == []
    loads_masks = flow_of(  # the catalog has no batch node of masks
        {
            "mask": ("LoadImageMask", {"image": "photo.png", "channel": "red"}),
            "as_image": ("MaskToImage", {}),
            "save": ("SaveImage", {"filename_prefix": "x"}),
        },
        [("mask", "MASK", "as_image", "mask"), ("as_image", "IMAGE", "save", "images")],
    )
    assert list(sequences(loads_masks, snapshot_catalog, ["photo.png", "pattern.png"])) == []


def test_local_edits_batch_only_with_a_stated_sequence(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "source": ("LoadImage", {"image": "photo.png"}),
            "pattern": ("LoadImage", {"image": "pattern.png"}),
            "save": ("SaveAnimatedWEBP", {"filename_prefix": "out"}),
        },
        [("source", "IMAGE", "save", "images")],
    )
    order = ("photo.png", "pattern.png")
    batched = [
        e for e in local_edits(flow, snapshot_catalog, EditHints(sequence=order)) if "batched" in e.note
    ]
    assert [_frames(e.flow, _fed(e.flow, "save", "images")) for e in batched] == [list(order)]
    assert not [e for e in local_edits(flow, snapshot_catalog, EditHints()) if "batched" in e.note]
