"""A folder of Comfy-Org's official templates is a program library described by its `index.json`."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from anysym.errors import RetrievalError
from anysym.language.catalog import Catalog
from anysym.reference_programs import library_catalog_fragments, load_library
from anysym.reference_programs.templates_index import templates_index
from tests.unit.templates import TEMPLATES

INDEX = [
    {
        "moduleName": "default",
        "category": "Foundation",
        "title": "Image",
        "templates": [
            {
                "name": "flux_schnell",
                "title": "Flux Schnell: Text to Image",
                "description": "Fast  text-to-image\n generation.",
                "tags": ["Text to Image", "Image"],
                "models": ["Flux"],
                "io": {"outputs": [{"nodeId": 9, "nodeType": "SaveImage", "mediaType": "image"}]},
            },
            {
                "name": "hidream_e1_1",
                "title": "HiDream E1.1",
                "tags": ["API", "Image Edit"],
                "io": {
                    "inputs": [{"nodeType": "LoadVideo", "mediaType": "video"}, {"mediaType": "hologram"}]
                },
            },
        ],
    },
    {"title": "Applied", "templates": [{"name": "flux_schnell", "title": "listed twice: the first wins"}]},
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("flux_schnell", "hidream_e1_1", "flux_dev_checkpoint_example"):  # the last is not listed
        shutil.copy(TEMPLATES / f"{name}.json", tmp_path)
    (tmp_path / "index.json").write_text(json.dumps(INDEX), encoding="utf-8")
    (tmp_path / "index.fr.json").write_text(json.dumps(INDEX), encoding="utf-8")
    (tmp_path / "fuse_options.json").write_text('{"keys": []}', encoding="utf-8")  # search settings
    return tmp_path


def test_the_index_lists_and_describes_the_programs(folder: Path, snapshot_catalog: Catalog) -> None:
    builtin = len(load_library())
    programs = {p.id: p for p in load_library([folder], catalog=snapshot_catalog)[builtin:]}
    assert sorted(programs) == ["flux_schnell", "hidream_e1_1"]
    schnell, edit = programs["flux_schnell"], programs["hidream_e1_1"]
    assert schnell.title == "Flux Schnell: Text to Image"
    assert schnell.description == "Fast text-to-image generation."  # whitespace as one space
    assert (schnell.category, schnell.use_when) == ("text-to-image", ("Text to Image", "Image"))
    assert schnell.models == ("Flux",)
    assert (edit.title, edit.category, edit.use_when) == ("HiDream E1.1", "image-editing", ("Image Edit",))
    assert edit.description.startswith("A user program built from")  # the index has none for it
    assert edit.input_modalities == ("video",)  # the index, not the flow, says it (unknown kinds left out)
    assert schnell.node_types and schnell.output_modalities == ("image",)


def test_a_sidecar_still_wins_and_a_listed_file_must_exist(folder: Path, snapshot_catalog: Catalog) -> None:
    (folder / "flux_schnell.meta.json").write_text('{"title": "Mine"}', encoding="utf-8")
    [schnell] = [p for p in load_library([folder], catalog=snapshot_catalog) if p.id == "flux_schnell"]
    assert schnell.title == "Mine" and schnell.category == "text-to-image"
    (folder / "hidream_e1_1.json").unlink()
    with pytest.raises(RetrievalError, match="lists 'hidream_e1_1' but .* is missing"):
        load_library([folder], catalog=snapshot_catalog)


@pytest.mark.parametrize("index", ['{"not": "a list"}', "[1, 2]", "not json", '[{"templates": {}}]'])
def test_another_index_json_is_no_templates_index(tmp_path: Path, index: str) -> None:
    (tmp_path / "index.json").write_text(index, encoding="utf-8")
    assert templates_index(tmp_path) is None


@pytest.mark.skipif(
    importlib.util.find_spec("comfyui_workflow_templates_json") is None,
    reason="the templates extra is absent",
)
def test_the_installed_official_templates_load_as_a_library(snapshot_catalog: Catalog) -> None:
    spec = importlib.util.find_spec("comfyui_workflow_templates_json")
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent / "templates"
    listed = templates_index(folder)
    assert listed is not None and len(listed) > 600
    catalog = snapshot_catalog.merged(library_catalog_fragments())
    programs = load_library([folder], catalog=catalog)[len(load_library()) :]
    assert {p.id for p in programs} == set(listed)
    assert all(p.title == listed[p.id]["title"] for p in programs)
