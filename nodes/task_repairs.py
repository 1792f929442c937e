"""Deterministic psi1 repairs from the task's own facts, applied before psi2 links the functions.

Small models (measured with the embedded 0.5B) make two mistakes the task text settles:
- they start with the first editing step and forget the loader of the input file (the reference
  programs' `LoadImage` line is skipped), so psi2 has nothing to link the edits to and invents cycles:
  `load_inputs` adds the missing `LoadImage`;
- they copy sizes from the reference programs ("scale it to 256x256" became 96x96): `use_stated_size`
  writes the one size the task states into the one function that takes a width and a height.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function
from anysym.nodes.task_facts import IMAGE_SUFFIXES, numbers_in

__all__ = ["load_inputs", "use_stated_size"]

_LOADER = "LoadImage"
_SIZE = re.compile(r"\d+(?:\.0+)?[x×]\d+(?:\.0+)?")


def load_inputs(flow: Flow, inputs: Sequence[str | Path], catalog: Catalog) -> tuple[Flow, list[str]]:
    """Return `flow` with a `LoadImage` (first) for each input image no function names; one note per add.

    An input counts as loaded when any parameter of any function equals its file name.
    """
    if _LOADER not in catalog:
        return flow, []
    named = {value for function in flow.functions.values() for value in function.params.values()}
    missing = [Path(p).name for p in inputs if Path(p).suffix.lower() in IMAGE_SUFFIXES]
    missing = [name for name in dict.fromkeys(missing) if name not in named]
    if not missing:
        return flow, []
    added: dict[str, Function] = {}
    notes = []
    for name in missing:
        function_id = _free_id(_id_for(name), {*flow.functions, *added})
        added[function_id] = Function(type=_LOADER, params={"image": name})
        notes.append(f'added {function_id} = {_LOADER}(image="{name}"): the input file was not loaded')
    return Flow.build({**added, **flow.functions}, flow.links), notes


def use_stated_size(flow: Flow, task: str) -> tuple[Flow, list[str]]:
    """Set width/height to the task's size when it states exactly one `WxH` and one function takes both.

    Nothing changes when the task states several sizes (which goes where is a real choice) or the
    function already has the stated size.
    """
    sizes = [n for n in numbers_in(task) if _SIZE.fullmatch(n)]
    sized = [fid for fid, f in flow.functions.items() if "width" in f.params and "height" in f.params]
    if len(sizes) != 1 or len(sized) != 1:
        return flow, []
    width, height = (int(float(part)) for part in re.split(r"[x×]", sizes[0]))
    function_id = sized[0]
    params = flow.functions[function_id].params
    if (params["width"], params["height"]) == (width, height):
        return flow, []
    note = (
        f"set {function_id} width/height {params['width']}x{params['height']} -> {width}x{height}: "
        "the size the task states"
    )
    return flow.with_params(function_id, {**params, "width": width, "height": height}), [note]


def _id_for(file_name: str) -> str:
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(file_name).stem.lower()).strip("_") or "input"
    return stem if stem[0].isalpha() else f"image_{stem}"


def _free_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
