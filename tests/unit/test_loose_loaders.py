"""Linking a task file's unused loader where exactly one value of its type is missing."""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.repair.loose_loaders import link_loose_loaders

FILES = ("photo.png", "pattern.png", "mask.png")


def _flow(functions: dict[str, Function], links: list[tuple[str, str, str, str]]) -> Flow:
    return Flow.build(functions, [Link(source=s, output=o, target=t, input=i) for s, o, t, i in links])


def _load(name: str) -> Function:
    return Function(type="LoadImage", params={"image": name})


def _blend(links: list[tuple[str, str, str, str]], **extra: Function) -> Flow:
    functions = {
        "photo": _load("photo.png"),
        "pattern": _load("pattern.png"),
        "blend": Function(type="ImageBlend", params={"blend_factor": 0.5, "blend_mode": "normal"}),
        "save": Function(type="SaveImage", params={"filename_prefix": "out"}),
        **extra,
    }
    return _flow(functions, [*links, ("blend", "IMAGE", "save", "images")])


def test_an_open_required_socket_gets_the_unused_loader(snapshot_catalog: Catalog) -> None:
    flow = _blend([("photo", "IMAGE", "blend", "image1")])
    linked, notes = link_loose_loaders(flow, FILES, snapshot_catalog)
    assert Link(source="pattern", output="IMAGE", target="blend", input="image2") in linked.links
    assert notes == [
        "linked blend.image2 to pattern.IMAGE which had no value: pattern was loaded but never used"
    ]


def test_a_socket_fed_twice_from_one_source_takes_the_unused_loader(snapshot_catalog: Catalog) -> None:
    flow = _blend([("photo", "IMAGE", "blend", "image1"), ("photo", "IMAGE", "blend", "image2")])
    linked, notes = link_loose_loaders(flow, FILES, snapshot_catalog)
    assert linked.links_into("blend") == [
        Link(source="photo", output="IMAGE", target="blend", input="image1"),
        Link(source="pattern", output="IMAGE", target="blend", input="image2"),
    ]
    assert notes == [
        "linked blend.image2 to pattern.IMAGE instead of photo.IMAGE, which already feeds blend: "
        "pattern was loaded but never used"
    ]


def test_the_first_output_of_a_mask_loader_fills_a_mask_socket(snapshot_catalog: Catalog) -> None:
    functions = {
        "photo": _load("photo.png"),
        "mask": Function(type="LoadImageMask", params={"image": "mask.png", "channel": "red"}),
        "join": Function(type="JoinImageWithAlpha"),
        "save": Function(type="SaveImage", params={"filename_prefix": "out"}),
    }
    flow = _flow(functions, [("photo", "IMAGE", "join", "image"), ("join", "IMAGE", "save", "images")])
    linked, _ = link_loose_loaders(flow, FILES, snapshot_catalog)
    assert Link(source="mask", output="MASK", target="join", input="alpha") in linked.links


def test_ambiguous_or_foreign_loaders_are_left_alone(snapshot_catalog: Catalog) -> None:
    # Two unused loaders of one type and one open socket: which one is meant is a guess.
    two_loose = _blend([], third=_load("mask.png"))
    two_loose = two_loose.with_links(
        [*two_loose.links, Link(source="photo", output="IMAGE", target="blend", input="image1")]
    )
    assert link_loose_loaders(two_loose, FILES, snapshot_catalog) == (two_loose, [])
    # Two open sockets for one unused loader: also a guess.
    both_open = _blend([])
    assert link_loose_loaders(both_open, FILES, snapshot_catalog) == (both_open, [])
    # A loader of a file the task does not have is not the task's input.
    foreign = _blend([("photo", "IMAGE", "blend", "image1")])
    assert link_loose_loaders(foreign, ("photo.png",), snapshot_catalog) == (foreign, [])


def test_a_complete_flow_and_a_used_loader_are_unchanged(snapshot_catalog: Catalog) -> None:
    complete = _blend([("photo", "IMAGE", "blend", "image1"), ("pattern", "IMAGE", "blend", "image2")])
    assert link_loose_loaders(complete, FILES, snapshot_catalog) == (complete, [])
    # Only output-reaching functions take the loader: a dangling function's open socket is not a place.
    functions = {
        "photo": _load("photo.png"),
        "pattern": _load("pattern.png"),
        "unused": Function(type="ImageInvert"),
        "save": Function(type="SaveImage", params={"filename_prefix": "out"}),
    }
    dangling = _flow(functions, [("photo", "IMAGE", "save", "images")])
    assert link_loose_loaders(dangling, FILES, snapshot_catalog) == (dangling, [])
