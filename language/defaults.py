"""Filling omitted widget inputs with their catalog defaults (what ComfyUI's front end sends for them)."""

from __future__ import annotations

from anysym.language.catalog import Catalog, InputSpec
from anysym.language.flow import Flow, Function, ParamValue
from anysym.language.validate_values import is_file_input


def default_for(spec: InputSpec) -> tuple[bool, ParamValue]:
    """Return `(True, value)` for the value `fill_defaults` would give `spec`, `(False, None)` if none.

    The catalog default when there is one; else the first choice of a COMBO, as the ComfyUI front end does
    (model files included; never input files such as LoadImage's, which name the user's own data).
    """
    if spec.type not in ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"):
        return False, None
    if spec.default is not None:
        return True, spec.default
    if spec.type == "COMBO" and spec.choices and not is_file_input(spec):
        return True, spec.choices[0]
    return False, None


def has_default(spec: InputSpec) -> bool:
    """Whether an omitted `spec` is filled at compile time (so omitting it is not an error)."""
    return default_for(spec)[0]


def fill_defaults(flow: Flow, catalog: Catalog) -> Flow:
    """Return `flow` with every omitted, unlinked widget input set to its catalog default.

    Required inputs are filled whenever a default exists (also `forceInput` ones, which the server takes as
    literals); optional inputs only when they are real widgets (not `forceInput` sockets). Functions of
    unknown types are left alone. Returns `flow` itself when nothing was missing.
    """
    linked = {(link.target, link.input) for link in flow.links}
    changed: dict[str, Function] = {}
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        if spec is None:
            continue
        added: dict[str, ParamValue] = {}
        for name, inp in spec.inputs.items():
            if name in function.params or (function_id, name) in linked or inp.section == "hidden":
                continue
            if inp.section == "optional" and inp.force_input:
                continue
            found, value = default_for(inp)
            if found:
                added[name] = value
        if added:
            changed[function_id] = Function(type=function.type, params={**function.params, **added})
    if not changed:
        return flow
    functions = {fid: changed.get(fid, function) for fid, function in flow.functions.items()}
    return Flow(functions=functions, links=flow.links)
