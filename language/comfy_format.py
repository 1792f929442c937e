"""ComfyUI formats: Flow <-> API prompt JSON, and ComfyUI UI-workflow (litegraph) JSON -> Flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anysym.errors import ALangSemanticError, CompileError
from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow, Function, Link, ParamValue
from anysym.language.ui_workflow import from_ui

__all__ = ["ApiPrompt", "from_api", "from_ui", "is_api_prompt", "is_ui_workflow", "output_index", "to_api"]

ApiPrompt = dict[str, dict[str, Any]]
"""`{function_id: {"class_type": str, "inputs": {name: literal | [source_id, output_index]}}}`."""


def output_index(flow: Flow, link: Link, catalog: Catalog | None) -> int:
    """Resolve the output a link reads (name or index) to the index ComfyUI wants."""
    if isinstance(link.output, int):
        return link.output
    source_type = flow.functions[link.source].type
    spec = catalog.get(source_type) if catalog is not None else None
    if spec is None:
        where = "the catalog has no node type " + repr(source_type) if catalog else "no catalog was given"
        raise _compile_error(
            DiagnosticKind.UNKNOWN_FUNCTION if catalog else DiagnosticKind.UNKNOWN_OUTPUT,
            f"cannot resolve output {link.output!r} of function {link.source!r} ({where}); "
            "use an output index or compile with the server's catalog",
            link.target,
            link.input,
        )
    out = spec.output(link.output)
    if out is None:
        names = ", ".join(o.name for o in spec.outputs) or "none"
        raise _compile_error(
            DiagnosticKind.UNKNOWN_OUTPUT,
            f"function {link.source!r} ({source_type}) has no output {link.output!r}; its outputs: {names}",
            link.target,
            link.input,
        )
    return out.index


def _compile_error(kind: DiagnosticKind, message: str, function: str, port: str) -> CompileError:
    """A `CompileError` carrying the one Diagnostic of the same problem, so a refinement can aim at it."""
    diagnostic = Diagnostic(kind=kind, message=message, function=function, port=port)
    return CompileError(message, diagnostics=[diagnostic])


def to_api(flow: Flow, catalog: Catalog | None = None, *, fill_defaults: bool = True) -> ApiPrompt:
    """Compile a flow to a ComfyUI API prompt; ids are kept, output names become indices.

    With a catalog, inputs are emitted in the node type's declaration order and (unless
    `fill_defaults=False`) omitted widget inputs get their catalog defaults. Raises `CompileError` for what
    the API format cannot express: two links into one input, a value and a link on one input, list values.
    """
    if catalog is not None and fill_defaults:
        from anysym.language.validate import fill_defaults as _fill

        flow = _fill(flow, catalog)
    prompt: ApiPrompt = {}
    for function_id, function in flow.functions.items():
        inputs: dict[str, Any] = {}
        for name, value in function.params.items():
            if isinstance(value, list):
                raise _compile_error(
                    DiagnosticKind.WRONG_VALUE_TYPE,
                    f"parameter {name!r} of function {function_id!r} is a list; ComfyUI reads lists as "
                    "links, so pass a scalar or link the value from another function",
                    function_id,
                    name,
                )
            inputs[name] = value
        for link in flow.links_into(function_id):
            if link.input in inputs:
                twice = isinstance(inputs[link.input], list)
                raise _compile_error(
                    DiagnosticKind.DUPLICATE_LINK if twice else DiagnosticKind.VALUE_AND_LINK,
                    f"input {link.input!r} of function {function_id!r} has "
                    f"{'two links' if twice else 'both a value and a link'}; keep exactly one",
                    function_id,
                    link.input,
                )
            inputs[link.input] = [link.source, output_index(flow, link, catalog)]
        spec = catalog.get(function.type) if catalog is not None else None
        prompt[function_id] = {"class_type": function.type, "inputs": _ordered(inputs, spec)}
    return prompt


def _ordered(inputs: dict[str, Any], spec: NodeSpec | None) -> dict[str, Any]:
    if spec is None:
        return inputs
    known = {name: inputs[name] for name in spec.inputs if name in inputs}
    return known | {name: value for name, value in inputs.items() if name not in known}


def is_api_prompt(data: Any) -> bool:
    """Tell whether parsed JSON looks like an API prompt (an object of `{class_type, inputs}`)."""
    return (
        isinstance(data, Mapping)
        and bool(data)
        and all(isinstance(v, Mapping) and "class_type" in v for k, v in data.items() if k != "_meta")
    )


def is_ui_workflow(data: Any) -> bool:
    """Tell whether parsed JSON looks like a ComfyUI UI workflow (litegraph `nodes` + `links`)."""
    return isinstance(data, Mapping) and isinstance(data.get("nodes"), list) and "links" in data


def from_api(prompt: Mapping[str, Any]) -> Flow:
    """Read an API prompt into a Flow; `[source_id, index]` values become links, the rest parameters."""
    if isinstance(prompt, Mapping) and isinstance(prompt.get("prompt"), Mapping):
        prompt = prompt["prompt"]  # a POST /prompt body
    if not isinstance(prompt, Mapping):
        raise ALangSemanticError("an API prompt must be a JSON object of {id: {class_type, inputs}}")
    functions: dict[str, Function] = {}
    links: list[Link] = []
    for function_id, node in prompt.items():
        if not isinstance(node, Mapping) or not isinstance(node.get("class_type"), str):
            raise ALangSemanticError(f"API node {function_id!r} needs a string 'class_type'")
        raw_inputs = node.get("inputs", {})
        if not isinstance(raw_inputs, Mapping):
            raise ALangSemanticError(f"API node {function_id!r} has 'inputs' that is not an object")
        params: dict[str, ParamValue] = {}
        for name, value in raw_inputs.items():
            if isinstance(value, list):
                links.append(_api_link(str(function_id), str(name), value))
            elif value is None or isinstance(value, bool | int | float | str):
                params[str(name)] = value
            else:
                raise ALangSemanticError(
                    f"input {name!r} of API node {function_id!r} is neither a literal nor a link"
                )
        functions[str(function_id)] = _function(str(function_id), node["class_type"], params)
    return Flow.build(functions, links)


def _api_link(target: str, name: str, value: list[Any]) -> Link:
    if len(value) != 2 or not isinstance(value[0], str | int) or isinstance(value[1], bool):
        raise ALangSemanticError(f"input {name!r} of API node {target!r} is a malformed link {value!r}")
    if not isinstance(value[1], int) or value[1] < 0:
        raise ALangSemanticError(
            f"input {name!r} of API node {target!r} links a bad output index {value[1]!r}"
        )
    return Link(source=str(value[0]), output=value[1], target=target, input=name)


def _function(function_id: str, node_type: str, params: dict[str, ParamValue]) -> Function:
    try:
        return Function(type=node_type, params=params)
    except ValueError as exc:
        raise ALangSemanticError(f"node {function_id!r}: {exc}") from exc
