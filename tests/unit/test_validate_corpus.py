"""The fault-injection corpus: valid snapshot workflows are clean, and every injected fault is classified
with the right kind and function id (and no error of another kind)."""

from __future__ import annotations

from collections import Counter

import pytest

from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind, has_errors
from anysym.language.validate import validate
from anysym.tests.unit.validate_faults import WORKFLOWS, Fault, build_corpus, build_flow, corpus_catalog

WARNING_CLASSES = {"unused_output", "hidden_input"}


@pytest.fixture(scope="module")
def catalog(snapshot_catalog: Catalog) -> Catalog:
    return corpus_catalog(snapshot_catalog)


@pytest.fixture(scope="module")
def corpus(catalog: Catalog) -> list[Fault]:
    return build_corpus(catalog)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_valid_workflow_has_no_diagnostics(name: str, catalog: Catalog) -> None:
    flow = build_flow(WORKFLOWS[name])
    for function in flow.functions.values():
        assert function.type in catalog, f"{name} uses {function.type}, which is not in the snapshot"
    assert validate(flow, catalog) == []


def test_every_fault_is_classified(corpus: list[Fault], catalog: Catalog) -> None:
    missed = [f for f in corpus if not f.found_in(f.diagnose(catalog))]
    counts = Counter(f.fault_class for f in corpus)
    print("fault corpus:", len(corpus), "cases;", dict(sorted(counts.items())))
    assert not missed, [(f.fault_class, f.workflow, f.function, f.port) for f in missed[:10]]


def test_faults_add_no_error_of_another_kind(corpus: list[Fault], catalog: Catalog) -> None:
    noisy = []
    for fault in corpus:
        diagnostics = fault.diagnose(catalog)
        if fault.fault_class in WARNING_CLASSES:
            assert not has_errors(diagnostics), (fault.fault_class, [d.render() for d in diagnostics])
        else:
            assert has_errors(diagnostics)
        others = [d for d in diagnostics if d.is_error and d.kind is not fault.kind]
        if others:
            noisy.append((fault.fault_class, fault.workflow, [d.render() for d in others]))
    assert not noisy, noisy[:5]


def test_corpus_covers_every_fault_class_and_workflow(corpus: list[Fault]) -> None:
    classes = {f.fault_class for f in corpus}
    assert classes == {
        "unknown_function", "unknown_input", "missing_input", "unknown_output", "type_mismatch",
        "wrong_value_type", "list_value", "value_not_in_list", "value_out_of_range", "path_traversal",
        "output_path_traversal",
        "duplicate_link", "value_and_link", "cycle", "dangling_link", "no_output_node", "unused_output",
        "hidden_input",
    }  # fmt: skip
    assert {f.workflow for f in corpus} == set(WORKFLOWS)
    per_function = {(f.workflow, f.function) for f in corpus if f.fault_class == "unknown_function"}
    assert len(per_function) == sum(len(spec) for spec in WORKFLOWS.values())
    model_faults = [f for f in corpus if f.message_has == "model file not installed"]
    assert {f.function for f in model_faults} >= {"vae", "ckpt"}


def test_unknown_function_hint_names_the_intended_type(corpus: list[Fault], catalog: Catalog) -> None:
    for fault in corpus:
        if fault.fault_class != "unknown_function":
            continue
        assert fault.flow is not None and fault.function is not None
        intended = build_flow(WORKFLOWS[fault.workflow]).functions[fault.function].type
        [diagnostic] = [d for d in fault.diagnose(catalog) if d.kind is DiagnosticKind.UNKNOWN_FUNCTION]
        assert diagnostic.hint is not None and intended in diagnostic.hint, diagnostic.render()
