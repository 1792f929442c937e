"""Steps only a shown reference program explains: reported when provenance, search and wording agree."""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.repair.copied_steps import copied_steps

_TASK = "Resize photo.png to exactly 128x96 pixels using bilinear sampling."
_SHOWN = ["LoadImage", "ImageInvert", "ImageScale", "SaveImage"]
"""The node types of an `invert_and_resize` reference program."""
_SEARCHED = ["ImageScale", "ImageScaleBy", "ImageScaleToTotalPixels"]


def _chain(*steps: str) -> Flow:
    ids = ["source", *(step.lower() for step in steps), "save"]
    types = ["LoadImage", *steps, "SaveImage"]
    params: list[dict[str, object]] = [{"image": "photo.png"}, *({} for _ in steps), {"filename_prefix": "x"}]
    return Flow.build(
        {fid: Function(type=t, params=p) for fid, t, p in zip(ids, types, params, strict=True)},  # type: ignore[arg-type]
        [
            Link(source=a, output="IMAGE", target=b, input="images" if b == "save" else "image")
            for a, b in zip(ids, ids[1:], strict=False)
        ],
    )


def test_an_examples_step_the_task_neither_names_nor_searches_is_reported(snapshot_catalog: Catalog) -> None:
    found = copied_steps(_chain("ImageInvert", "ImageScale"), _TASK, snapshot_catalog, _SHOWN, _SEARCHED)
    assert [(d.function, d.kind.value) for d in found] == [("imageinvert", "verification_failed")]
    assert found[0].message.startswith("imageinvert (ImageInvert) does a step the task does not ask for")
    assert found[0].hint == "take imageinvert out and link what it takes straight to what it feeds"


def test_any_one_missing_piece_of_evidence_clears_the_step(snapshot_catalog: Catalog) -> None:
    flow = _chain("ImageInvert", "ImageScale")
    # the task names it ("inverted" shares invert's stem)
    named = "Resize the inverted photo.png to exactly 128x96 pixels."
    assert copied_steps(flow, named, snapshot_catalog, _SHOWN, _SEARCHED) == []
    # a search of the task's steps found it
    assert copied_steps(flow, _TASK, snapshot_catalog, _SHOWN, [*_SEARCHED, "ImageInvert"]) == []
    # no reference program shown has it: the model chose it itself
    assert copied_steps(flow, _TASK, snapshot_catalog, ["LoadImage", "ImageScale"], _SEARCHED) == []
    # no search ran: nothing to compare with
    assert copied_steps(flow, _TASK, snapshot_catalog, _SHOWN, []) == []


def test_loaders_savers_and_converters_are_never_steps(snapshot_catalog: Catalog) -> None:
    flow = Flow.build(
        {
            "source": Function(type="LoadImage", params={"image": "photo.png"}),
            "mask": Function(type="ImageToMask", params={"channel": "red"}),
            "as_image": Function(type="MaskToImage"),
            "save": Function(type="SaveImage", params={"filename_prefix": "x"}),
        },
        [
            Link(source="source", output="IMAGE", target="mask", input="image"),
            Link(source="mask", output="MASK", target="as_image", input="mask"),
            Link(source="as_image", output="IMAGE", target="save", input="images"),
        ],
    )
    shown = ["LoadImage", "ImageToMask", "MaskToImage", "SaveImage"]
    task = "Take the red channel of photo.png as a grayscale picture."
    assert copied_steps(flow, task, snapshot_catalog, shown, ["ImageToMask"]) == []
