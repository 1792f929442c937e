"""Deterministic repairs from the task's own facts, applied on every path (psi1, compile of any draft).

Small models (measured with the embedded 0.5B) make mistakes the task text and its input files settle:
- they start with the first editing step and forget the loader of an input file (the reference
  programs' `LoadImage` line is skipped), so psi2 has nothing to link the edits to and invents cycles:
  `load_inputs` adds the missing loader, chosen per file kind from the catalog;
- they copy literal values from the reference programs ("scale it to 256x256" became 96x96, "blend
  evenly" kept `blend_mode="screen"`): `bind_task_values` writes the values the task states.
`apply_task_repairs` runs both; it is idempotent, so psi1 and compile may both apply it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from anysym.executor.outputs import SUFFIX_KINDS
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function
from anysym.language.io_nodes import LOADERS
from anysym.language.validate_values import is_file_input
from anysym.nodes.task_values import bind_task_values

__all__ = ["apply_task_repairs", "load_inputs"]


def apply_task_repairs(
    flow: Flow, *, task: str, inputs: Sequence[str | Path], catalog: Catalog
) -> tuple[Flow, list[str]]:
    """Load every input file the flow forgot, then bind the values the task states; one note per change."""
    flow, notes = load_inputs(flow, inputs, catalog)
    flow, bound = bind_task_values(flow, task, catalog, [Path(p).name for p in inputs])
    return flow, notes + bound


def load_inputs(flow: Flow, inputs: Sequence[str | Path], catalog: Catalog) -> tuple[Flow, list[str]]:
    """Return `flow` loading every input file; one note per change.

    A loader of a file the task does not have (the model copied a reference program's "second.png") is
    pointed at an input file no function names, in order; then a loader (first) is added for each input
    still not named. An input counts as loaded when any parameter of any function equals its file name;
    files of a kind with no loader in the catalog are left alone.
    """
    flow, notes = _repoint_loaders(flow, inputs, catalog)
    named = {value for function in flow.functions.values() for value in function.params.values()}
    added: dict[str, Function] = {}
    for name in dict.fromkeys(Path(p).name for p in inputs):
        loader = _loader(name, catalog)
        if name in named or loader is None:
            continue
        node_type, file_input = loader
        function_id = _free_id(_id_for(name), {*flow.functions, *added})
        added[function_id] = Function(type=node_type, params={file_input: name})
        notes.append(
            f'added {function_id} = {node_type}({file_input}="{name}"): the input file was not loaded'
        )
    if not added:
        return flow, notes
    return Flow.build({**added, **flow.functions}, flow.links), notes


def _repoint_loaders(flow: Flow, inputs: Sequence[str | Path], catalog: Catalog) -> tuple[Flow, list[str]]:
    names = list(dict.fromkeys(Path(p).name for p in inputs))
    named = {value for function in flow.functions.values() for value in function.params.values()}
    free = [name for name in names if name not in named]
    notes: list[str] = []
    for function_id, function in list(flow.functions.items()):
        spec = catalog.get(function.type)
        for inp in spec.widget_inputs() if spec is not None else ():
            value = function.params.get(inp.name)
            if not is_file_input(inp) or not isinstance(value, str) or value in names:
                continue
            kind = SUFFIX_KINDS.get(Path(value).suffix.lower())
            match = next((n for n in free if SUFFIX_KINDS.get(Path(n).suffix.lower()) == kind), None)
            if match is None:
                continue
            free.remove(match)
            flow = flow.with_params(function_id, {**function.params, inp.name: match})
            notes.append(
                f'set {function_id}.{inp.name} "{value}" -> "{match}": the task has no file "{value}"'
            )
    return flow, notes


def _loader(file_name: str, catalog: Catalog) -> tuple[str, str] | None:
    kind = SUFFIX_KINDS.get(Path(file_name).suffix.lower())
    loaders = LOADERS.get(kind or "", ())
    return next(((t, i) for t, i in loaders if t in catalog and catalog[t].input(i) is not None), None)


def _id_for(file_name: str) -> str:
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(file_name).stem.lower()).strip("_") or "input"
    return stem if stem[0].isalpha() else f"image_{stem}"


def _free_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
