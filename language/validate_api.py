"""Validating a raw ComfyUI API prompt, including what a `Flow` cannot even hold (links to missing nodes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anysym.errors import ALangError
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.validate_values import path_problem


def validate_api(prompt: Mapping[str, Any], catalog: Catalog) -> list[Diagnostic]:
    """Validate an API prompt (`{id: {class_type, inputs}}` or a POST /prompt body); never raises.

    A link `[source_id, index]` to a node that is not in the prompt (ComfyUI answers 400
    `exception_during_inner_validation` for it) becomes an `unknown_link_source` error on the function
    holding the link; nodes without a string `class_type` become `unknown_function` errors; the rest is
    checked by `validate`. Problems that break the prompt's shape come first, then `validate`'s.
    """
    from anysym.language.comfy_format import from_api
    from anysym.language.validate import validate

    if isinstance(prompt, Mapping) and isinstance(prompt.get("prompt"), Mapping):
        prompt = prompt["prompt"]
    if not isinstance(prompt, Mapping):
        return [_shape("an API prompt must be a JSON object of {id: {class_type, inputs}}")]
    early: list[Diagnostic] = []
    usable = {
        str(fid): node
        for fid, node in prompt.items()
        if isinstance(node, Mapping) and isinstance(node.get("class_type"), str)
    }
    for fid in prompt:
        if str(fid) not in usable:
            early.append(
                Diagnostic(
                    kind=DiagnosticKind.UNKNOWN_FUNCTION,
                    message=f'API node "{fid}" has no string "class_type"; '
                    "give it a node type from the catalog",
                    function=str(fid),
                )
            )
    cleaned: dict[str, Any] = {}
    dropped: set[tuple[str, str]] = set()
    for fid, node in usable.items():
        inputs = node.get("inputs", {})
        if not isinstance(inputs, Mapping):
            early.append(_shape(f'API node "{fid}" has "inputs" that is not an object', fid))
            inputs = {}
        kept: dict[str, Any] = {}
        for name, value in inputs.items():
            if isinstance(value, list) and len(value) == 2 and str(value[0]) not in usable:
                dropped.add((fid, str(name)))
                early.append(_dangling(fid, str(name), value))
            else:
                kept[str(name)] = value
        cleaned[fid] = {"class_type": node["class_type"], "inputs": kept}
    try:
        flow = from_api(cleaned)
    except ALangError as exc:
        return early + (exc.diagnostics or [_shape(exc.message)])
    rest = [
        d
        for d in validate(flow, catalog)
        if not (d.kind is DiagnosticKind.MISSING_INPUT and (d.function, d.port) in dropped)
    ]
    return early + rest


def path_problems(prompt: Mapping[str, Any], catalog: Catalog) -> list[Diagnostic]:
    """Input file names and output prefixes of an API prompt that leave the server's folders.

    The executor's own guard, independent of whether the prompt was validated; nodes and inputs the
    catalog does not know are left to validation.
    """
    found: list[Diagnostic] = []
    for function_id, node in prompt.items():
        if not isinstance(node, Mapping) or not isinstance(node.get("inputs"), Mapping):
            continue
        node_type = node.get("class_type")
        spec = catalog.get(node_type) if isinstance(node_type, str) else None
        if spec is None:
            continue
        for port, value in node["inputs"].items():
            inp = spec.inputs.get(str(port))
            problem = path_problem(str(function_id), spec.name, inp, value) if inp is not None else None
            if problem is not None:
                found.append(problem)
    return found


def dangling_links(prompt: Mapping[str, Any]) -> list[Diagnostic]:
    """Links to functions `prompt` does not contain; the executor never sends such a prompt.

    On an optional input the 2024 server accepts them and its worker thread then dies on a KeyError,
    wedging the whole server (the managed launcher rejects them too; other servers may not).
    """
    return [
        _dangling(str(function_id), str(port), value)
        for function_id, node in prompt.items()
        if isinstance(node, Mapping) and isinstance(node.get("inputs"), Mapping)
        for port, value in node["inputs"].items()
        if isinstance(value, list) and len(value) == 2 and str(value[0]) not in prompt
    ]


def _dangling(function_id: str, port: str, value: list[Any]) -> Diagnostic:
    return Diagnostic(
        kind=DiagnosticKind.UNKNOWN_LINK_SOURCE,
        message=f"input {port!r} of function {function_id!r} links to function {str(value[0])!r}, which is "
        "not in the prompt",
        function=function_id,
        port=port,
        hint="link from an existing function id or remove the link",
    )


def _shape(message: str, function: str | None = None) -> Diagnostic:
    return Diagnostic(kind=DiagnosticKind.SYNTAX_ERROR, message=message, function=function)
