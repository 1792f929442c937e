"""A deterministic psi1 repair: every input image of the task is loaded by some function.

Small models often start a program with the first editing step and forget the loader of the file the
task gives (the reference programs' `LoadImage` line is skipped); psi2 then has nothing to link the
image inputs to and invents cycles. Adding the missing `LoadImage` before psi2 is the one plausible fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function
from anysym.nodes.task_facts import IMAGE_SUFFIXES

__all__ = ["load_inputs"]

_LOADER = "LoadImage"


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


def _id_for(file_name: str) -> str:
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(file_name).stem.lower()).strip("_") or "input"
    return stem if stem[0].isalpha() else f"image_{stem}"


def _free_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
