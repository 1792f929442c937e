import json
from pathlib import Path
from typing import Any

import pytest

from anysym.errors import ALangSemanticError, CompileError
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import from_api, from_ui, is_api_prompt, is_ui_workflow, to_api
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.flow import Flow, Function, Link
from anysym.language.validate import validate

DATA = Path(__file__).resolve().parents[1] / "data"

API: dict[str, Any] = {
    "1": {"class_type": "LoadImage", "inputs": {"image": "src_a.png"}},
    "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
    "3": {
        "class_type": "ImageScale",
        "inputs": {
            "image": ["2", 0],
            "upscale_method": "bilinear",
            "width": 128,
            "height": 96,
            "crop": "disabled",
        },
    },
    "4": {"class_type": "LoadImage", "inputs": {"image": "src_b.png"}},
    "5": {
        "class_type": "ImageBlend",
        "inputs": {"image1": ["3", 0], "image2": ["4", 0], "blend_factor": 0.25, "blend_mode": "normal"},
    },
    "6": {"class_type": "SaveImage", "inputs": {"images": ["5", 0], "filename_prefix": "citest"}},
}


def test_api_round_trip_is_identical() -> None:
    flow = from_api(API)
    assert list(flow.functions) == ["1", "2", "3", "4", "5", "6"]
    assert to_api(flow) == API
    assert json.dumps(to_api(from_api(json.loads(json.dumps(API))))) is not None
    assert from_api({"prompt": API}) == flow


def test_output_names_resolve_through_catalog(snapshot_catalog: Catalog) -> None:
    flow = Flow.build(
        {
            "ckpt": Function(type="CheckpointLoaderSimple", params={"ckpt_name": "m.safetensors"}),
            "pos": Function(type="CLIPTextEncode", params={"text": "a fox"}),
        },
        [Link(source="ckpt", output="CLIP", target="pos", input="clip")],
    )
    api = to_api(flow, snapshot_catalog, fill_defaults=False)
    assert api["pos"]["inputs"] == {"text": "a fox", "clip": ["ckpt", 1]}
    with pytest.raises(CompileError, match="no catalog"):
        to_api(flow)
    bad = flow.with_links([Link(source="ckpt", output="LATENT", target="pos", input="clip")])
    with pytest.raises(CompileError, match="outputs: MODEL, CLIP, VAE"):
        to_api(bad, snapshot_catalog, fill_defaults=False)


def test_inexpressible_flows_are_compile_errors_that_name_the_problem() -> None:
    base = {"a": Function(type="A"), "b": Function(type="B", params={"x": 1})}
    two = [
        Link(source="a", output=0, target="b", input="y"),
        Link(source="a", output=1, target="b", input="y"),
    ]
    cases = [
        (Flow.build(base, [Link(source="a", output=0, target="b", input="x")]), "both a value and a link"),
        (Flow.build(base, two), "two links"),
        (Flow.build({"a": Function(type="A", params={"v": [1, 2]})}), "is a list"),
        (Flow.build(base, [Link(source="a", output="IMAGE", target="b", input="y")]), "no catalog"),
    ]
    found = []
    for flow, words in cases:
        with pytest.raises(CompileError, match=words) as caught:
            to_api(flow)
        [diagnostic] = caught.value.diagnostics  # a refinement aims at the function and port named here
        found.append((diagnostic.kind, diagnostic.function, diagnostic.port))
    assert found == [
        (DiagnosticKind.VALUE_AND_LINK, "b", "x"),
        (DiagnosticKind.DUPLICATE_LINK, "b", "y"),
        (DiagnosticKind.WRONG_VALUE_TYPE, "a", "v"),
        (DiagnosticKind.UNKNOWN_OUTPUT, "b", "y"),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"1": {"inputs": {}}},
        {"1": {"class_type": "X", "inputs": []}},
        {"1": {"class_type": "X", "inputs": {"a": ["2", 0]}}},
        {"1": {"class_type": "X", "inputs": {"a": ["1", "zero"]}}},
        {"1": {"class_type": "X", "inputs": {"a": {"nested": 1}}}},
        {"1": {"class_type": "X", "inputs": {"a": ["1", -1]}}},
    ],
)
def test_malformed_api_prompts_are_typed_errors(bad: Any) -> None:
    with pytest.raises(ALangSemanticError):
        from_api(bad)


def test_ui_workflow_import(snapshot_catalog: Catalog) -> None:
    workflow = json.loads((DATA / "ui_default_t2i.json").read_text())
    assert is_ui_workflow(workflow) and not is_api_prompt(workflow)
    flow = from_ui(workflow, snapshot_catalog)
    assert list(flow.functions) == ["4", "6", "7", "5", "3", "8", "9", "12"]
    ks = flow.functions["3"]
    assert ks.params == {
        "seed": 156680208700286,
        "steps": 20,
        "cfg": 8,
        "sampler_name": "euler",
        "scheduler": "normal",
        "denoise": 1,
    }
    assert flow.functions["5"].params == {"width": 512, "height": 512, "batch_size": 1}
    assert Link(source="4", output=2, target="8", input="vae") in flow.links  # through the reroute
    assert Link(source="8", output=0, target="12", input="images") in flow.links  # around the bypassed node
    api = to_api(flow, snapshot_catalog, fill_defaults=False)
    assert api["3"]["inputs"]["model"] == ["4", 0]
    assert list(api["3"]["inputs"])[:3] == ["model", "seed", "steps"]


def test_ui_workflow_with_unknown_type_imports_and_validate_names_closest(
    snapshot_catalog: Catalog,
) -> None:
    workflow = {"nodes": [{"id": 1, "type": "KSamplr", "mode": 0}], "links": []}
    flow = from_ui(workflow, snapshot_catalog)
    [unknown] = [d for d in validate(flow, snapshot_catalog) if d.kind is DiagnosticKind.UNKNOWN_FUNCTION]
    assert "KSampler" in (unknown.hint or "")
    with pytest.raises(ALangSemanticError):
        from_ui({"nodes": [], "links": [["x"]]}, snapshot_catalog)
