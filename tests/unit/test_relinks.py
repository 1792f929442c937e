"""Relinks: a cycle broken, or a repeated operand replaced, by a loaded file's value."""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.validate import validate
from anysym.repair.local_edits import EditHints, local_edits
from anysym.repair.relinks import relinks


def _flow(functions: dict[str, str], links: list[tuple[str, str, str, str]]) -> Flow:
    loaded = {"source": "photo.png", "pattern": "pattern.png", "texture": "texture.png"}
    return Flow.build(
        {
            fid: Function(type=t, params={"image": loaded[fid]} if t == "LoadImage" else {})
            for fid, t in functions.items()
        },
        [Link(source=s, output=o, target=t, input=i) for s, o, t, i in links],
    )


def _errors(flow: Flow, catalog: Catalog) -> list[str]:
    return [d.kind.value for d in validate(flow, catalog) if d.is_error]


_TWO_BLENDS = {
    "source": "LoadImage",
    "pattern": "LoadImage",
    "texture": "LoadImage",
    "blend1": "ImageBlend",
    "blend2": "ImageBlend",
    "save": "SaveImage",
}


def _layered_blend() -> Flow:
    """The 1.5B's layered_blend: blend1 takes blend2, blend2 takes blend1 twice; two files unused."""
    return _flow(
        _TWO_BLENDS,
        [
            ("source", "IMAGE", "blend1", "image1"),
            ("blend2", "IMAGE", "blend1", "image2"),
            ("blend1", "IMAGE", "blend2", "image1"),
            ("blend1", "IMAGE", "blend2", "image2"),
            ("blend2", "IMAGE", "save", "images"),
        ],
    )


def test_a_cycle_and_a_repeated_operand_become_the_unused_files(snapshot_catalog: Catalog) -> None:
    flow = _layered_blend()
    assert "cycle" in _errors(flow, snapshot_catalog)
    singles = {note: edited for edited, note in relinks(flow, snapshot_catalog)}
    broken = singles[
        "fed blend1.image2 from pattern.IMAGE instead of blend2: blend2 and blend1 formed a cycle"
    ]
    assert _errors(broken, snapshot_catalog) == []
    other_side = singles[
        "fed blend2.image1 from pattern.IMAGE, blend2.image2 from texture.IMAGE instead of blend1: "
        "blend1 and blend2 formed a cycle"
    ]
    assert _errors(other_side, snapshot_catalog) == []  # blend1 reaches nothing: verify's to reject
    second = {note: edited for edited, note in relinks(broken, snapshot_catalog)}
    done = second[
        "fed blend2.image2 from texture.IMAGE instead of blend1: blend1 fed blend2 twice while texture "
        "was unused"
    ]
    used = {link.source for link in done.links}
    assert {"source", "pattern", "texture"} <= used
    assert _errors(done, snapshot_catalog) == []


def test_a_cycle_with_every_file_in_use_takes_a_file_the_target_is_not_fed_yet(
    snapshot_catalog: Catalog,
) -> None:
    flow = _flow(
        {k: v for k, v in _TWO_BLENDS.items() if k != "texture"},
        [
            ("source", "IMAGE", "blend1", "image1"),
            ("blend2", "IMAGE", "blend1", "image2"),
            ("blend1", "IMAGE", "blend2", "image1"),
            ("pattern", "IMAGE", "blend2", "image2"),
            ("blend2", "IMAGE", "save", "images"),
        ],
    )
    edited = [e for e, note in relinks(flow, snapshot_catalog) if note.startswith("fed blend1.image2")]
    assert len(edited) == 1
    assert Link(source="pattern", output="IMAGE", target="blend1", input="image2") in edited[0].links
    assert _errors(edited[0], snapshot_catalog) == []
    # blend1 -> blend2 cannot be cut: no file loader is upstream-safe for blend2.image1 except
    # source and pattern, and the cut is still valid: it takes source (pattern already feeds blend2)
    other = [e for e, note in relinks(flow, snapshot_catalog) if note.startswith("fed blend2.image1")]
    assert Link(source="source", output="IMAGE", target="blend2", input="image1") in other[0].links


def test_nothing_to_relink_in_an_acyclic_flow_without_repeats(snapshot_catalog: Catalog) -> None:
    flow = _flow(
        {k: v for k, v in _TWO_BLENDS.items() if k != "blend2"},
        [
            ("source", "IMAGE", "blend1", "image1"),
            ("pattern", "IMAGE", "blend1", "image2"),
            ("blend1", "IMAGE", "save", "images"),
        ],
    )
    assert list(relinks(flow, snapshot_catalog)) == []


def test_cycle_breaks_come_first_among_the_local_edits(snapshot_catalog: Catalog) -> None:
    flow = _layered_blend()
    edits = local_edits(flow, snapshot_catalog, EditHints(steps=[["ImageBlend"]]))
    assert "formed a cycle" in edits[0].note


def test_an_open_input_is_fed_by_an_unused_creator_changed_to_a_searched_type(
    snapshot_catalog: Catalog,
) -> None:
    # the 0.5B's upscaled_latent: EmptyImage written where a latent is needed, samples left open
    flow = Flow.build(
        {
            "source": Function(type="EmptyImage", params={"width": 128, "height": 128, "batch_size": 1}),
            "resized": Function(
                type="LatentUpscale",
                params={"upscale_method": "nearest-exact", "width": 256, "height": 256, "crop": "disabled"},
            ),
            "save": Function(type="SaveLatent", params={"filename_prefix": "x"}),
        },
        [Link(source="resized", output="LATENT", target="save", input="samples")],
    )
    assert "missing_input" in _errors(flow, snapshot_catalog)
    searched = ["LatentUpscale", "EmptyLatentImage", "SaveLatent"]
    found = {note: edited for edited, note in relinks(flow, snapshot_catalog, searched)}
    edited = found[
        "changed source from EmptyImage to EmptyLatentImage and fed resized.samples from it: the input was "
        "required and unlinked while source's result was unused"
    ]
    assert edited.functions["source"].type == "EmptyLatentImage"
    assert edited.functions["source"].params == {"width": 128, "height": 128, "batch_size": 1}
    assert _errors(edited, snapshot_catalog) == []
    assert list(relinks(flow, snapshot_catalog)) == []  # nothing searched: no retype


def test_an_open_input_is_fed_by_a_value_nothing_uses(snapshot_catalog: Catalog) -> None:
    flow = _flow(
        {k: v for k, v in _TWO_BLENDS.items() if k in ("source", "pattern", "blend1", "save")},
        [("source", "IMAGE", "blend1", "image1"), ("blend1", "IMAGE", "save", "images")],
    )
    notes = [note for _, note in relinks(flow, snapshot_catalog)]
    assert notes == [
        "fed blend1.image2 from pattern.IMAGE: the input was required and unlinked while pattern's result "
        "was unused"
    ]


def test_a_blamed_input_is_fed_from_each_other_loaded_file(snapshot_catalog: Catalog) -> None:
    """ "Put the pattern on top of photo.png": the pattern fed both operands while photo fed only a mask."""
    flow = _flow(
        {"source": "LoadImage", "pattern": "LoadImage", "paste": "ImageCompositeMasked", "save": "SaveImage"},
        [
            ("pattern", "IMAGE", "paste", "destination"),
            ("pattern", "IMAGE", "paste", "source"),
            ("source", "MASK", "paste", "mask"),
            ("paste", "IMAGE", "save", "images"),
        ],
    )
    assert not [note for _, note in relinks(flow, snapshot_catalog) if "blamed" in note]  # nothing blamed
    edits = [
        (f, n) for f, n in relinks(flow, snapshot_catalog, blamed=[("paste", "destination")]) if "blamed" in n
    ]
    assert [note for _, note in edits] == [
        "fed paste.destination from source.IMAGE: a check blamed that input"
    ]
    edited = edits[0][0]
    assert {
        (link.source, str(link.output)) for link in edited.links_into("paste") if link.input == "destination"
    } == {("source", "IMAGE")}
    assert _errors(edited, snapshot_catalog) == []
    hints = EditHints(blamed=[("paste", "destination"), ("gone", "image"), ("paste", "no_such_input")])
    assert any("blamed" in edit.note for edit in local_edits(flow, snapshot_catalog, hints))
