"""Node search with the real offline embedding, a real Chroma store and the real node documentation."""

from __future__ import annotations

import pytest

from anysym.language.catalog import Catalog
from anysym.retriever import OfflineMiniLM
from anysym.retriever.factory import build_node_index
from anysym.retriever.node_docs import NodeDoc, embedded_docs_dir
from anysym.retriever.node_index import NodeIndex
from anysym.settings import Paths

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
