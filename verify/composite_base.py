"""Which picture is the base of a blend or a paste: "overlay pattern.png on photo.png" puts photo below.

A two-operand function has a base port and a port for what goes on top: ImageBlend's `image1` (its
result is `image1` mixed with the blend of both) and `image2`, ImageCompositeMasked's `destination` and
`source`, MaskComposite's likewise. The small models link the two operands in the order the task names
them ("pattern.png on photo.png": pattern first), so the result is the wrong way round, at the wrong
size or with the wrong colours, and runs without complaint. The task says which is the base when it puts
one input file on, onto, over or into another; the flow's links say which file reaches each port.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow
from anysym.verify.expectations import Expectations
from anysym.verify.flow_walk import file_inputs, upstream
from anysym.verify.wording import mask_names

__all__ = ["base_ports", "check_composite_base", "stated_bases"]

_ON = r"(?:onto|on\s+to|on\s+top\s+of|on|over|into)"
_TOP_ON_BASE = re.compile(rf"\bfile(\d+)\b[^.;,]{{0,40}}?\b{_ON}\s+(?:the\s+)?file(\d+)\b")
_SIDE_BY_SIDE = re.compile(r"Batch|Concat")
_ON_BASE = re.compile(r"\b(?:onto|on\s+to|on\s+top\s+of|over|into)\s+(?:the\s+)?file(\d+)\b")


def stated_bases(task: str, names: Sequence[str]) -> list[tuple[str | None, str]]:
    """(what goes on top or None, the base) per phrase putting an input file on another, in task order."""
    text = mask_names(task, names)
    found: dict[int, tuple[str | None, str]] = {}
    for match in _ON_BASE.finditer(text):
        if int(match.group(1)) < len(names):  # a task may write "file7" itself
            found[match.start(1)] = (None, names[int(match.group(1))])
    for match in _TOP_ON_BASE.finditer(text):
        top, base = int(match.group(1)), int(match.group(2))
        if top != base and max(top, base) < len(names):
            found[match.start(2)] = (names[top], names[base])
    return [found[position] for position in sorted(found)]


def base_ports(spec: NodeSpec) -> tuple[str, str] | None:
    """(base input, top input) of a two-operand function: `destination`/`source` or `<name>1`/`<name>2`.

    A batch or concatenation (`ImageBatch`, `ConditioningConcat`) puts its operands side by side and has
    no base.
    """
    if _SIDE_BY_SIDE.search(spec.name):
        return None
    inputs = spec.inputs
    for base, top in [("destination", "source")] + [(n, n[:-1] + "2") for n in inputs if n.endswith("1")]:
        if base in inputs and top in inputs and inputs[base].type == inputs[top].type:
            return base, top
    return None


def check_composite_base(flow: Flow, expectations: Expectations, catalog: Catalog) -> list[Diagnostic]:
    """One VERIFICATION_FAILED per two-operand function whose base comes from the file put on top."""
    names = [fact.name for fact in expectations.inputs]
    bases = stated_bases(expectations.task, names)
    if not bases:
        return []
    loaded: dict[str, set[str]] = {}
    for function_id, _, name in file_inputs(flow, catalog):
        loaded.setdefault(function_id, set()).add(name)
    reaching: dict[str, tuple[tuple[str, str], set[str], set[str]]] = {}
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        ports = base_ports(spec) if spec is not None else None
        if ports is not None:
            under, over = (_files_into(flow, function_id, port, loaded) for port in ports)
            reaching[function_id] = (ports, under, over)
    under_some = {name for _, under, _ in reaching.values() for name in under}
    found: list[Diagnostic] = []
    for function_id, (ports, under, over) in reaching.items():
        for top, base in bases:
            # the top picture as the base while the base is no composite's base at all: "put logo.png on
            # top of photo.png" with the logo as both operands
            misplaced = top is not None and top in under and base not in under_some
            swapped = base in over and (top is None or top in under)
            if base not in under and (swapped or misplaced):
                found.append(_swapped(function_id, ports, top, base))
                break
    return found


def _files_into(flow: Flow, function_id: str, port: str, loaded: dict[str, set[str]]) -> set[str]:
    link = next((link for link in flow.links_into(function_id) if link.input == port), None)
    if link is None:
        return set()
    sources = {link.source, *upstream(flow, link.source)}
    return {name for source in sources for name in loaded.get(source, ())}


def _swapped(function_id: str, ports: tuple[str, str], top: str | None, base: str) -> Diagnostic:
    below, above = ports
    what = f"{top} goes on top of {base}" if top else f"the other picture goes onto {base}"
    return Diagnostic(
        kind=DiagnosticKind.VERIFICATION_FAILED,
        message=f"{function_id}.{below} is the base of the result, but it gets {top or 'the other picture'} "
        f"and {base} reaches {function_id}.{above}: the task says {what}",
        function=function_id,
        port=below,
        hint=f"link what comes from {base} into {function_id}.{below} and the other picture into "
        f"{function_id}.{above}",
    )
