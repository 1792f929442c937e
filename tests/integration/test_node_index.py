"""Node search with the real offline embedding, a real Chroma store and the real node documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from anysym.bench.node_recall import node_recall
from anysym.bench.suites import load_suite
from anysym.graph.context import Context
from anysym.language.catalog import Catalog
from anysym.retriever import OfflineMiniLM, ProgramIndex
from anysym.retriever.factory import build_node_index
from anysym.retriever.node_docs import NodeDoc, embedded_docs_dir
from anysym.retriever.node_index import NodeIndex
from anysym.settings import Paths

SUITES = Path(__file__).resolve().parents[2] / "bench" / "suites"

pytestmark = pytest.mark.skipif(
    embedded_docs_dir() is None,
    reason="comfyui-embedded-docs is not installed (scripts/setup.sh installs it)",
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    return Paths(home=tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def index(home: Paths, snapshot_catalog: Catalog) -> NodeIndex:
    built = build_node_index(home, snapshot_catalog, embedding=OfflineMiniLM())
    assert built.ensure() is True  # first use builds
    return built


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("invert the colours", "ImageInvert"),
        ("blur it", "ImageBlur"),
        ("turn the mask's white area bigger", "GrowMask"),
        ("a blank black canvas", "EmptyImage"),  # undocumented upstream: found by its name's words
        ("crop a region", "ImageCrop"),
    ],
)
def test_a_step_finds_its_node_in_the_top_three(index: NodeIndex, query: str, expected: str) -> None:
    assert expected in [hit.name for hit in index.retrieve_nodes(query, k=3)]


def test_documented_nodes_carry_the_packages_gist(index: NodeIndex) -> None:
    gist = index.gist("ImageInvert")
    assert gist is not None and gist.lower().startswith("invert the colors")
    assert index.gist("NoSuchNode") is None


def test_the_store_persists_and_rebuilds_only_when_the_docs_change(home: Paths, index: NodeIndex) -> None:
    embedding = OfflineMiniLM()
    same = NodeIndex(home, embedding=embedding, docs=index.docs)
    assert same.ensure() is False  # same content: reused from disk
    changed = dict(index.docs) | {
        "ImageInvert": NodeDoc(name="ImageInvert", title="x", summary="plays a sound")
    }
    rebuilt = NodeIndex(home, embedding=embedding, docs=changed)
    assert rebuilt.ensure() is True
    assert rebuilt.retrieve_nodes("", k=3) == [] and rebuilt.retrieve_nodes("x", k=0) == []


def test_an_empty_catalog_finds_nothing(home: Paths) -> None:
    empty = NodeIndex(home, embedding=OfflineMiniLM(), docs={}, collection="empty_nodes")
    assert empty.retrieve_nodes("invert", k=3) == []


@pytest.mark.parametrize("suite_name", ["cpu", "fresh", "unseen", "heldout"])
async def test_the_prompt_shows_the_solutions_node_types(
    tmp_path_factory: pytest.TempPathFactory, snapshot_catalog: Catalog, suite_name: str
) -> None:
    """Issue 12's bar: >= 95% of the reference solutions' node types reach the psi1 catalog excerpt."""
    suite = load_suite(SUITES / f"{suite_name}.json")
    own = Paths(home=tmp_path_factory.mktemp("recall"))  # other tests here rebuild the shared collection
    embedding = OfflineMiniLM()
    report = await node_recall(
        suite,
        Path("."),
        catalog=snapshot_catalog,
        retriever=ProgramIndex(own, embedding=embedding),
        nodes=build_node_index(own, snapshot_catalog, embedding=embedding),
        context=Context(),
        label=suite_name,
    )
    assert len(report.tasks) == len(suite.tasks)
    assert report.type_recall >= 0.95, [(t.task_id, t.missing) for t in report.tasks if t.missing]
