"""Deterministic repairs from the task's own facts, applied on every path (psi1, compile of any draft).

Small models (measured with the embedded 0.5B) make mistakes the task text and its input files settle:
- they start with the first editing step and forget the loader of an input file (the reference
  programs' `LoadImage` line is skipped), so psi2 has nothing to link the edits to and invents cycles:
  `load_inputs` adds the missing loader, chosen per file kind from the catalog, and names the file of a
  loader written without one (`LoadImageMask(channel="alpha")` failed validation through every refine);
- they copy literal values from the reference programs ("scale it to 256x256" became 96x96, "blend
  evenly" kept `blend_mode="screen"`): `bind_task_values` writes the values the task states.
- they keep an example's crop position for "the central 96x96 square" or "the 80x60 corner at the bottom
  right": `anchored_crops` computes it from the input's real size; and an example's size for "a quarter
  of its width and height" in a resize by width and height: `scaled_sizes` computes it from the
  input's size and the factor;
- with no input files at all, they still copy a loader of the examples' "photo.png":
  `create_instead_of_loading` turns it into the creator of that value (EmptyImage, EmptyLatentImage);
`apply_task_repairs` runs them; it is idempotent, so psi1 and compile may both apply it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from anysym.executor.outputs import SUFFIX_KINDS
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function
from anysym.language.io_nodes import CREATORS, LOADERS
from anysym.language.validate_values import is_file_input
from anysym.repair.anchored_crops import anchored_crops
from anysym.task.scaled_sizes import scaled_sizes
from anysym.task.values import bind_task_values
from anysym.verify.media import read_media

__all__ = ["apply_task_repairs", "create_instead_of_loading", "load_inputs"]


def apply_task_repairs(
    flow: Flow, *, task: str, inputs: Sequence[str | Path], catalog: Catalog
) -> tuple[Flow, list[str]]:
    """Load every input file the flow forgot, then bind the values the task states; one note per change."""
    flow, notes = load_inputs(flow, inputs, catalog) if inputs else create_instead_of_loading(flow, catalog)
    names = [Path(p).name for p in inputs]
    flow, bound = bind_task_values(flow, task, catalog, names)
    images = [size for size in (read_media(Path(p)).size for p in inputs) if size is not None]
    flow, placed = anchored_crops(flow, task, images, catalog)
    flow, scaled = scaled_sizes(flow, task, names, images, catalog)
    return flow, notes + bound + placed + scaled


def create_instead_of_loading(flow: Flow, catalog: Catalog) -> tuple[Flow, list[str]]:
    """For a task without input files: each loader becomes the creator of the value it would load.

    With no file to load, a copied `LoadImage("photo.png")` can only fail on the server; refine then
    kept the loader (a 0.5B answered the same flow three times). The loader's used output type (its
    first one before links exist) picks the creator (`EmptyImage`, `EmptyLatentImage`, `SolidMask`),
    whose values the task binding then sets ("a 200x100 image"). A loader whose results of several
    types are used is left alone.
    """
    notes: list[str] = []
    for function_id, function in list(flow.functions.items()):
        spec = catalog.get(function.type)
        if spec is None or not spec.outputs or not any(is_file_input(i) for i in spec.widget_inputs()):
            continue
        used = {str(link.output) for link in flow.links_from(function_id)}
        types = {o.type for o in spec.outputs if o.name in used or str(o.index) in used} or {
            spec.outputs[0].type
        }
        creator = CREATORS.get(next(iter(types))) if len(types) == 1 else None
        made = catalog.get(creator) if creator else None
        if made is None or not made.outputs:
            continue
        output = next(o for o in made.outputs if o.type in types)
        links = [
            link.model_copy(update={"output": output.name}) if link.source == function_id else link
            for link in flow.links
        ]
        flow = flow.with_function(function_id, Function(type=made.name)).with_links(links)
        notes.append(
            f"changed {function_id} from {function.type} to {made.name}: the task has no input files, so "
            "the value is created"
        )
    return flow, notes


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
            if not is_file_input(inp) or value in names:
                continue
            # a free task file of the loader's kind, else the only task file of that kind
            loaded = [k for k, pairs in LOADERS.items() if (function.type, inp.name) in pairs]
            if isinstance(value, str) and value.strip():
                loaded = [k for k in (_kind(value),) if k is not None] or loaded
                why = f'the task has no file "{value}"'
            else:
                why = "the loader named no file"
            of_kind = [n for n in names if _kind(n) in loaded]
            match = next((n for n in free if n in of_kind), of_kind[0] if len(of_kind) == 1 else None)
            if match is None:
                continue
            if match in free:
                free.remove(match)
            flow = flow.with_params(function_id, {**function.params, inp.name: match})
            shown = f'"{value}"' if isinstance(value, str) else repr(value)
            notes.append(f'set {function_id}.{inp.name} {shown} -> "{match}": {why}')
    return flow, notes


def _kind(file_name: str) -> str | None:
    return SUFFIX_KINDS.get(Path(file_name).suffix.lower())


def _loader(file_name: str, catalog: Catalog) -> tuple[str, str] | None:
    loaders = LOADERS.get(_kind(file_name) or "", ())
    return next(((t, i) for t, i in loaders if t in catalog and catalog[t].input(i) is not None), None)


def _id_for(file_name: str) -> str:
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(file_name).stem.lower()).strip("_") or "input"
    return stem if stem[0].isalpha() else f"image_{stem}"


def _free_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
