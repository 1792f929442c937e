"""Golden workflows: each stored in the three syntaxes and as API JSON; all four forms convert exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from anysym.language.catalog import Catalog
from anysym.language.comfy_format import from_api, to_api
from anysym.language.flow import Flow, Link
from anysym.language.syntax import SYNTAXES, Syntax, detect_syntax, parse, render

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
WORKFLOWS = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
EXTENSIONS: dict[Syntax, str] = {
    "declarative": "flow.declarative",
    "dataflow": "flow.dataflow",
    "pseudo": "flow.pseudo",
}
REQUIRED = {
    "text_to_image",
    "img2img",
    "inpaint",
    "outpaint",
    "upscale",
    "image_blend",
    "model_merge",
    "image_to_video_svd",
    "text_to_audio",
    "zero123_novel_view",
    "image_to_3d_triposr",
}


def read(workflow: str, syntax: Syntax) -> str:
    return (GOLDEN / workflow / EXTENSIONS[syntax]).read_text(encoding="utf-8")


def api_json(workflow: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / workflow / "api.json").read_text(encoding="utf-8"))
    return data


def test_the_golden_set_covers_the_required_tasks() -> None:
    assert REQUIRED <= set(WORKFLOWS)
    assert len(WORKFLOWS) >= 10


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_all_four_forms_are_the_same_flow(workflow: str) -> None:
    flows = {syntax: parse(read(workflow, syntax), syntax) for syntax in SYNTAXES}
    from_json = from_api(api_json(workflow))
    reference = flows["dataflow"]
    assert 3 <= len(reference.functions) <= 20
    for syntax, flow in flows.items():
        assert flow == reference, syntax
        assert list(flow.functions) == list(reference.functions), syntax
        assert flow.canonical_json() == reference.canonical_json(), syntax
    assert from_json == reference
    assert list(from_json.functions) == list(reference.functions)


@pytest.mark.parametrize("workflow", WORKFLOWS)
@pytest.mark.parametrize("target", SYNTAXES)
def test_every_form_renders_to_the_stored_text(workflow: str, target: Syntax) -> None:
    expected = read(workflow, target)
    for source in SYNTAXES:
        assert render(parse(read(workflow, source), source), target) == expected
    assert render(from_api(api_json(workflow)), target) == expected
    assert detect_syntax(expected) == target


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_every_form_compiles_to_the_stored_api_json(workflow: str) -> None:
    expected = api_json(workflow)
    for syntax in SYNTAXES:
        assert to_api(parse(read(workflow, syntax), syntax)) == expected
    assert to_api(from_api(expected)) == expected


def named_outputs(flow: Flow, catalog: Catalog) -> Flow:
    """Replace output indices by the output names in the catalog (as an author would write them).

    Outputs of node types the vendored snapshot lacks (audio, custom nodes) stay indices.
    """
    links = []
    for link in flow.links:
        spec = catalog.get(flow.functions[link.source].type)
        output = spec.outputs[int(link.output)].name if spec is not None else link.output
        links.append(Link(source=link.source, output=output, target=link.target, input=link.input))
    return flow.with_links(links)


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_output_names_resolve_to_the_stored_indices(workflow: str, snapshot_catalog: Catalog) -> None:
    flow = parse(read(workflow, "dataflow"), "dataflow")
    named = named_outputs(flow, snapshot_catalog)
    for syntax in SYNTAXES:
        reparsed = parse(render(named, syntax), syntax)
        assert reparsed == named
        assert to_api(reparsed, snapshot_catalog, fill_defaults=False) == api_json(workflow)
