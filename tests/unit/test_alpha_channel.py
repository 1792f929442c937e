"""A loaded picture's alpha channel is read from the loader's MASK (inverted), not from its RGB IMAGE."""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.validate import validate
from anysym.repair.flow_repairs import repair

ALPHA_TO_IMAGE = Flow.build(
    {
        "logo": Function(type="LoadImage", params={"image": "logo.png"}),
        "alpha": Function(type="ImageToMask", params={"channel": "alpha"}),
        "gray": Function(type="MaskToImage"),
        "save": Function(type="SaveImage", params={"filename_prefix": "x"}),
    },
    [
        Link(source="logo", output="IMAGE", target="alpha", input="image"),
        Link(source="alpha", output="MASK", target="gray", input="mask"),
        Link(source="gray", output="IMAGE", target="save", input="images"),
    ],
)


def test_the_alpha_of_a_loaded_picture_becomes_the_inverted_loader_mask(snapshot_catalog: Catalog) -> None:
    repaired, notes = repair(ALPHA_TO_IMAGE, snapshot_catalog)
    assert repaired.functions["alpha"].type == "InvertMask"
    assert Link(source="logo", output="MASK", target="alpha", input="mask") in repaired.links
    assert Link(source="alpha", output="MASK", target="gray", input="mask") in repaired.links
    assert not any(
        link.target == "alpha" and link.source == "logo" and link.output == "IMAGE" for link in repaired.links
    )
    assert any("reads the alpha as InvertMask of logo.MASK" in note for note in notes)
    assert [d.render() for d in validate(repaired, snapshot_catalog) if d.is_error] == []


def test_other_channels_and_computed_pictures_are_left_alone(snapshot_catalog: Catalog) -> None:
    red = ALPHA_TO_IMAGE.with_params("alpha", {"channel": "red"})
    assert repair(red, snapshot_catalog)[0].functions["alpha"].type == "ImageToMask"
    computed = ALPHA_TO_IMAGE.with_function("inverted", Function(type="ImageInvert")).with_links(
        [
            Link(source="logo", output="IMAGE", target="inverted", input="image"),
            Link(source="inverted", output="IMAGE", target="alpha", input="image"),
            *(link for link in ALPHA_TO_IMAGE.links if link.target != "alpha"),
        ]
    )
    assert repair(computed, snapshot_catalog)[0].functions["alpha"].type == "ImageToMask"
