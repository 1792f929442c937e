"""Key functions: node types (and parameters) the user pins, e.g. `CheckpointLoaderSimple(ckpt_name="x")`.

A key function is written as one dataflow call with literal arguments (parsed by the dataflow syntax
parser). `check_key_functions` reports a `missing_key_function` diagnostic for each key function the
flow lacks, or whose pinned parameters differ.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from anysym.errors import ALangError, ALangSemanticError, ALangSyntaxError
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow, Function
from anysym.language.syntax import parse

__all__ = ["KeyFunction", "check_key_functions", "check_key_types", "parse_key_function"]


class KeyFunction(BaseModel):
    """A pinned node type with the parameter values it must have."""

    model_config = ConfigDict(frozen=True)

    text: str
    function: Function


def parse_key_function(text: str) -> KeyFunction:
    """Parse `Type(name=value, ...)` (or a bare `Type`); raises `ALangSyntaxError` with a hint."""
    call = text.strip()
    if call and "(" not in call:
        call += "()"
    try:
        flow = parse(f"key = {call}", "dataflow")
    except ALangError as exc:
        raise ALangSyntaxError(
            f"cannot read key function {text!r}: {exc.message}; "
            'write it as Type(name=value, ...), e.g. CheckpointLoaderSimple(ckpt_name="sd15.safetensors")',
            line=1,
            column=1,
        ) from exc
    return KeyFunction(text=text.strip(), function=flow.functions["key"])


def check_key_types(keys: Sequence[KeyFunction], catalog: Catalog) -> None:
    """Raise `ALangSemanticError` for a key function whose node type the server does not have.

    Run before any LLM call: a pinned type no flow can contain would spend every round on it.
    """
    for key in keys:
        if catalog.get(key.function.type) is not None:
            continue
        close = difflib.get_close_matches(key.function.type, list(catalog), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; check it in the server's /object_info"
        raise ALangSemanticError(
            f"key function {key.text!r}: the ComfyUI server has no node type {key.function.type!r}{hint}"
        )


def check_key_functions(flow: Flow, keys: Sequence[KeyFunction]) -> list[Diagnostic]:
    """Return one diagnostic per key function that no function of `flow` matches."""
    problems: list[Diagnostic] = []
    for key in keys:
        same_type = [(fid, f) for fid, f in flow.functions.items() if f.type == key.function.type]
        if any(_matches(f, key.function) for _, f in same_type):
            continue
        if same_type:
            fid, function = same_type[0]
            wrong = {k: v for k, v in key.function.params.items() if function.params.get(k) != v}
            shown = ", ".join(f"{k}={v!r}" for k, v in wrong.items())
            problems.append(
                Diagnostic(
                    kind=DiagnosticKind.MISSING_KEY_FUNCTION,
                    function=fid,
                    message=f"key function {key.text} requires {shown}",
                    hint=f"set {shown} on {fid}",
                )
            )
        else:
            problems.append(
                Diagnostic(
                    kind=DiagnosticKind.MISSING_KEY_FUNCTION,
                    message=f"the flow has no {key.function.type}; the user requires {key.text}",
                    hint=f"add a function {key.text} and link it",
                )
            )
    return problems


def _matches(function: Function, key: Function) -> bool:
    return all(function.params.get(name) == value for name, value in key.params.items())
