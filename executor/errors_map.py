"""Turn ComfyUI's error bodies and run-time error events into Diagnostics addressed to function ids.

The API prompt's keys are the flow's function ids, so a node id in `node_errors`, in `Node ID '#x'` or in
an `execution_error` event IS the function id the refiner must fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from anysym.language.diagnostics import Diagnostic, DiagnosticKind

NODE_ID_RE = re.compile(r"Node ID '#?([^']+)'")
MAX_CHOICES_IN_HINT = 12

INPUT_ERROR_KINDS: dict[str, DiagnosticKind] = {
    "required_input_missing": DiagnosticKind.MISSING_INPUT,
    "value_not_in_list": DiagnosticKind.VALUE_NOT_IN_LIST,
    "value_bigger_than_max": DiagnosticKind.VALUE_OUT_OF_RANGE,
    "value_smaller_than_min": DiagnosticKind.VALUE_OUT_OF_RANGE,
    "return_type_mismatch": DiagnosticKind.TYPE_MISMATCH,
    "bad_linked_input": DiagnosticKind.TYPE_MISMATCH,
    "invalid_input_type": DiagnosticKind.WRONG_VALUE_TYPE,
}
"""Per-input error types of `node_errors` with a direct Diagnostic kind (the rest are decided below)."""


def diagnostics_from_400(body: Any) -> list[Diagnostic]:
    """Diagnostics for a `POST /prompt` 400 body (`error` str or object, `node_errors` list or dict)."""
    if not isinstance(body, Mapping):
        return [_rejected("the server rejected the prompt without an error body")]
    node_errors = body.get("node_errors")
    found: list[Diagnostic] = []
    if isinstance(node_errors, Mapping):
        for node_id, entry in node_errors.items():
            found.extend(_node_diagnostics(str(node_id), entry))
    if not found:
        found.append(_top_level(body.get("error")))
    return found


def _node_diagnostics(node_id: str, entry: Any) -> list[Diagnostic]:
    if not isinstance(entry, Mapping):
        return [_rejected(f"the server rejected this function: {entry!r}"[:300], function=node_id)]
    node_type = str(entry.get("class_type") or "?")
    errors = entry.get("errors") if isinstance(entry.get("errors"), list) else []
    if not errors:
        return [_rejected(f"{node_type}: the server rejected this function", function=node_id)]
    return [_input_diagnostic(node_id, node_type, error) for error in errors if isinstance(error, Mapping)]


def _input_diagnostic(node_id: str, node_type: str, error: Mapping[str, Any]) -> Diagnostic:
    kind_name = str(error.get("type") or "")
    extra = _mapping(error.get("extra_info"))
    details = str(error.get("details") or "")
    port = extra.get("input_name") or (details if details.isidentifier() else None)
    message = f"{node_type}: {error.get('message') or kind_name}" + (f" ({details})" if details else "")
    kind = INPUT_ERROR_KINDS.get(kind_name)
    if kind is None:
        kind, message = _special_kind(kind_name, details, extra, message)
    return Diagnostic(
        kind=kind,
        message=message,
        function=node_id,
        port=str(port) if port else None,
        hint=_hint(kind, extra, port),
    )


def _special_kind(
    kind_name: str, details: str, extra: Mapping[str, Any], message: str
) -> tuple[DiagnosticKind, str]:
    if kind_name == "custom_validation_failed":
        looks_like_file = re.search(r"invalid (image|video|audio|mask)? ?file|file", details, re.IGNORECASE)
        return (
            DiagnosticKind.INVALID_INPUT_FILE if looks_like_file else DiagnosticKind.SERVER_REJECTED
        ), message
    if kind_name == "exception_during_inner_validation" and extra.get("exception_type") == "KeyError":
        missing = str(extra.get("exception_message") or details).strip("'\"")
        return (
            DiagnosticKind.UNKNOWN_LINK_SOURCE,
            f"{message}: links from function {missing!r}, which does not exist",
        )
    return DiagnosticKind.SERVER_REJECTED, message


def _hint(kind: DiagnosticKind, extra: Mapping[str, Any], port: Any) -> str | None:
    config = extra.get("input_config")
    options = (
        config[1] if isinstance(config, list) and len(config) > 1 and isinstance(config[1], dict) else {}
    )
    if kind is DiagnosticKind.MISSING_INPUT and port:
        return f"link an output into `{port}` or set a value for it"
    if kind is DiagnosticKind.VALUE_NOT_IN_LIST and isinstance(config, list) and config:
        choices = config[0] if isinstance(config[0], list) else options.get("options")
        if isinstance(choices, list):
            shown = ", ".join(repr(c) for c in choices[:MAX_CHOICES_IN_HINT])
            more = ", ..." if len(choices) > MAX_CHOICES_IN_HINT else ""
            return f"choose one of: {shown}{more}" if choices else "the server offers no choices here"
    if kind is DiagnosticKind.VALUE_OUT_OF_RANGE:
        low, high = options.get("min"), options.get("max")
        return f"use a value between {low} and {high}" if low is not None or high is not None else None
    return None


def _top_level(error: Any) -> Diagnostic:
    if isinstance(error, str):
        return _rejected(f"the server rejected the prompt: {error}")
    if not isinstance(error, Mapping):
        return _rejected("the server rejected the prompt (no error description)")
    kind_name = str(error.get("type") or "")
    text = str(error.get("message") or kind_name)
    details = str(error.get("details") or "")
    match = NODE_ID_RE.search(details) or NODE_ID_RE.search(text)
    function = match.group(1) if match else None
    if kind_name == "invalid_prompt" and "does not exist" in text:
        return Diagnostic(
            kind=DiagnosticKind.UNKNOWN_FUNCTION,
            message=text,
            function=function,
            hint="use a function type that the server's catalog lists",
        )
    if kind_name == "prompt_no_outputs":
        return Diagnostic(
            kind=DiagnosticKind.NO_OUTPUT_NODE,
            message=text,
            hint="add an output function such as SaveImage that consumes the result",
        )
    return _rejected(f"{text} ({details})" if details else text, function=function)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _rejected(message: str, *, function: str | None = None) -> Diagnostic:
    return Diagnostic(kind=DiagnosticKind.SERVER_REJECTED, message=message, function=function)


def diagnostic_from_execution_error(data: Mapping[str, Any]) -> Diagnostic:
    """The Diagnostic for an `execution_error` payload (event data or history message)."""
    node_type = data.get("node_type")
    exception = f"{data.get('exception_type') or 'Exception'}: {data.get('exception_message') or ''}".strip()
    trace = data.get("traceback")
    lines = (
        [line.strip() for entry in trace for line in str(entry).splitlines()]
        if isinstance(trace, list)
        else []
    )
    last = next((line for line in reversed(lines) if line), None)
    node_id = data.get("node_id")
    where = f"{node_type} failed at run time" if node_type else "the server failed while running the flow"
    return Diagnostic(
        kind=DiagnosticKind.EXECUTION_ERROR,
        message=f"{where}: {exception}".rstrip(": "),
        function=None if node_id is None else str(node_id),
        hint=f"last traceback line: {last}"[:400] if last else None,
    )


def diagnostic_from_interrupted(data: Mapping[str, Any]) -> Diagnostic:
    """The Diagnostic for an `execution_interrupted` payload."""
    node_id = data.get("node_id")
    return Diagnostic(
        kind=DiagnosticKind.EXECUTION_INTERRUPTED,
        message=f"execution was interrupted in {data.get('node_type') or 'a function'}",
        function=None if node_id is None else str(node_id),
        hint="the job was stopped (timeout or /interrupt); retry with a longer timeout",
    )


def diagnostics_from_history(entry: Mapping[str, Any]) -> list[Diagnostic]:
    """Run-time problems recorded in a `/history/{id}` entry (for clients that missed the events)."""
    status = _mapping(entry.get("status"))
    found: list[Diagnostic] = []
    for message in status.get("messages") or ():
        if not (isinstance(message, list) and len(message) == 2 and isinstance(message[1], Mapping)):
            continue
        if message[0] == "execution_error":
            found.append(diagnostic_from_execution_error(message[1]))
        elif message[0] == "execution_interrupted":
            found.append(diagnostic_from_interrupted(message[1]))
    return found
