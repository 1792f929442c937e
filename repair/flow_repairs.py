"""Deterministic repairs applied to every parsed flow before validation (and before any LLM repair).

Each repair is conservative: it changes something only when exactly one fix is plausible, and it
reports what it did in one line (the lines are recorded in the attempt). Repairs: closest unique name
for unknown node types, inputs, outputs and choices; numeric and boolean coercion of literal values;
an input name fix by type when a link names no input of its target; filling omitted widget defaults;
a `SaveImage` for a lone dangling IMAGE when the flow has no output node; a loaded picture's alpha read
from the loader's MASK (`anysym.repair.alpha_channel`, a ComfyUI quirk).
"""

from __future__ import annotations

import difflib
import re

from anysym.language.catalog import Catalog, InputSpec, NodeSpec
from anysym.language.defaults import fill_defaults
from anysym.language.flow import Flow, Function, Link, ParamValue
from anysym.language.io_nodes import SAVERS
from anysym.language.types import types_compatible
from anysym.language.validate_values import is_file_input
from anysym.repair.alpha_channel import read_alpha_from_mask
from anysym.repair.dangling import splice_dangling

__all__ = ["repair", "unique_close"]

_CUTOFF = 0.75
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def repair(flow: Flow, catalog: Catalog) -> tuple[Flow, list[str]]:
    """Return the repaired flow and one line per repair applied (empty when nothing changed)."""
    notes: list[str] = []
    flow = _fix_types(flow, catalog, notes)
    flow = _fix_params(flow, catalog, notes)
    flow = _fix_links(flow, catalog, notes)
    flow, alpha = read_alpha_from_mask(flow, catalog)
    notes.extend(alpha)
    flow = _add_output_node(flow, catalog, notes)
    flow, spliced = splice_dangling(flow, catalog)
    notes.extend(spliced)
    filled = fill_defaults(flow, catalog)
    for function_id, function in filled.functions.items():
        added = [name for name in function.params if name not in flow.functions[function_id].params]
        if added:
            notes.append(f"filled defaults of {function_id}: {', '.join(added)}")
    return filled, notes


def unique_close(name: str, candidates: list[str]) -> str | None:
    """Return the one candidate close to `name` (same letters ignoring case and `_`, or difflib), or None."""
    if name in candidates:
        return name
    squashed = {_squash(c): c for c in candidates}
    if len(squashed) == len(candidates) and _squash(name) in squashed:
        return squashed[_squash(name)]
    lowered = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=2, cutoff=_CUTOFF)
    return lowered[found[0]] if len(found) == 1 else None


def _squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _fix_types(flow: Flow, catalog: Catalog, notes: list[str]) -> Flow:
    for function_id, function in list(flow.functions.items()):
        if function.type in catalog:
            continue
        fixed = unique_close(function.type, list(catalog))
        if fixed is not None:
            notes.append(f"renamed node type of {function_id}: {function.type} -> {fixed}")
            flow = flow.with_function(function_id, Function(type=fixed, params=function.params))
    return flow


def _fix_params(flow: Flow, catalog: Catalog, notes: list[str]) -> Flow:
    for function_id, function in list(flow.functions.items()):
        spec = catalog.get(function.type)
        if spec is None:
            continue
        params: dict[str, ParamValue] = {}
        for name, value in function.params.items():
            target = name
            if spec.input(name) is None:
                free = [n for n in spec.inputs if n not in function.params]
                fixed = unique_close(name, free)
                if fixed is not None:
                    notes.append(f"renamed parameter {function_id}.{name} -> {fixed}")
                    target = fixed
            inp = spec.input(target)
            params[target] = _coerced(function_id, inp, value, notes) if inp else value
        if params != function.params:
            flow = flow.with_params(function_id, params)
    return flow


def _coerced(function_id: str, spec: InputSpec, value: ParamValue, notes: list[str]) -> ParamValue:
    new = _coerce(spec, value)
    if new != value or type(new) is not type(value):
        notes.append(f"coerced {function_id}.{spec.name}: {value!r} -> {new!r}")
    return new


def _coerce(spec: InputSpec, value: ParamValue) -> ParamValue:
    if spec.type == "INT":
        if isinstance(value, str) and _INT.fullmatch(value.strip()):
            return int(value.strip())
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif spec.type == "FLOAT":
        if isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
            return float(value.strip())
    elif spec.type == "BOOLEAN":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    elif spec.type == "COMBO" and spec.choices and value not in spec.choices and not is_file_input(spec):
        return _closest_choice(value, spec.choices)
    return value


def _closest_choice(value: ParamValue, choices: tuple[ParamValue, ...]) -> ParamValue:
    texts = [str(c) for c in choices]
    text = str(value)
    starts = [c for c in texts if c.lower().startswith(text.lower()) and text]
    if len(starts) == 1:
        return choices[texts.index(starts[0])]
    fixed = unique_close(text, texts)
    return value if fixed is None else choices[texts.index(fixed)]


def _fix_links(flow: Flow, catalog: Catalog, notes: list[str]) -> Flow:
    links: list[Link] = []
    changed = False
    for link in flow.links:
        fixed = _fix_link(flow, link, catalog, notes)
        changed = changed or fixed != link
        links.append(fixed)
    return flow.with_links(links) if changed else flow


def _fix_link(flow: Flow, link: Link, catalog: Catalog, notes: list[str]) -> Link:
    source = catalog.get(flow.functions[link.source].type)
    target = catalog.get(flow.functions[link.target].type)
    output = link.output
    if source is not None and isinstance(output, str) and source.output(output) is None:
        fixed = unique_close(output, [o.name for o in source.outputs])
        if fixed is not None:
            notes.append(f"renamed output {link.source}.{output} -> {fixed}")
            output = fixed
    name = link.input
    if target is not None and target.input(name) is None:
        fixed_input = _fix_input_name(flow, link, source, output, target)
        if fixed_input is not None:
            notes.append(f"renamed linked input {link.target}.{name} -> {fixed_input}")
            name = fixed_input
    return Link(source=link.source, output=output, target=link.target, input=name)


def _fix_input_name(
    flow: Flow, link: Link, source: NodeSpec | None, output: str | int, target: NodeSpec
) -> str | None:
    taken = {lk.input for lk in flow.links_into(link.target) if lk != link}
    taken |= set(flow.functions[link.target].params)
    free = [i for i in target.visible_inputs() if i.name not in taken]
    fixed = unique_close(link.input, [i.name for i in free])
    if fixed is not None or source is None:
        return fixed
    out = source.output(output)
    if out is None:
        return None
    typed = [i.name for i in free if not i.is_widget and types_compatible(out.type, i.type)]
    return typed[0] if len(typed) == 1 else None


def _add_output_node(flow: Flow, catalog: Catalog, notes: list[str]) -> Flow:
    """Save a lone dangling result (image, latent, audio, video, mesh) when the flow has no output node."""
    specs = [catalog.get(f.type) for f in flow.functions.values()]
    if not flow.functions or any(s is None or s.output_node for s in specs):
        return flow
    consumed = {link.source for link in flow.links}
    dangling = [
        (function_id, out.name, saver)
        for (function_id, function), spec in zip(flow.functions.items(), specs, strict=True)
        if spec is not None and function_id not in consumed
        for out in spec.outputs
        if (saver := _saver_for(out.type, catalog)) is not None
    ]
    if len(dangling) != 1:
        return flow
    source, output, (saver_type, saver_input) = dangling[0]
    names = ("save", *(f"save_{i}" for i in range(len(flow.functions) + 1)))
    new_id = next(n for n in names if n not in flow.functions)
    notes.append(f"added {new_id} = {saver_type} for the dangling {output} of {source}")
    flow = flow.with_function(new_id, Function(type=saver_type, params={"filename_prefix": "anysym"}))
    return flow.with_links(
        [*flow.links, Link(source=source, output=output, target=new_id, input=saver_input)]
    )


def _saver_for(socket_type: str, catalog: Catalog) -> tuple[str, str] | None:
    """The first catalog saver (`io_nodes.SAVERS`) whose first socket takes `socket_type`, and that socket."""
    for saver in dict.fromkeys(t for types in SAVERS.values() for t in types):
        spec = catalog.get(saver)
        sockets = spec.socket_inputs() if spec is not None else []
        if sockets and sockets[0].type == socket_type and sockets[0].section == "required":
            return saver, sockets[0].name
    return None
