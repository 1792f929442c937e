"""UI workflows read as the frontend queues them: subgraphs, bypass, mute, reroutes, Set/Get nodes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from anysym.errors import ALangSemanticError
from anysym.language.catalog import Catalog
from anysym.language.flow import Link
from anysym.language.ui_graph import executable_nodes
from anysym.language.ui_workflow import read_ui


def _node(
    node_id: int,
    node_type: str,
    inputs: Sequence[tuple[str, str, int | None]] = (),
    outputs: Sequence[str] = (),
    *,
    mode: int = 0,
    widgets: list[Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": node_type,
        "mode": mode,
        "inputs": [{"name": name, "type": kind, "link": link} for name, kind, link in inputs],
        "outputs": [{"name": kind, "type": kind, "links": []} for kind in outputs],
        "widgets_values": widgets if widgets is not None else [],
        **extra,
    }


def _controlnet_workflow(mode: int) -> dict[str, Any]:
    """Two prompts through a ControlNet apply node (bypassed or not) into a KSampler."""
    nodes = [
        _node(1, "CLIPTextEncode", [], ["CONDITIONING"], widgets=["a cat"]),
        _node(2, "CLIPTextEncode", [], ["CONDITIONING"], widgets=["blurry"]),
        _node(3, "ControlNetLoader", [], ["CONTROL_NET"], widgets=["cn.safetensors"]),
        _node(4, "LoadImage", [], ["IMAGE", "MASK"], widgets=["pose.png", "image"]),
        _node(
            5,
            "ControlNetApplyAdvanced",
            [
                ("positive", "CONDITIONING", 1),
                ("negative", "CONDITIONING", 2),
                ("control_net", "CONTROL_NET", 3),
            ]
            + [("image", "IMAGE", 4)],
            ["CONDITIONING", "CONDITIONING"],
            mode=mode,
            widgets=[1.0, 0.0, 1.0],
        ),
        _node(6, "KSampler", [("positive", "CONDITIONING", 5), ("negative", "CONDITIONING", 6)], ["LATENT"]),
    ]
    links = [
        [1, 1, 0, 5, 0, "CONDITIONING"],
        [2, 2, 0, 5, 1, "CONDITIONING"],
        [3, 3, 0, 5, 2, "CONTROL_NET"],
        [4, 4, 0, 5, 3, "IMAGE"],
        [5, 5, 0, 6, 0, "CONDITIONING"],
        [6, 5, 1, 6, 1, "CONDITIONING"],
    ]
    return {"nodes": nodes, "links": links}


def _by_id(workflow: dict[str, Any]) -> dict[str, dict[str, tuple[str, int]]]:
    return {item.execution_id: item.links for item in executable_nodes(workflow)}


def test_a_bypassed_node_passes_the_input_of_the_same_slot() -> None:
    found = _by_id(_controlnet_workflow(mode=4))
    assert "5" not in found
    # the negative output (slot 1) passes the negative input, not the first conditioning input
    assert found["6"] == {"positive": ("1", 0), "negative": ("2", 0)}
    assert _by_id(_controlnet_workflow(mode=0))["6"] == {"positive": ("5", 0), "negative": ("5", 1)}


def test_a_bypassed_node_without_an_input_of_the_wanted_type_leaves_the_input_unlinked() -> None:
    workflow = {
        "nodes": [
            _node(1, "LoadImage", [], ["IMAGE", "MASK"]),
            _node(2, "ImageToMask", [("image", "IMAGE", 1)], ["MASK"], mode=4),
            _node(3, "MaskToImage", [("mask", "MASK", 2)], ["IMAGE"]),
        ],
        "links": [[1, 1, 0, 2, 0, "IMAGE"], [2, 2, 0, 3, 0, "MASK"]],
    }
    assert _by_id(workflow)["3"] == {}


def test_a_muted_source_feeds_nothing_and_runs_nothing() -> None:
    workflow = _controlnet_workflow(mode=2)
    found = _by_id(workflow)
    assert "5" not in found and found["6"] == {}


def _subgraph_workflow(*, nested: bool = False) -> dict[str, Any]:
    """LoadImage -> [subgraph: ImageInvert (-> [inner subgraph: ImageBlur])] -> SaveImage."""
    inner_blur = {
        "id": "blur-sub",
        "nodes": [_node(7, "ImageBlur", [("image", "IMAGE", 31)], ["IMAGE"], widgets=[1, 1.0])],
        "links": [
            {"id": 31, "origin_id": -10, "origin_slot": 0, "target_id": 7, "target_slot": 0, "type": "IMAGE"},
            {"id": 32, "origin_id": 7, "origin_slot": 0, "target_id": -20, "target_slot": 0, "type": "IMAGE"},
        ],
        "inputs": [{"name": "image", "type": "IMAGE", "linkIds": [31]}],
        "outputs": [{"name": "IMAGE", "type": "IMAGE", "linkIds": [32]}],
    }
    last = [_node(4, "blur-sub", [("image", "IMAGE", 22)], ["IMAGE"])] if nested else []
    links = [
        {"id": 21, "origin_id": -10, "origin_slot": 0, "target_id": 3, "target_slot": 0, "type": "IMAGE"}
    ]
    if nested:
        links += [
            {"id": 22, "origin_id": 3, "origin_slot": 0, "target_id": 4, "target_slot": 0, "type": "IMAGE"},
            {"id": 23, "origin_id": 4, "origin_slot": 0, "target_id": -20, "target_slot": 0, "type": "IMAGE"},
        ]
    else:
        links += [
            {"id": 23, "origin_id": 3, "origin_slot": 0, "target_id": -20, "target_slot": 0, "type": "IMAGE"}
        ]
    invert_sub = {
        "id": "invert-sub",
        "nodes": [_node(3, "ImageInvert", [("image", "IMAGE", 21)], ["IMAGE"]), *last],
        "links": links,
        "inputs": [{"name": "image", "type": "IMAGE", "linkIds": [21]}],
        "outputs": [{"name": "IMAGE", "type": "IMAGE", "linkIds": [23]}],
    }
    return {
        "nodes": [
            _node(1, "LoadImage", [], ["IMAGE", "MASK"], widgets=["photo.png", "image"]),
            _node(10, "invert-sub", [("image", "IMAGE", 1)], ["IMAGE"]),
            _node(2, "SaveImage", [("images", "IMAGE", 2)], [], widgets=["out"]),
        ],
        "links": [[1, 1, 0, 10, 0, "IMAGE"], [2, 10, 0, 2, 0, "IMAGE"]],
        "definitions": {"subgraphs": [invert_sub, inner_blur]},
    }


def test_a_subgraph_instance_becomes_its_inner_nodes(snapshot_catalog: Catalog) -> None:
    flow = read_ui(_subgraph_workflow(), snapshot_catalog).flow
    assert {fid: f.type for fid, f in flow.functions.items()} == {
        "1": "LoadImage",
        "10:3": "ImageInvert",
        "2": "SaveImage",
    }
    assert set(flow.links) == {
        Link(source="1", output=0, target="10:3", input="image"),
        Link(source="10:3", output=0, target="2", input="images"),
    }


def test_nested_subgraphs_and_promoted_widget_values(snapshot_catalog: Catalog) -> None:
    workflow = _subgraph_workflow(nested=True)
    workflow["definitions"]["subgraphs"][0]["nodes"][1]["properties"] = {
        "proxyWidgets": [["7", "blur_radius"]]
    }
    workflow["definitions"]["subgraphs"][0]["nodes"][1]["widgets_values"] = [5]
    flow = read_ui(workflow, snapshot_catalog).flow
    assert {fid: f.type for fid, f in flow.functions.items()} == {
        "1": "LoadImage",
        "10:3": "ImageInvert",
        "10:4:7": "ImageBlur",
        "2": "SaveImage",
    }
    assert flow.functions["10:4:7"].params == {"blur_radius": 5, "sigma": 1.0}
    assert Link(source="10:4:7", output=0, target="2", input="images") in flow.links
    assert Link(source="10:3", output=0, target="10:4:7", input="image") in flow.links


def test_a_subgraph_that_contains_itself_is_refused_in_one_line() -> None:
    workflow = _subgraph_workflow()
    workflow["definitions"]["subgraphs"][0]["nodes"].append(_node(9, "invert-sub", [], ["IMAGE"]))
    with pytest.raises(ALangSemanticError, match="nested more than 32 deep"):
        executable_nodes(workflow)


def test_reroutes_and_set_get_pairs_are_followed() -> None:
    workflow = {
        "nodes": [
            _node(1, "LoadImage", [], ["IMAGE", "MASK"]),
            _node(2, "Reroute", [("", "*", 1)], ["*"]),
            _node(3, "SetNode", [("IMAGE", "IMAGE", 2)], ["*"], widgets=["picture"]),
            _node(4, "GetNode", [], ["IMAGE"], widgets=["picture"]),
            _node(5, "ImageInvert", [("image", "IMAGE", 3)], ["IMAGE"]),
        ],
        "links": [[1, 1, 0, 2, 0, "IMAGE"], [2, 2, 0, 3, 0, "IMAGE"], [3, 4, 0, 5, 0, "IMAGE"]],
    }
    assert _by_id(workflow) == {"1": {}, "5": {"image": ("1", 0)}}


def test_a_reroute_loop_is_one_line_error() -> None:
    workflow = {
        "nodes": [
            _node(1, "Reroute", [("", "*", 2)], ["*"]),
            _node(2, "Reroute", [("", "*", 1)], ["*"]),
            _node(3, "ImageInvert", [("image", "IMAGE", 3)], ["IMAGE"]),
        ],
        "links": [[1, 1, 0, 2, 0, "*"], [2, 2, 0, 1, 0, "*"], [3, 2, 0, 3, 0, "IMAGE"]],
    }
    with pytest.raises(ALangSemanticError, match="into itself through reroutes"):
        executable_nodes(workflow)


def test_unknown_types_are_kept_and_reported_once_per_type(snapshot_catalog: Catalog) -> None:
    workflow = {
        "nodes": [
            _node(1, "LoadImage", [], ["IMAGE", "MASK"], widgets=["photo.png", "image"]),
            _node(2, "FancyFilter", [("image", "IMAGE", 1)], ["IMAGE"], widgets=[3]),
            _node(3, "FancyFilter", [("image", "IMAGE", 2)], ["IMAGE"], widgets=[4]),
            _node(4, "SaveImage", [("images", "IMAGE", 3)], [], widgets=["out"]),
        ],
        "links": [[1, 1, 0, 2, 0, "IMAGE"], [2, 2, 0, 3, 0, "IMAGE"], [3, 3, 0, 4, 0, "IMAGE"]],
    }
    imported = read_ui(workflow, snapshot_catalog)
    assert [f.type for f in imported.flow.functions.values()] == [
        "LoadImage",
        "FancyFilter",
        "FancyFilter",
        "SaveImage",
    ]
    assert len(imported.flow.links) == 3
    [note] = imported.notes
    assert note.kind.value == "unknown_function" and not note.is_error
    assert "'FancyFilter' (2 node(s): 2, 3)" in note.message


def test_widget_values_beyond_the_catalog_are_reported_not_dropped_silently(
    snapshot_catalog: Catalog,
) -> None:
    workflow = {
        "nodes": [
            _node(1, "ImageInvert", [], ["IMAGE"], widgets=["newer", 2]),
            _node(2, "SaveImage", [], []),
        ],
        "links": [],
    }
    [note] = read_ui(workflow, snapshot_catalog).notes
    assert note.function == "1" and note.severity.value == "warning"
    assert "2 widget value(s) more than the catalog's inputs: ['newer', 2]" in note.message


def test_an_object_widget_value_is_left_out_with_a_note(snapshot_catalog: Catalog) -> None:
    workflow = {"nodes": [_node(1, "ImageBlur", [], ["IMAGE"], widgets=[{"radius": 2}, 1.0])], "links": []}
    imported = read_ui(workflow, snapshot_catalog)
    assert imported.flow.functions["1"].params == {"sigma": 1.0}
    assert "blur_radius: widget value {'radius': 2} is not a JSON scalar or list" in imported.notes[0].message


def test_a_list_where_the_seed_control_value_sits_is_the_next_widget_value(snapshot_catalog: Catalog) -> None:
    # found by the corpus fuzz test: an unhashable value in a frontend-only widget's place crashed the import
    widgets = [5, [1, 2], 20, 8.0, "euler", "normal", 1.0]
    workflow = {"nodes": [_node(1, "KSampler", [], ["LATENT"], widgets=widgets)], "links": []}
    imported = read_ui(workflow, snapshot_catalog)
    assert imported.flow.functions["1"].params["seed"] == 5
    assert any("1 widget value(s) more than the catalog's inputs: [1.0]" in n.message for n in imported.notes)


def test_a_link_with_a_negative_slot_is_one_line_error(snapshot_catalog: Catalog) -> None:
    workflow = {
        "nodes": [_node(1, "LoadImage", [], ["IMAGE"]), _node(2, "SaveImage", [("images", "IMAGE", 1)])],
        "links": [[1, 1, -1, 2, 0, "IMAGE"]],
    }
    with pytest.raises(ALangSemanticError, match="malformed UI link .*: a slot index is negative"):
        read_ui(workflow, snapshot_catalog)
