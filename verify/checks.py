"""Deterministic verification of a flow against its task: static checks before running, output checks after.

**Usage**: `check_static(flow, expect(task, inputs), catalog)` before execution, then
`check_outputs(flow, outputs, expectations, catalog)` on the files the run produced. Every problem is a
`Diagnostic` addressed to the function most likely responsible.
"""

from __future__ import annotations

import difflib

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow
from anysym.language.io_nodes import CREATORS, loaders_for
from anysym.verify.composite_base import check_composite_base
from anysym.verify.expectations import Expectations, InputFact
from anysym.verify.flow_walk import file_inputs, reaching_outputs
from anysym.verify.output_checks import check_outputs

__all__ = ["BLOCKING", "check_outputs", "check_static"]

BLOCKING = frozenset({DiagnosticKind.UNKNOWN_INPUT_FILE})
"""Static findings that stop a flow before it runs: it would fail on the server. The others (an input
left unused, a function reaching no output) are reported by verify with the outputs as evidence, so a
flow that refine could not fix still runs and shows what it does."""


def check_static(flow: Flow, expectations: Expectations, catalog: Catalog) -> list[Diagnostic]:
    """Check, before running, the files loaded, the results saved and the base of each blend or paste.

    Loaders must name real input files and load them all; every result must reach an output; a blend or
    paste must have the picture the task puts below as its base (`anysym.verify.composite_base`).

    A flow without any output function gets no diagnostic here (validation reports `no_output_node`).
    """
    return [
        *_loaded_files(flow, expectations, catalog),
        *_unreached(flow, catalog),
        *check_composite_base(flow, expectations, catalog),
    ]


def _loaded_files(flow: Flow, expectations: Expectations, catalog: Catalog) -> list[Diagnostic]:
    names = [fact.name for fact in expectations.inputs]
    found: list[Diagnostic] = []
    loaded: set[str] = set()
    strays: list[tuple[str, str]] = []
    for function_id, spec, name in file_inputs(flow, catalog):
        if name in names:
            loaded.add(name)
            continue
        strays.append((function_id, name))
        node = catalog[flow.functions[function_id].type]
        found.append(_unknown_file(function_id, spec.name, name, node, names, catalog))
    for fact in expectations.inputs:
        if fact.name not in loaded:
            found.append(_unused_file(fact, strays, catalog))
    return found


def _unknown_file(
    function_id: str, port: str, name: str, node: NodeSpec, names: list[str], catalog: Catalog
) -> Diagnostic:
    if names:
        listed = ", ".join(f'"{n}"' for n in names)
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.0)
        return Diagnostic(
            kind=DiagnosticKind.UNKNOWN_INPUT_FILE,
            message=f'{function_id}.{port} loads "{name}", which is not an input file of the task; '
            f"the task's input files are {listed}",
            function=function_id,
            port=port,
            hint=f'load "{close[0]}" instead' if close else None,
        )
    types = [out.type for out in node.outputs]
    what = next((t.lower() for t in types if t in CREATORS), "input")
    creator = next((CREATORS[t] for t in types if t in CREATORS and CREATORS[t] in catalog), None)
    hint = (
        f"replace {function_id} ({node.name}) with {creator}, sized as the task asks"
        if creator
        else f"replace {function_id} ({node.name}) with a function that creates the {what}"
    )
    return Diagnostic(
        kind=DiagnosticKind.UNKNOWN_INPUT_FILE,
        message=f'{function_id}.{port} loads "{name}", but the task has no input files: '
        f"the {what} must be created, not loaded",
        function=function_id,
        port=port,
        hint=hint,
    )


def _unused_file(fact: InputFact, strays: list[tuple[str, str]], catalog: Catalog) -> Diagnostic:
    closest: tuple[str, str] | None = None
    if strays:
        ratio = {s: difflib.SequenceMatcher(None, s[1], fact.name).ratio() for s in strays}
        closest = max(strays, key=lambda s: ratio[s])
    loader = next(iter(loaders_for([fact.kind], catalog)), None)
    if closest is not None:
        hint = f'load "{fact.name}" in {closest[0]} instead of "{closest[1]}"'
    elif loader is not None:
        hint = f'add a {loader} that loads "{fact.name}" and link its output where the task uses it'
    else:
        hint = f'add a function that loads "{fact.name}"'
    # A file named only for its size ("as large as photo.png") may rightly be left unloaded.
    severity = Severity.WARNING if fact.size_only else Severity.ERROR
    return Diagnostic(
        kind=DiagnosticKind.UNUSED_INPUT_FILE,
        message=f'no function loads the input file "{fact.name}" ({fact.kind}), but the task uses it',
        severity=severity,
        function=closest[0] if closest else None,
        hint=hint,
    )


def _unreached(flow: Flow, catalog: Catalog) -> list[Diagnostic]:
    specs = {fid: catalog.get(f.type) for fid, f in flow.functions.items()}
    if not any(spec is None or spec.output_node for spec in specs.values()):
        return []
    reached = reaching_outputs(flow, catalog)
    savers = [fid for fid, spec in specs.items() if spec is not None and spec.output_node]
    listed = ", ".join(f'"{s}"' for s in savers)
    loaders = {function_id for function_id, _, _ in file_inputs(flow, catalog)}
    found: list[Diagnostic] = []
    for function_id, spec in specs.items():
        if function_id in reached or spec is None or not spec.outputs:
            continue
        # A loader that reaches no output leaves a task input unused: an error. Any other dangling
        # function changes no output, so it is only reported (refining a flow for it cost more than it
        # saved with the 0.5B model: the repair answers broke flows that ran).
        loads = function_id in loaders
        found.append(
            Diagnostic(
                kind=DiagnosticKind.REACHES_NO_OUTPUT,
                severity=Severity.ERROR if loads else Severity.WARNING,
                message=f'function "{function_id}" ({spec.name}) reaches no output function, so nothing it '
                "computes is saved or shown",
                function=function_id,
                hint=f"link its result on towards an output function ({listed}) or remove it",
            )
        )
    return found
