"""Flows written as tuples for tests: {id: (type, params)} and (source, output, target, input) links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from anysym.language.flow import Flow, Function, Link, ParamValue


def flow_of(
    functions: Mapping[str, tuple[str, Mapping[str, ParamValue]]], links: Sequence[tuple[Any, ...]] = ()
) -> Flow:
    """The flow of these functions and links."""
    return Flow.build(
        {fid: Function(type=t, params=dict(p)) for fid, (t, p) in functions.items()},
        [Link(source=s, output=o, target=t, input=i) for s, o, t, i in links],
    )
