"""A corpus of Comfy-Org's official workflow templates (tests/data/templates, MIT): every one imports.

The fixtures cover what today's editor writes: subgraphs (nested too), bypassed and muted nodes,
reroutes, primitive and note nodes, groups, and node types or widgets newer than the 0.0.1 catalog.
Each imports into a flow; `validate` names each unknown node type once and checks everything else;
API prompts made from them survive `from_api`/`to_api`; mutated copies end in diagnostics or one typed
error, never a traceback.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anysym.cli.validate import diagnose_text
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import from_api, to_api
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.ui_workflow import read_ui
from tests.unit.hostile import FUZZ, all_paths, json_values
from tests.unit.templates import TEMPLATES, all_nodes, load_template

WORKFLOWS = sorted(TEMPLATES.glob("*.json"))
API_PROMPTS = sorted((TEMPLATES / "api").glob("*.json"))


def _features(workflow: dict[str, Any]) -> set[str]:
    nodes = all_nodes(workflow)
    types = {node.get("type") for node in nodes}
    found = {"subgraph"} if workflow.get("definitions", {}).get("subgraphs") else set()
    found |= {"bypass"} if any(node.get("mode") == 4 for node in nodes) else set()
    found |= {"mute"} if any(node.get("mode") == 2 for node in nodes) else set()
    found |= {"groups"} if workflow.get("groups") else set()
    return found | {kind for kind in ("Reroute", "PrimitiveNode", "MarkdownNote", "Note") if kind in types}


def test_the_corpus_covers_what_the_editor_writes() -> None:
    assert len(WORKFLOWS) >= 30
    counts = {name: 0 for name in ("subgraph", "bypass", "mute", "groups", "Reroute", "PrimitiveNode")}
    for path in WORKFLOWS:
        for feature in _features(load_template(path)) & set(counts):
            counts[feature] += 1
    assert min(counts.values()) >= 2, counts


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_every_template_imports_and_validate_names_each_unknown_type_once(
    path: Path, snapshot_catalog: Catalog
) -> None:
    imported = read_ui(load_template(path), snapshot_catalog)
    assert imported.flow.functions, "nothing executable was imported"
    missing = {f.type for f in imported.flow.functions.values() if f.type not in snapshot_catalog}
    diagnostics = diagnose_text(path.read_text(encoding="utf-8"), snapshot_catalog)
    unknown = [d for d in diagnostics if d.kind is DiagnosticKind.UNKNOWN_FUNCTION]
    assert len(unknown) == len(missing)
    assert all(sum(repr(t) in d.message for d in unknown) == 1 for t in missing)
    if not missing:
        assert set(to_api(imported.flow, snapshot_catalog)) == set(imported.flow.functions)


@pytest.mark.parametrize("path", API_PROMPTS, ids=lambda p: p.stem)
def test_api_prompts_round_trip(path: Path) -> None:
    prompt = load_template(path)
    assert to_api(from_api(prompt)) == prompt


def _positions(value: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) inside `value`, depth first."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found.append((value, key))
        _positions(inner, found)
    return found


@FUZZ
@given(data=st.data())
def test_mutated_templates_end_in_diagnostics_or_one_typed_error(
    data: st.DataObject, snapshot_catalog: Catalog
) -> None:
    workflow = copy.deepcopy(load_template(data.draw(st.sampled_from(WORKFLOWS))))
    for _ in range(data.draw(st.integers(1, 4))):
        positions = _positions(workflow, [])
        container, key = positions[data.draw(st.integers(0, len(positions) - 1))]
        if data.draw(st.booleans()) and isinstance(container, dict):
            del container[key]
        else:
            container[key] = data.draw(json_values)
    all_paths(json.dumps(workflow), snapshot_catalog)
