"""Local edits of a failed flow: rewiring a saver, dropping a saver, splicing and swapping steps."""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.validate import validate
from anysym.repair.local_edits import EditHints, LocalEdit, local_edits
from anysym.verify.media import Size

from .flows import flow_of


def _edits(
    flow: Flow, catalog: Catalog, found: list[str], wanted: list[str] | None = None, size: Size | None = None
) -> list[LocalEdit]:
    """The edits when one search found `found` (its best hit first)."""
    return local_edits(flow, catalog, EditHints(steps=[found], wanted=wanted or [], size=size))


def _notes(
    flow: Flow, catalog: Catalog, found: list[str], wanted: list[str] | None = None, size: Size | None = None
) -> dict[str, Flow]:
    return {edit.note: edit.flow for edit in _edits(flow, catalog, found, wanted, size)}


def _errors(flow: Flow, catalog: Catalog) -> list[str]:
    return [d.render() for d in validate(flow, catalog) if d.is_error]


def test_a_saver_fed_from_the_loader_takes_the_unsaved_result(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "pattern": ("LoadImage", {"image": "pattern.png"}),
            "inverted": ("ImageInvert", {}),
            "save": ("SaveImage", {}),
        },
        [("pattern", "IMAGE", "inverted", "image"), ("photo", "IMAGE", "save", "images")],
    )
    edits = _notes(flow, snapshot_catalog, ["ImageInvert"])
    note = (
        "fed save.images from inverted.IMAGE instead of the loaded photo: inverted's result was computed "
        "and never saved"
    )
    rewired = edits[note]
    assert Link(source="inverted", output="IMAGE", target="save", input="images") in rewired.links
    assert not any(link.target == "save" and link.source == "photo" for link in rewired.links)


def test_an_unsaved_mask_is_converted_before_it_is_saved(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "mask": ("LoadImage", {"image": "mask.png"}),
            "channel": ("ImageToMask", {"channel": "red"}),
            "grown": ("GrowMask", {"expand": 8}),
            "save": ("SaveImage", {}),
        },
        [
            ("mask", "IMAGE", "channel", "image"),
            ("channel", "MASK", "grown", "mask"),
            ("mask", "IMAGE", "save", "images"),
        ],
    )
    rewired = next(e.flow for e in _edits(flow, snapshot_catalog, []) if "from grown.MASK" in e.note)
    converter = next(fid for fid, f in rewired.functions.items() if f.type == "MaskToImage")
    assert Link(source="grown", output="MASK", target=converter, input="mask") in rewired.links
    assert Link(source=converter, output="IMAGE", target="save", input="images") in rewired.links
    assert _errors(rewired, snapshot_catalog) == []


def test_a_second_saver_of_an_unchanged_input_is_dropped(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "scaled": ("ImageScaleBy", {"upscale_method": "bilinear", "scale_by": 2.0}),
            "save": ("SaveImage", {}),
            "copy": ("SaveImage", {}),
        },
        [
            ("photo", "IMAGE", "scaled", "image"),
            ("scaled", "IMAGE", "save", "images"),
            ("photo", "IMAGE", "copy", "images"),
        ],
    )
    edits = _notes(flow, snapshot_catalog, ["ImageScaleBy"])
    dropped = edits["removed copy: it saved a loaded input as it is"]
    assert "copy" not in dropped.functions and "save" in dropped.functions


def test_only_the_only_saver_is_never_dropped(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {"photo": ("LoadImage", {"image": "photo.png"}), "save": ("SaveImage", {})},
        [("photo", "IMAGE", "save", "images")],
    )
    assert _edits(flow, snapshot_catalog, ["ImageInvert"]) == []


def test_a_stray_step_is_spliced_out_and_a_searched_one_is_kept(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "invert": ("ImageInvert", {}),
            "resize": ("ImageScale", {"width": 96, "height": 96}),
            "save": ("SaveImage", {}),
        },
        [
            ("photo", "IMAGE", "invert", "image"),
            ("invert", "IMAGE", "resize", "image"),
            ("resize", "IMAGE", "save", "images"),
        ],
    )
    edits = _notes(flow, snapshot_catalog, ["ImageInvert"])
    spliced = edits["took out resize (ImageScale): no search of the task's steps found it"]
    assert set(spliced.functions) == {"photo", "invert", "save"}
    assert Link(source="invert", output="IMAGE", target="save", input="images") in spliced.links
    assert not any("took out invert" in note for note in edits)


def test_a_step_takes_a_searched_type_of_the_same_shape_and_its_model_loader_goes(
    snapshot_catalog: Catalog,
) -> None:
    flow = flow_of(
        {
            "source": ("LoadImage", {"image": "texture.png"}),
            "model": ("UpscaleModelLoader", {"model_name": "tiny_compact_x4.safetensors"}),
            "upscale": ("ImageUpscaleWithModel", {}),
            "save": ("SaveImage", {}),
        },
        [
            ("source", "IMAGE", "upscale", "image"),
            ("model", "UPSCALE_MODEL", "upscale", "upscale_model"),
            ("upscale", "IMAGE", "save", "images"),
        ],
    )
    edits = _notes(flow, snapshot_catalog, ["ImageScaleBy", "ImageUpscaleWithModel", "KSampler"])
    swapped = edits[
        "changed upscale from ImageUpscaleWithModel to ImageScaleBy: the search of the task's steps "
        "found ImageScaleBy"
    ]
    assert swapped.functions["upscale"].type == "ImageScaleBy"
    assert "model" not in swapped.functions
    assert Link(source="source", output="IMAGE", target="upscale", input="image") in swapped.links
    assert not any("KSampler" in note for note in edits)  # no IMAGE -> IMAGE shape


def test_edits_are_unique_flows(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "blur": ("ImageBlur", {}),
            "save": ("SaveImage", {}),
        },
        [("photo", "IMAGE", "blur", "image"), ("blur", "IMAGE", "save", "images")],
    )
    edits = _edits(flow, snapshot_catalog, ["ImageSharpen", "ImageSharpen", "ImageInvert"])
    keys = [edit.flow.canonical_json() for edit in edits]
    assert len(keys) == len(set(keys))
    assert {edit.flow.functions["blur"].type for edit in edits} == {
        "ImageSharpen",
        "ImageInvert",
    }


def test_no_edit_leaves_a_flow_that_does_no_work(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "blur": ("ImageBlur", {}),
            "save": ("SaveImage", {}),
        },
        [("photo", "IMAGE", "blur", "image"), ("blur", "IMAGE", "save", "images")],
    )
    assert [e.note for e in _edits(flow, snapshot_catalog, ["ImageInvert"])] == [
        "changed blur from ImageBlur to ImageInvert: the search of the task's steps found ImageInvert"
    ]


def test_a_wanted_step_is_put_on_each_link_of_its_type(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "blur": ("ImageBlur", {}),
            "save": ("SaveImage", {}),
        },
        [("photo", "IMAGE", "blur", "image"), ("blur", "IMAGE", "save", "images")],
    )
    edits = _notes(flow, snapshot_catalog, ["ImageBlur"], wanted=["ImagePadForOutpaint"])
    before = edits[
        "inserted imagepadforoutpaint (ImagePadForOutpaint) between photo and blur: the task states a "
        "value only ImagePadForOutpaint takes"
    ]
    assert Link(source="photo", output="IMAGE", target="imagepadforoutpaint", input="image") in before.links
    assert Link(source="imagepadforoutpaint", output="IMAGE", target="blur", input="image") in before.links
    assert _errors(before, snapshot_catalog) == []
    assert any("between blur and save" in note for note in edits)


def test_a_searched_best_hit_only_becomes_a_type_its_step_found(
    snapshot_catalog: Catalog,
) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "inverted": ("ImageInvert", {}),
            "save": ("SaveImage", {}),
        },
        [("photo", "IMAGE", "inverted", "image"), ("inverted", "IMAGE", "save", "images")],
    )
    whole = ["ImageInvert", "ImageScale", "ImageColorToMask"]  # the whole task's search finds both steps
    steps = [whole, ["ImageInvert", "InvertMask"], ["ImageScaleBy", "ImageScale"]]
    kept = local_edits(flow, snapshot_catalog, EditHints(steps=steps))
    assert not any("changed inverted" in edit.note for edit in kept)  # the invert step stays an invert
    paste = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "pattern": ("LoadImage", {"image": "pattern.png"}),
            "paste": ("ImageCompositeMasked", {}),
            "save": ("SaveImage", {}),
        },
        [
            ("photo", "IMAGE", "paste", "destination"),
            ("pattern", "IMAGE", "paste", "source"),
            ("paste", "IMAGE", "save", "images"),
        ],
    )
    steps = [
        ["ImageBlend", "ImageCompositeMasked"],
        ["ImageCompositeMasked", "JoinImageWithAlpha"],
        ["ImageBlend", "ImageCompositeMasked"],
    ]
    hints = EditHints(steps=steps)
    swapped = [e.flow for e in local_edits(paste, snapshot_catalog, hints) if "to ImageBlend" in e.note]
    assert [f.functions["paste"].type for f in swapped] == ["ImageBlend"]
    assert Link(source="photo", output="IMAGE", target="paste", input="image1") in swapped[0].links
    assert Link(source="pattern", output="IMAGE", target="paste", input="image2") in swapped[0].links


def test_a_resize_to_the_stated_size_goes_before_an_output_nothing_sizes(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "inverted": ("ImageInvert", {}),
            "save": ("SaveImage", {}),
        },
        [("photo", "IMAGE", "inverted", "image"), ("inverted", "IMAGE", "save", "images")],
    )
    edits = _notes(flow, snapshot_catalog, ["ImageInvert", "ImageScale"], size=Size(256, 256))
    resized = edits["inserted resize (ImageScale) before save: nothing sized the result to 256x256"]
    halved = _edits(flow, snapshot_catalog, ["ImageInvert", "ImageScale", "ImageScaleBy"])
    assert not any("inserted resize" in e.note for e in halved)  # no size, no factor stated
    hints = EditHints(steps=[["ImageInvert", "ImageScale", "ImageScaleBy"]], factor=0.5)
    [by_half] = [e.flow for e in local_edits(flow, snapshot_catalog, hints) if "inserted resize" in e.note]
    assert by_half.functions["resize"] == Function(type="ImageScaleBy", params={"scale_by": 0.5})
    assert resized.functions["resize"].params == {"width": 256, "height": 256}
    assert Link(source="inverted", output="IMAGE", target="resize", input="image") in resized.links
    assert Link(source="resize", output="IMAGE", target="save", input="images") in resized.links
    assert not any(
        "inserted resize" in note
        for note in _notes(resized, snapshot_catalog, ["ImageScale"], size=Size(9, 9))
    )


def test_a_swap_links_a_required_input_to_the_one_unused_value_of_its_type(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "mask": ("LoadImageMask", {"image": "mask.png", "channel": "red"}),
            "inverted": ("ImageInvert", {}),
            "save": ("SaveImage", {}),
        },
        [("inverted", "IMAGE", "save", "images")],
    )
    steps = [["ImageInvert", "InvertMask", "MaskToImage"]]
    edits = {e.note: e.flow for e in local_edits(flow, snapshot_catalog, EditHints(steps=steps))}
    swapped = next(
        f for note, f in edits.items() if note.startswith("changed inverted from ImageInvert to InvertMask")
    )
    assert Link(source="mask", output="MASK", target="inverted", input="mask") in swapped.links
    # the saver takes an IMAGE: the mask goes through MaskToImage
    assert Link(source="inverted", output="MASK", target="inverted_as_image", input="mask") in swapped.links
    assert swapped.functions["inverted_as_image"].type == "MaskToImage"
    assert _errors(swapped, snapshot_catalog) == []


def test_a_saver_fed_by_nothing_takes_the_unsaved_mask_and_stray_functions_go(
    snapshot_catalog: Catalog,
) -> None:
    flow = flow_of(
        {
            "mask": ("LoadImageMask", {"image": "mask.png", "channel": "red"}),
            "invert": ("InvertMask", {}),
            "save": ("SaveImage", {}),
        },
        [("mask", "MASK", "invert", "mask")],
    )
    [fed] = [e.flow for e in _edits(flow, snapshot_catalog, ["InvertMask"]) if e.note.startswith("fed save.")]
    assert Link(source="invert", output="MASK", target="invert_as_image", input="mask") in fed.links
    assert _errors(fed, snapshot_catalog) == []
    stray = flow_of(
        {
            "canvas": ("EmptyImage", {}),
            "box": ("SolidMask", {"width": 200, "height": 100}),
            "save": ("SaveImage", {}),
        },
        [("canvas", "IMAGE", "save", "images")],
    )
    notes = _notes(stray, snapshot_catalog, ["EmptyImage"])
    assert set(notes["removed box: nothing of it reaches an output"].functions) == {"canvas", "save"}


def test_the_two_pictures_of_a_blend_are_swapped_but_not_a_picture_with_itself(
    snapshot_catalog: Catalog,
) -> None:
    flow = flow_of(
        {
            "photo": ("LoadImage", {"image": "photo.png"}),
            "portrait": ("LoadImage", {"image": "portrait.png"}),
            "blend": ("ImageBlend", {"blend_factor": 0.7, "blend_mode": "screen"}),
            "save": ("SaveImage", {}),
        },
        [
            ("portrait", "IMAGE", "blend", "image1"),
            ("photo", "IMAGE", "blend", "image2"),
            ("blend", "IMAGE", "save", "images"),
        ],
    )
    edits = _edits(flow, snapshot_catalog, ["ImageBlend"])
    swapped = next(edit for edit in edits if edit.note.startswith("swapped blend.image1 and blend.image2"))
    assert Link(source="photo", output="IMAGE", target="blend", input="image1") in swapped.flow.links
    assert Link(source="portrait", output="IMAGE", target="blend", input="image2") in swapped.flow.links
    assert _errors(swapped.flow, snapshot_catalog) == []
    same = flow.with_links(
        [
            Link(source="photo", output="IMAGE", target="blend", input="image1"),
            Link(source="photo", output="IMAGE", target="blend", input="image2"),
            Link(source="blend", output="IMAGE", target="save", input="images"),
        ]
    )
    assert not any(edit.note.startswith("swapped") for edit in _edits(same, snapshot_catalog, ["ImageBlend"]))
