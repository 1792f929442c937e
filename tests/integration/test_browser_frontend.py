"""anysym's UI workflows in the real ComfyUI web frontend, in a headless Chromium.

The managed local ComfyUI serves its own editor; the page loads what `anysym convert --to ui` writes
and what a run's PNG carries, and the editor's own `graphToPrompt` (what its Queue button sends) must
give back the prompt anysym compiles. The frontend is the judge, not anysym's reading of its format.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from typer.testing import CliRunner

from anysym.cli import _register_all, app
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.source_text import read_source
from anysym.language.syntax import parse
from anysym.language.ui_export import to_ui
from anysym.language.ui_workflow import read_ui
from anysym.language.validate import EDITOR_ONLY_INPUTS
from tests.integration.browser import Browser, chromium_path
from tests.integration.conftest import ComfyServer, saved_png
from tests.unit.templates import TEMPLATES, load_template

SOLUTIONS = sorted(
    (Path(__file__).resolve().parents[2] / "bench" / "suites" / "cpu_solutions").glob("*.alang")
)
READY = "window.app && window.app.graph && LiteGraph.registered_node_types['KSampler']"
_register_all()
GRAPH_COUNTS = """(() => ({
    nodes: app.graph._nodes.length,
    links: Object.values(app.graph.links).filter(Boolean).length,
    titles: Object.fromEntries(app.graph._nodes.map((n) => [String(n.id), n.title])),
}))()"""


@pytest.fixture(scope="module")
def page(comfy_server: ComfyServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """The editor of the shared local ComfyUI, open in a headless browser."""
    executable = chromium_path()
    if executable is None:
        pytest.fail("no Chromium on PATH: ./scripts/setup.sh installs Debian's `chromium`", pytrace=False)
    browser = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    try:
        browser.open(comfy_server.url, READY)
        yield browser
    finally:
        browser.close()


def _load(page: Browser, workflow: Mapping[str, Any]) -> dict[str, Any]:
    """Load a UI workflow into the editor; return its node and link counts and the titles by node id."""
    page.evaluate(f"app.loadGraphData({json.dumps(workflow)}).then(() => true)")
    counts: dict[str, Any] = page.evaluate(GRAPH_COUNTS)
    return counts


def _queued_prompt(
    page: Browser, catalog: Catalog, titles: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the editor's Queue button sends, without the inputs the server ignores (an upload button's
    "image", an input its catalog does not list), each node renamed to its title (a function id) when
    `titles` are given."""
    output: dict[str, Any] = page.evaluate("app.graphToPrompt().then((p) => p.output)")
    name_of = titles or {node_id: node_id for node_id in output}
    renamed: dict[str, Any] = {}
    for node_id, node in output.items():
        spec = catalog[node["class_type"]]
        inputs = {
            name: [name_of[value[0]], value[1]] if isinstance(value, list) else value
            for name, value in node["inputs"].items()
            if name not in EDITOR_ONLY_INPUTS and spec.input(name) is not None
        }
        renamed[name_of[node_id]] = {"class_type": node["class_type"], "inputs": inputs}
    return renamed


def _convert_to_ui(source: Path, catalog_path: Path, out: Path) -> dict[str, Any]:
    """`anysym convert SOURCE --to ui --catalog CATALOG -o OUT`, the command a user runs."""
    arguments = ["convert", str(source), "--to", "ui", "--catalog", str(catalog_path), "-o", str(out)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def catalog_file(
    comfy_catalog: Catalog, comfy_server: ComfyServer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The live server's /object_info saved to a file, as `anysym catalog pull` would."""
    path = tmp_path_factory.mktemp("catalog") / "object_info.json"
    path.write_bytes(httpx.get(f"{comfy_server.url}/object_info", timeout=60).content)
    return path


def test_every_converted_cpu_solution_opens_and_queues_the_same_prompt(
    page: Browser, comfy_catalog: Catalog, catalog_file: Path, tmp_path: Path
) -> None:
    assert len(SOLUTIONS) >= 40
    for source in SOLUTIONS:
        flow = parse(read_source(source), "declarative")
        workflow = _convert_to_ui(source, catalog_file, tmp_path / f"{source.stem}.json")
        counts = _load(page, workflow)
        assert (counts["nodes"], counts["links"]) == (len(flow.functions), len(flow.links)), source.name
        assert set(counts["titles"].values()) == set(flow.functions), source.name
        assert _queued_prompt(page, comfy_catalog, counts["titles"]) == to_api(flow, comfy_catalog), (
            source.name
        )


def test_the_editor_draws_a_converted_flow(page: Browser, comfy_catalog: Catalog, tmp_path: Path) -> None:
    flow = parse(read_source(SOLUTIONS[0]), "declarative")
    _load(page, to_ui(flow, comfy_catalog))
    shot = page.screenshot(tmp_path / "editor.png")
    with Image.open(shot) as image:
        assert image.size[0] >= 800 and len(image.getcolors(1 << 20) or ()) > 10  # drawn, not blank


async def test_a_png_saved_by_a_run_reopens_with_the_same_graph(
    page: Browser, comfy_server: ComfyServer, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    flow = parse(
        'workflow.add_node("canvas", "EmptyImage", {"width": 32, "height": 24, "color": 255})\n'
        'workflow.add_node("inverted", "ImageInvert")\n'
        'workflow.add_node("small", "ImageScale", {"upscale_method": "area", "width": 16, "height": 12})\n'
        'workflow.add_node("save", "SaveImage", {"filename_prefix": "browser_png"})\n'
        'workflow.connect("canvas", "IMAGE", "inverted", "image")\n'
        'workflow.connect("inverted", "IMAGE", "small", "image")\n'
        'workflow.connect("small", "IMAGE", "save", "images")\n',
        "declarative",
    )
    prompt = to_api(flow, comfy_catalog)
    png = await saved_png(flow, comfy_server, comfy_catalog, tmp_path / "out")
    page.evaluate("app.loadGraphData({nodes: [], links: [], version: 0.4}).then(() => true)")  # start empty
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    page.evaluate(
        f"fetch('data:image/png;base64,{data}').then((r) => r.blob())"
        ".then((b) => app.handleFile(new File([b], 'saved.png', {type: 'image/png'}))).then(() => true)"
    )
    counts = page.evaluate(GRAPH_COUNTS)
    assert (counts["nodes"], counts["links"]) == (4, 3)
    assert _queued_prompt(page, comfy_catalog, counts["titles"]) == prompt


def _frontend_readable(workflow: Mapping[str, Any], catalog: Catalog) -> bool:
    """Whether this 2024 editor can queue the workflow: no subgraphs, every real node type served."""
    frontend_only = {"Reroute", "Note", "MarkdownNote", "PrimitiveNode"}
    types = {str(node.get("type")) for node in workflow.get("nodes", [])} - frontend_only
    return not workflow.get("definitions", {}).get("subgraphs") and all(t in catalog for t in types)


def test_templates_import_as_the_editor_queues_them(page: Browser, comfy_catalog: Catalog) -> None:
    """Bypassed and muted nodes, reroutes and primitives resolved as the editor's own graphToPrompt does."""
    checked = []
    for path in sorted(TEMPLATES.glob("*.json")):
        workflow = load_template(path)
        if not _frontend_readable(workflow, comfy_catalog):
            continue
        # this 2024 editor predates MarkdownNote (a note: no sockets) and would queue it as a node
        workflow["nodes"] = [n for n in workflow["nodes"] if n.get("type") != "MarkdownNote"]
        for variant, label in _bypassed_and_muted(workflow):
            _load(page, variant)
            ours = to_api(read_ui(variant, comfy_catalog).flow, comfy_catalog)
            assert ours == _queued_prompt(page, comfy_catalog), f"{path.name}: {label}"
            checked.append(f"{path.name}: {label}")
    assert len({name.split(":")[0] for name in checked}) >= 5 and len(checked) >= 100, checked


def _bypassed_and_muted(workflow: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """The workflow as saved, then with each node that has inputs and outputs bypassed, then muted."""
    yield workflow, "as saved"
    for index, node in enumerate(workflow["nodes"]):
        if not node.get("inputs") or not node.get("outputs"):
            continue
        for mode, label in ((4, "bypassed"), (2, "muted")):
            variant = copy.deepcopy(workflow)
            variant["nodes"][index]["mode"] = mode
            yield variant, f"node {node.get('id')} ({node.get('type')}) {label}"
