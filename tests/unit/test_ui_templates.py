"""Official ComfyUI templates (subgraphs, bypassed nodes) import as the frontend would queue them."""

from __future__ import annotations

from typing import Any

from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.flow import Link
from anysym.language.ui_graph import executable_nodes
from anysym.language.ui_workflow import read_ui
from anysym.language.validate import validate
from tests.unit.templates import TEMPLATES, all_nodes, load_template


def _load(name: str) -> dict[str, Any]:
    return load_template(TEMPLATES / name)


def test_a_subgraph_template_imports_as_its_inner_pipeline(snapshot_catalog: Catalog) -> None:
    imported = read_ui(_load("flux_dev_checkpoint_example.json"), snapshot_catalog)
    flow = imported.flow
    assert sorted(f.type for f in flow.functions.values()) == sorted(
        [
            "SaveImage",
            "VAELoader",
            "UNETLoader",
            "DualCLIPLoader",
            "EmptySD3LatentImage",
            "CLIPTextEncode",
            "KSampler",
            "VAEDecode",
            "ConditioningZeroOut",
        ]
    )
    # inner nodes get the execution ids ComfyUI gives them (instance 56)
    assert flow.functions["56:52"].type == "KSampler"
    assert Link(source="56:53", output=0, target="9", input="images") in flow.links
    assert Link(source="56:54", output=0, target="56:52", input="negative") in flow.links
    # a subgraph input nothing outside feeds keeps the inner widget's value
    assert flow.functions["56:51"].params["text"].startswith("Beautiful photography")
    assert flow.functions["56:50"].params == {"width": 1024, "height": 1024, "batch_size": 1}
    errors = [d for d in validate(flow, snapshot_catalog) if d.is_error]
    assert [d.kind.value for d in errors if d.kind.value != "value_not_in_list"] == []  # model files only
    assert set(to_api(flow, snapshot_catalog)) == set(flow.functions)


def test_a_template_with_bypassed_nodes_and_an_unknown_type(snapshot_catalog: Catalog) -> None:
    workflow = _load("image_flux.1_fill_dev_OneReward.json")
    imported = read_ui(workflow, snapshot_catalog)
    assert any(n.get("mode") == 4 for n in all_nodes(workflow))
    assert not any(item.node.get("mode") in (2, 4) for item in executable_nodes(workflow))
    unknown = [d for d in imported.notes if d.kind.value == "unknown_function"]
    assert len(unknown) == 1 and "'FluxGuidance'" in unknown[0].message
    assert any(f.type == "FluxGuidance" for f in imported.flow.functions.values())
    kinds = {d.kind.value for d in validate(imported.flow, snapshot_catalog) if d.is_error}
    assert "unknown_function" in kinds  # reported by validate, everything else still checked


def test_a_link_into_an_input_newer_than_the_catalog_is_left_out_with_a_note(
    snapshot_catalog: Catalog,
) -> None:
    """sd3.5_large_blur links a VAE into ControlNetApplyAdvanced's `vae`, which the 0.0.1 server lacks
    (and would ignore): a warning, no link, and no `unknown_input` error from validate."""
    imported = read_ui(_load("sd3.5_large_blur.json"), snapshot_catalog)
    [note] = [n for n in imported.notes if "'vae'" in n.message]
    assert not note.is_error and note.function == "58"
    assert not [link for link in imported.flow.links if link.target == "58" and link.input == "vae"]
    assert "unknown_input" not in {d.kind.value for d in validate(imported.flow, snapshot_catalog)}
