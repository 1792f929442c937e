"""Values the task states that no function of a flow takes: the sign of a missing or wrong step.

"Overlay pattern.png on photo.png with blend factor 0.6 (overlay mode)" names `blend_factor` and a
`blend_mode` choice of ImageBlend; a flow that pastes with ImageCompositeMasked runs, keeps the size and
changes the pixels, so no output check sees that it did another job. The task's own words do: each
value stated next to an input's name ("radius 3", "factor 1.0", "difference blend", "red channel")
must be taken by some function. A value no function of the flow takes, but an input of a node type the
task's search found accepts, is reported with those types, so refine and search can add or swap in one.

The reading is strict, to stay clear of false alarms: a number counts only right next to a word of an
input's name, and a choice only when written with a word of its input's or node's name beside it
("overlay mode", "multiply-blend") or when it is a hyphenated term of its own ("nearest-exact").
A value any function of the flow could take, read as loosely as the value binding reads it, is claimed.
A position "at (32, 32)" is claimed by any function taking an x and a y (a crop, a paste).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from anysym.language.catalog import Catalog, InputSpec, NodeSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow, ParamValue
from anysym.task.phrases import (
    accepts,
    bindable_inputs,
    choice_positions,
    name_words,
    negation_positions,
    number_positions,
    stated_positions,
    task_tokens,
)

__all__ = ["UnclaimedValue", "unclaimed_diagnostics", "unclaimed_values"]

_NEAR = 2
"""How many tokens away from a choice a word of its input's or node's name may stand."""
_UNSPECIFIC = frozenset(
    {"image", "images", "mask", "latent", "apply", "load", "save", "node", "to", "by", "of"}
)
"""Name words that say nothing about which input a choice belongs to ("a grayscale image")."""


@dataclass(frozen=True)
class UnclaimedValue:
    """A stated value no function of the flow takes, and the inputs (`Type.input`) that would."""

    value: ParamValue
    phrase: str
    takers: tuple[str, ...]


def unclaimed_values(
    flow: Flow, task: str, catalog: Catalog, candidates: Sequence[str]
) -> list[UnclaimedValue]:
    """The values `task` states that no function of `flow` takes and some `candidates` type does."""
    tokens = task_tokens(task)
    claimed: set[int] = set()
    for function in flow.functions.values():
        for inp in bindable_inputs(catalog.get(function.type)):
            claimed.update(position for position, _ in _loose(inp, tokens))
    found: dict[int, tuple[ParamValue, list[str]]] = {}
    have = {function.type for function in flow.functions.values()}
    for name in dict.fromkeys(candidates):
        spec = catalog.get(name)
        if spec is None or name in have:
            continue
        for inp in bindable_inputs(spec):
            for position, value in _strict(inp, spec.name, tokens):
                if position not in claimed:
                    found.setdefault(position, (value, []))[1].append(f"{name}.{inp.name}")
    unique: dict[tuple[str, tuple[str, ...]], UnclaimedValue] = {}
    for position, (value, takers) in sorted(found.items()):
        item = UnclaimedValue(
            value=value, phrase=_phrase(tokens, position), takers=tuple(dict.fromkeys(takers))
        )
        unique.setdefault((repr(value), item.takers), item)  # "nearest-neighbour (nearest-exact)": once
    return [*_position(flow, tokens, catalog, candidates), *unique.values()]


def unclaimed_diagnostics(
    flow: Flow, task: str, catalog: Catalog, candidates: Sequence[str]
) -> list[Diagnostic]:
    """One `unclaimed_value` error per value stated for inputs no function of the flow has."""
    found = []
    for item in unclaimed_values(flow, task, catalog, candidates):
        types = list(dict.fromkeys(taker.split(".", 1)[0] for taker in item.takers))
        found.append(
            Diagnostic(
                kind=DiagnosticKind.UNCLAIMED_VALUE,
                message=f'the task states {item.value!r} ("{item.phrase}"), but no function of the flow '
                f"takes it; {' or '.join(item.takers[:3])} would",
                hint=f"add a function of type {' or '.join(types[:3])} for that step, or let one replace "
                "the function doing it",
            )
        )
    return found


def _position(
    flow: Flow, tokens: Sequence[str], catalog: Catalog, candidates: Sequence[str]
) -> list[UnclaimedValue]:
    """A position "at (32, 32)" that no function of the flow can take (none has x and y inputs)."""
    positions = stated_positions(tokens)
    if not positions or any(_placed(catalog.get(f.type)) for f in flow.functions.values()):
        return []
    takers = tuple(f"{name}.x" for name in dict.fromkeys(candidates) if _placed(catalog.get(name)))
    x, y = positions[0]
    return [UnclaimedValue(value=f"({x}, {y})", phrase=f"at ({x}, {y})", takers=takers)] if takers else []


def _placed(spec: NodeSpec | None) -> bool:
    return spec is not None and spec.input("x") is not None and spec.input("y") is not None


def _loose(inp: InputSpec, tokens: Sequence[str]) -> Iterator[tuple[int, ParamValue]]:
    yield from choice_positions(inp, tokens)
    yield from number_positions(inp, tokens)
    yield from negation_positions(inp, tokens)


def _strict(inp: InputSpec, node: str, tokens: Sequence[str]) -> Iterator[tuple[int, ParamValue]]:
    if len(inp.name) < 3:  # "a", "x": an article or a coordinate, never a name the task states
        return
    yield from negation_positions(inp, tokens)
    for position, value in number_positions(inp, tokens, whole_name=True):
        if accepts(inp, value):
            yield position, value
    names = set(name_words(inp.name)) | set(name_words(_split_camel(node)))
    names -= _UNSPECIFIC
    for position, value in choice_positions(inp, tokens):
        words = name_words(str(value))
        if list(tokens[position : position + len(words)]) != words:
            continue  # found by its first word only ("bottom" for bottom_hat)
        near = set(tokens[max(0, position - _NEAR) : position + len(words) + _NEAR]) - set(words)
        if len(words) > 1 or names & near:
            yield position, value


def _split_camel(name: str) -> str:
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()


def _phrase(tokens: Sequence[str], position: int) -> str:
    return " ".join(tokens[max(0, position - 2) : position + 2])
