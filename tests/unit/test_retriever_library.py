"""The reference-program library: coverage of the paper's categories, headers, users' folders, hashing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anysym.errors import RetrievalError
from anysym.language.catalog import MODEL_FILE_SUFFIXES, Catalog
from anysym.language.syntax import parse, render
from anysym.language.validate import validate
from anysym.reference_programs import (
    CATEGORIES,
    content_hash,
    library_catalog_fragments,
    load_library,
    load_program_file,
)
from anysym.reference_programs.library import BUILTIN_CATALOGS, BUILTIN_PROGRAMS
from anysym.reference_programs.modalities import infer_inputs, infer_outputs
from anysym.reference_programs.program import parse_header

PAPER_CATEGORIES = [c for c in CATEGORIES if c not in ("image-editing", "other")]
LIBRARY = load_library()


def test_library_covers_every_paper_category_and_model_free_edits() -> None:
    assert len(LIBRARY) >= 16
    assert len(PAPER_CATEGORIES) == 12
    assert {p.category for p in LIBRARY} >= set(PAPER_CATEGORIES)
    model_free = [p for p in LIBRARY if not p.models and not p.catalogs]
    assert len(model_free) >= 8
    assert all(p.origin == "builtin" for p in LIBRARY)


@pytest.mark.parametrize("program", LIBRARY, ids=[p.id for p in LIBRARY])
def test_program_metadata_matches_its_flow(program, snapshot_catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    flow = program.flow()
    assert program.node_types == tuple(sorted(flow.node_types()))
    assert (BUILTIN_PROGRAMS / f"{program.id}.alang").is_file()
    assert len(program.description) > 80 and program.use_when
    assert set(infer_inputs(flow)) <= set(program.input_modalities) | {"mask"}
    assert set(infer_outputs(flow)) <= set(program.output_modalities)
    for name in program.catalogs:
        assert (BUILTIN_CATALOGS / f"{name}.json").is_file(), name
    catalog = snapshot_catalog.merged(library_catalog_fragments())
    loaded_files = {
        str(value)
        for function in flow.functions.values()
        for name, value in function.params.items()
        if (spec := catalog[function.type].input(name)) is not None
        and spec.is_model_file
        and str(value).lower().endswith(MODEL_FILE_SUFFIXES)
    }
    assert loaded_files == set(program.models)


@pytest.mark.parametrize("program", LIBRARY, ids=[p.id for p in LIBRARY])
def test_program_validates_against_snapshot_and_fragments(program, snapshot_catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    needed = [Catalog.load(BUILTIN_CATALOGS / f"{name}.json") for name in program.catalogs]
    catalog = snapshot_catalog.merged(*needed)
    assert [d.render() for d in validate(program.flow(), catalog)] == []


def test_model_free_programs_validate_against_the_bare_server_snapshot(snapshot_catalog: Catalog) -> None:
    for program in LIBRARY:
        if not program.models and not program.catalogs:
            assert validate(program.flow(), snapshot_catalog) == [], program.id


def test_fragments_only_declare_what_the_snapshot_lacks_or_model_lists(snapshot_catalog: Catalog) -> None:
    fragments = library_catalog_fragments()
    for name in fragments:
        if name in snapshot_catalog:
            snap, frag = snapshot_catalog[name], fragments[name]
            assert [i.name for i in snap.visible_inputs()] == [i.name for i in frag.visible_inputs()]
            assert snap.outputs == frag.outputs


def test_header_parses_keys_and_continuations() -> None:
    text = (
        "# title: T\n# description: first line\n#   second line\n# use when: a | b\n"
        'workflow.add_node("x", "Y")\n'
    )
    assert parse_header(text) == {"title": "T", "description": "first line second line", "use when": "a | b"}
    with pytest.raises(Exception, match="unknown header key"):
        parse_header("# colour: red\n")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_folder_with_alang_in_any_syntax_and_api_json(tmp_path: Path) -> None:
    flow = LIBRARY[0].flow()
    _write(tmp_path, "mine.alang", "# title: Mine\n# category: image-editing\n" + render(flow, "dataflow"))
    api = {
        "1": {"class_type": "LoadImage", "inputs": {"image": "a.png"}},
        "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}},
    }
    _write(tmp_path, "negative.json", json.dumps(api))
    _write(
        tmp_path, "negative.meta.json", json.dumps({"description": "Invert a photo.", "use_when": ["x", "y"]})
    )
    programs = load_library([tmp_path])
    mine, negative = programs[-2], programs[-1]
    assert (mine.id, mine.title, mine.category) == ("mine", "Mine", "image-editing")
    assert mine.flow() == flow and parse(mine.source, "declarative") == flow
    assert negative.id == "negative" and negative.description == "Invert a photo."
    assert negative.use_when == ("x", "y") and negative.category == "other"
    assert (negative.input_modalities, negative.output_modalities) == (("image",), ("image",))
    assert negative.node_types == ("ImageInvert", "LoadImage", "SaveImage")


def test_user_folder_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(RetrievalError, match="does not exist"):
        load_library([tmp_path / "absent"])
    _write(tmp_path, "text_to_image.alang", LIBRARY[0].source)
    with pytest.raises(RetrievalError, match="two reference programs are called"):
        load_library([tmp_path])
    broken = _write(tmp_path, "broken.alang", 'workflow.add_node("a", )\n')
    with pytest.raises(RetrievalError, match="broken.alang"):
        load_program_file(broken)
    ui = _write(tmp_path, "ui.json", json.dumps({"nodes": [], "links": []}))
    with pytest.raises(RetrievalError, match="needs the server catalog"):
        load_program_file(ui)
    unknown_category = _write(
        tmp_path, "odd.alang", '# category: nope\nworkflow.add_node("p", "LoadImage", {"image": "a.png"})\n'
    )
    with pytest.raises(RetrievalError, match=r"odd\.alang: category: Input should be 'text-to-image'"):
        load_program_file(unknown_category)  # the field and what it accepts, not pydantic's banner


def test_content_hash_is_order_free_and_tracks_content() -> None:
    base = content_hash(LIBRARY)
    assert content_hash(list(reversed(LIBRARY))) == base
    changed = [LIBRARY[0].model_copy(update={"description": "other"}), *LIBRARY[1:]]
    assert content_hash(changed) != base
    assert content_hash(LIBRARY[1:]) != base
