"""Splicing a computed-but-unused step back between its source and the output it was meant for."""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.repair.dangling import splice_dangling
from anysym.repair.flow_repairs import repair


def _flow(functions: dict[str, str], links: list[tuple[str, str | int, str, str]]) -> Flow:
    return Flow.build(
        {fid: Function(type=t) for fid, t in functions.items()},
        [Link(source=s, output=o, target=t, input=i) for s, o, t, i in links],
    )


def test_a_step_fed_but_unused_is_put_before_the_output(snapshot_catalog: Catalog) -> None:
    flow = _flow(
        {"photo": "LoadImage", "inv": "ImageInvert", "save": "SaveImage"},
        [("photo", "IMAGE", "inv", "image"), ("photo", "IMAGE", "save", "images")],
    )
    spliced, notes = splice_dangling(flow, snapshot_catalog)
    assert Link(source="inv", output="IMAGE", target="save", input="images") in spliced.links
    assert Link(source="photo", output="IMAGE", target="save", input="images") not in spliced.links
    assert notes == [
        "linked save.images to inv.IMAGE instead of photo.IMAGE: inv was computed but never used"
    ]


def test_a_chain_of_unused_steps_is_spliced_whole_and_masks_too(snapshot_catalog: Catalog) -> None:
    flow = _flow(
        {
            "mask": "LoadImageMask",
            "grow": "GrowMask",
            "invert": "InvertMask",
            "img": "MaskToImage",
            "save": "SaveImage",
        },
        [
            ("mask", "MASK", "grow", "mask"),
            ("grow", "MASK", "invert", "mask"),
            ("mask", "MASK", "img", "mask"),
            ("img", "IMAGE", "save", "images"),
        ],
    )
    spliced, notes = splice_dangling(flow, snapshot_catalog)
    assert spliced.links_into("img") == [Link(source="invert", output="MASK", target="img", input="mask")]
    assert len(notes) == 2


def test_nothing_moves_without_a_same_typed_link_from_its_own_source(snapshot_catalog: Catalog) -> None:
    other_type = _flow(
        {"photo": "LoadImage", "to_mask": "ImageToMask", "save": "SaveImage"},
        [("photo", "IMAGE", "to_mask", "image"), ("photo", "IMAGE", "save", "images")],
    )
    assert splice_dangling(other_type, snapshot_catalog) == (other_type, [])
    unused_loader = _flow(
        {"photo": "LoadImage", "second": "LoadImage", "save": "SaveImage"},
        [("photo", "IMAGE", "save", "images")],
    )
    assert splice_dangling(unused_loader, snapshot_catalog) == (unused_loader, [])


def test_repair_splices(snapshot_catalog: Catalog) -> None:
    flow = _flow(
        {"photo": "LoadImage", "inv": "ImageInvert", "save": "SaveImage"},
        [("photo", "IMAGE", "inv", "image"), ("photo", "IMAGE", "save", "images")],
    )
    repaired, notes = repair(flow, snapshot_catalog)
    assert Link(source="inv", output="IMAGE", target="save", input="images") in repaired.links
    assert any("never used" in note for note in notes)


def test_a_lone_dangling_result_gets_the_saver_of_its_kind(snapshot_catalog: Catalog) -> None:
    latent = _flow({"empty": "EmptyLatentImage"}, [])
    repaired, notes = repair(latent, snapshot_catalog)
    assert repaired.functions["save"].type == "SaveLatent"
    assert repaired.links_into("save") == [
        Link(source="empty", output="LATENT", target="save", input="samples")
    ]
    assert "added save = SaveLatent for the dangling LATENT of empty" in notes
    image = _flow({"photo": "LoadImage", "inv": "ImageInvert"}, [("photo", "IMAGE", "inv", "image")])
    assert repair(image, snapshot_catalog)[0].functions["save"].type == "SaveImage"
