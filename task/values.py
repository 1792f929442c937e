"""Bind the values a task states to the parameters of the chosen functions.

Small models copy literal values from the reference programs ("blend evenly" kept the example's
`blend_mode="screen"`, "radius 4" kept `blur_radius=2`). The task usually names the parameter it sets,
in ordinary English, so each chosen function's parameters can be read from the task text:

- a choice of an enumerated input named in the task ("normal mode", "bilinear", "the green channel");
- a number next to a word of the parameter's name ("radius 4", "sigma 1.5", "x=40", "8 colours",
  "batch size of 2", "20 steps", "at 2 fps");
- positions "at (16, 16)" for functions taking `x` and `y`;
- sides "by 16 pixels on every side", "24 pixels to the left and to the right" for functions taking
  left/top/right/bottom (`anysym.verify.relative_sizes.read_side_pixels`, shared with verify);
- "no feathering", "without dithering": the parameter's off value;
- "above 0.6" for the one function that thresholds by one number (`anysym.task.comparisons`);
- "grow the disc by 8 pixels", "a 3x3 dilation (morphology)": the one number input of the function the
  task names by a word of its type.

Where the task states values is read by `anysym.task.phrases`.

Only unambiguous bindings are applied: a value type and range the input accepts, and either one stated
value for one function, or as many stated values as functions sharing the parameter (assigned in flow
order, which is the order a pipeline is described in). Everything else is left to the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from anysym.language.catalog import Catalog, InputSpec
from anysym.language.flow import Flow, ParamValue
from anysym.task.comparisons import stated_threshold
from anysym.task.phrases import (
    GENERIC_KEYS,
    accepts,
    bindable_inputs,
    choice_positions,
    is_scale_factor,
    name_words,
    negation_positions,
    numbers_by_key,
    read_number,
    singular,
    stated_positions,
    task_tokens,
)
from anysym.verify.colors import stated_color
from anysym.verify.media import Size
from anysym.verify.relative_sizes import Factor, read_side_pixels
from anysym.verify.wording import read_wording

__all__ = ["bind_task_values", "flow_order"]

_SIDES = ("left", "top", "right", "bottom")
_GENERIC_TYPE_WORDS = frozenset(
    {
        "image",
        "mask",
        "latent",
        "for",
        "to",
        "by",
        "with",
        "load",
        "save",
        "preview",
        "empty",
        "node",
        "advanced",
    }
)
_MAX_KERNEL = 31
"""The largest "NxN" read as a kernel rather than a picture size."""


@dataclass(frozen=True)
class _Slot:
    function_id: str
    spec: InputSpec


def flow_order(flow: Flow) -> list[str]:
    """Function ids in dependency order (sources first), ties kept in the flow's own order."""
    pending = {fid: {link.source for link in flow.links_into(fid)} - {fid} for fid in flow.functions}
    order: list[str] = []
    while pending:
        ready = [fid for fid, deps in pending.items() if not deps - set(order)] or [next(iter(pending))]
        for fid in ready:
            order.append(fid)
            del pending[fid]
    return order


def bind_task_values(
    flow: Flow, task: str, catalog: Catalog, input_names: Sequence[str] = ()
) -> tuple[Flow, list[str]]:
    """Return `flow` with the parameter values the task states, and one note per changed value."""
    tokens = task_tokens(task)
    slots = list(_slots(flow, catalog))
    wording = read_wording(task, input_names)
    bound: dict[tuple[str, str], ParamValue] = {}
    bound.update(_sizes(slots, [stated.size for stated in wording.sizes]))
    bound.update(_factors(slots, [group[0] for group in wording.factor_groups]))
    bound.update(_colors(slots, task))
    for group in _groups(slots, lambda slot: _choice_bindings(slot, tokens)):
        bound.update(group)
    for group in _groups(slots, lambda slot: _number_bindings(slot, tokens)):
        bound.update(group)
    bound.update(_positions(slots, tokens))
    bound.update(_sides(slots, wording.text))
    bound.update(_negations(slots, tokens))
    bound.update(_named_amount(slots, flow, tokens, bound))
    threshold = stated_threshold(flow, catalog, task)
    if threshold is not None and accepts(threshold[1], threshold[2]):
        bound.setdefault((threshold[0], threshold[1].name), _typed(threshold[1], threshold[2]))
    notes: list[str] = []
    for (function_id, name), value in bound.items():
        params = flow.functions[function_id].params
        if params.get(name) == value and type(params.get(name)) is type(value):
            continue
        notes.append(f"set {function_id}.{name} {params.get(name)!r} -> {value!r}: the value the task states")
        flow = flow.with_params(function_id, {**params, name: value})
    return flow, notes


def _slots(flow: Flow, catalog: Catalog) -> Iterator[_Slot]:
    for function_id in flow_order(flow):
        for inp in bindable_inputs(catalog.get(flow.functions[function_id].type)):
            yield _Slot(function_id, inp)


_Binding = tuple[str, list[ParamValue]]
"""The key a slot was found by, and the values stated for it in task order."""
_BindingFinder = Callable[[_Slot], _Binding | None]


def _groups(slots: Sequence[_Slot], find: _BindingFinder) -> Iterator[dict[tuple[str, str], ParamValue]]:
    """Bind each key's values to the slots found by it: one value for one slot, or n values for n slots."""
    by_key: dict[str, tuple[list[_Slot], list[ParamValue]]] = {}
    for slot in slots:
        binding = find(slot)
        if binding is None:
            continue
        key, values = binding
        by_key.setdefault(key, ([], values))[0].append(slot)
    for group, values in by_key.values():
        if len(values) != len(group):
            continue
        pairs = list(zip(group, values, strict=True))
        if all(accepts(slot.spec, value) for slot, value in pairs):
            yield {(slot.function_id, slot.spec.name): _typed(slot.spec, value) for slot, value in pairs}


def _choice_bindings(slot: _Slot, tokens: Sequence[str]) -> _Binding | None:
    found = choice_positions(slot.spec, tokens)
    if not found:
        return None
    return f"choice:{slot.spec.name}", list(dict.fromkeys(choice for _, choice in found))


def _number_bindings(slot: _Slot, tokens: Sequence[str]) -> _Binding | None:
    found = numbers_by_key(slot.spec, tokens)
    if found is None:
        return None
    key, positioned = found
    return key, list(dict.fromkeys(value for _, value in positioned))


def _positions(slots: Sequence[_Slot], tokens: Sequence[str]) -> dict[tuple[str, str], ParamValue]:
    """`at (16, 16)` / `at 64, 48` positions, in task order, for the functions taking both x and y."""
    found = stated_positions(tokens)
    owners = _owners(slots, ("x", "y"))
    if not found or len(found) != len(owners):
        return {}
    bound: dict[tuple[str, str], ParamValue] = {}
    for function_id, (x, y) in zip(owners, found, strict=True):
        bound[(function_id, "x")] = int(x)
        bound[(function_id, "y")] = int(y)
    return bound


def _sizes(slots: Sequence[_Slot], sizes: Sequence[Size]) -> dict[tuple[str, str], ParamValue]:
    """The stated `WxH` sizes, in task order, for the functions taking a width and a height."""
    owners = _owners(slots, ("width", "height"))
    sizes = list(dict.fromkeys(sizes))
    if not sizes or len(sizes) != len(owners):
        return {}
    bound: dict[tuple[str, str], ParamValue] = {}
    for function_id, size in zip(owners, sizes, strict=True):
        bound[(function_id, "width")] = size.width
        bound[(function_id, "height")] = size.height
    return bound


def _factors(slots: Sequence[_Slot], factors: Sequence[Factor]) -> dict[tuple[str, str], ParamValue]:
    """Uniform scale factors ("by a factor of 2", "half size") for the FLOAT inputs named `scale...`."""
    values = list(dict.fromkeys(fx for fx, fy in factors if fx == fy))
    scaled = [s for s in slots if is_scale_factor(s.spec)]
    if not values or len(values) != len(scaled):
        return {}
    pairs = list(zip(scaled, values, strict=True))
    if not all(accepts(slot.spec, value) for slot, value in pairs):
        return {}
    return {(slot.function_id, slot.spec.name): value for slot, value in pairs}


def _colors(slots: Sequence[_Slot], task: str) -> dict[tuple[str, str], ParamValue]:
    """One colour stated as `RGB (r, g, b)`, `#rrggbb` or a basic name, for the one INT `color` input."""
    owners = [s for s in slots if s.spec.name == "color" and s.spec.type == "INT"]
    color = stated_color(task)
    if len(owners) != 1 or color is None:
        return {}
    return {(owners[0].function_id, "color"): color}


def _owners(slots: Sequence[_Slot], names: Sequence[str]) -> list[str]:
    """Function ids (in flow order) taking every input of `names`."""
    taken: dict[str, set[str]] = {}
    for slot in slots:
        taken.setdefault(slot.function_id, set()).add(slot.spec.name)
    return [function_id for function_id, inputs in taken.items() if inputs >= set(names)]


def _sides(slots: Sequence[_Slot], text: str) -> dict[tuple[str, str], ParamValue]:
    """Pixels added per side ("24 pixels to the left and to the right") for the one function with all four."""
    owners = _owners(slots, _SIDES)
    amounts = read_side_pixels(text)
    if len(owners) != 1 or amounts is None:
        return {}
    return {(owners[0], side): amounts[side] for side in _SIDES}


def _named_amount(
    slots: Sequence[_Slot], flow: Flow, tokens: Sequence[str], bound: Mapping[tuple[str, str], ParamValue]
) -> dict[tuple[str, str], ParamValue]:
    """The amount of the function the task names: "grow the disc by 8 pixels", "a 3x3 dilation (morphology)".

    The task names a function by a word of its type ("grow" for GrowMask, "morphology") or of its one
    number input ("expand the disc by 12 pixels"), away from the number. When exactly one named function
    has one number input, an INT left unbound, the one pixel amount stated (or, for a kernel, the one
    small square "3x3") is its value.
    """
    words = set(tokens)
    candidates: list[_Slot] = []
    for function_id in flow_order(flow):
        numbers = [s for s in slots if s.function_id == function_id and s.spec.type in ("INT", "FLOAT")]
        if len(numbers) != 1 or numbers[0].spec.type != "INT" or (function_id, numbers[0].spec.name) in bound:
            continue
        input_words = set(name_words(numbers[0].spec.name)) - GENERIC_KEYS
        if (set(_type_words(flow.functions[function_id].type)) | input_words) & words:
            candidates.append(numbers[0])
    if len(candidates) != 1:
        return {}
    slot = candidates[0]
    pairs = zip(tokens, tokens[1:], strict=False)
    values = {float(number) for number, unit in pairs if unit in ("pixel", "px") and number.isdigit()}
    if "kernel" in slot.spec.name:
        values |= {v for t in tokens if "x" in t and (v := read_number(t)) is not None and v <= _MAX_KERNEL}
    if len(values) != 1 or not accepts(slot.spec, next(iter(values))):
        return {}
    return {(slot.function_id, slot.spec.name): _typed(slot.spec, next(iter(values)))}


def _type_words(node_type: str) -> list[str]:
    """The distinctive words of a node type's name (`GrowMask` -> grow): what a task calls the function."""
    words = [singular(w.lower()) for w in re.findall(r"[A-Z][a-z]+|[a-z]+", node_type)]
    return [w for w in words if w not in _GENERIC_TYPE_WORDS]


def _negations(slots: Sequence[_Slot], tokens: Sequence[str]) -> dict[tuple[str, str], ParamValue]:
    """`no feathering`, `without dithering`: the input's off value (0, False, "none")."""
    bound: dict[tuple[str, str], ParamValue] = {}
    for slot in slots:
        for _, off in negation_positions(slot.spec, tokens)[:1]:
            bound[(slot.function_id, slot.spec.name)] = off
    return bound


def _typed(spec: InputSpec, value: ParamValue) -> ParamValue:
    if spec.type == "INT" and isinstance(value, float):
        return int(value)
    return value
