"""ComfyUI UI-workflow (litegraph) JSON -> Flow, naming widget values through a catalog.

Which nodes run and where their inputs come from is `anysym.language.ui_graph` (subgraphs, bypass,
reroutes, virtual nodes); this module names each node's widget values by the catalog's inputs, in the
frontend's layout (`widget_slots`), and says what it could not carry over (`read_ui`'s notes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from anysym.errors import ALangSemanticError, first_problem
from anysym.language.catalog import Catalog, InputSpec, NodeSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow, Function, Link, ParamValue
from anysym.language.ui_graph import UiNode, executable_nodes

__all__ = ["ANYSYM_ID", "SEED_CONTROL", "UiImport", "from_ui", "has_seed_control", "read_ui", "widget_slots"]

SEED_CONTROL_VALUES = frozenset({"fixed", "increment", "decrement", "randomize"})
SEED_CONTROL = "control_after_generate"
"""The `widget_slots` marker of a seed's control widget."""
UPLOADS = {"image_upload": "image"}
"""Upload options whose button the frontend saves as one more widget value, and that value."""
ANYSYM_ID = "anysym_id"
"""The node property where `to_ui` keeps a node's function id (its title may be edited in the editor)."""


@dataclass(frozen=True)
class UiImport:
    """A UI workflow read as a flow, and what could not be carried over (warned, never dropped silently)."""

    flow: Flow
    notes: tuple[Diagnostic, ...] = ()


def from_ui(workflow: Mapping[str, Any], catalog: Catalog) -> Flow:
    """Convert a UI workflow to a Flow (see `read_ui`; its notes are left out)."""
    return read_ui(workflow, catalog).flow


def read_ui(workflow: Mapping[str, Any], catalog: Catalog) -> UiImport:
    """Convert a UI workflow to a Flow: executed nodes become functions, widget values parameters.

    Subgraphs are expanded, and reroutes, bypassed, muted and virtual nodes resolved as the frontend
    resolves them (`anysym.language.ui_graph`); PrimitiveNode values are taken from the widgets they
    feed. A node type the catalog lacks is kept, so `validate` reports it while checking the rest; its
    widget values cannot be named and are left out, with one note per type. Widget values beyond the
    inputs the catalog knows (a workflow newer than the server), links into inputs the catalog does not
    list (which the server would ignore) and values anysym cannot hold (objects) are left out with a
    note each. A workflow written by `to_ui` gets its function ids back from the
    nodes' `anysym_id` property. Raises `ALangSemanticError` on a shape this importer cannot read.
    """
    executable = executable_nodes(workflow)
    names = _function_ids(executable)
    functions: dict[str, Function] = {}
    flow_links: list[Link] = []
    notes: list[Diagnostic] = []
    unknown: dict[str, list[str]] = {}
    for item in executable:
        node_type = str(item.node.get("type", ""))
        function_id = names[item.execution_id]
        spec = catalog.get(node_type)
        params: dict[str, ParamValue] = {}
        if spec is None:
            unknown.setdefault(node_type, []).append(function_id)
        else:
            params, problems = _widget_params(item, spec)
            notes += [_note(function_id, node_type, problem) for problem in problems]
        try:
            functions[function_id] = Function(type=node_type, params=params)
        except ValidationError as exc:
            problem = first_problem(exc)
            raise ALangSemanticError(
                f"UI node {item.execution_id} ({node_type}) has a widget value anysym cannot hold: {problem}"
            ) from exc
        for name, (source, slot) in item.links.items():
            if source not in names:
                continue
            if spec is not None and spec.input(name) is None:  # the server ignores such an input
                notes.append(_note(function_id, node_type, f"linked input {name!r} is not in the catalog"))
                continue
            flow_links.append(Link(source=names[source], output=slot, target=function_id, input=name))
    notes += [_unknown_type(node_type, ids) for node_type, ids in unknown.items()]
    flow = Flow.build(functions, [link for link in flow_links if link.source in functions])
    return UiImport(flow, tuple(notes))


def _function_ids(executable: list[UiNode]) -> dict[str, str]:
    """Execution id -> function id: the ids `to_ui` kept in node properties, when all are there and unique."""
    kept = [_kept_id(item.node) for item in executable]
    names = {item.execution_id: item.execution_id for item in executable}
    if kept and all(kept) and len(set(kept)) == len(kept):
        names.update({item.execution_id: str(name) for item, name in zip(executable, kept, strict=True)})
    return names


def _kept_id(node: Mapping[str, Any]) -> str | None:
    properties = node.get("properties")
    name = properties.get(ANYSYM_ID) if isinstance(properties, Mapping) else None
    return name if isinstance(name, str) and name else None


def _note(function_id: str, node_type: str, problem: str) -> Diagnostic:
    return Diagnostic(
        kind=DiagnosticKind.UNKNOWN_INPUT,
        severity=Severity.WARNING,
        function=function_id,
        message=f"UI node {function_id} ({node_type}): {problem}; left out",
        hint="pull the catalog from the server the workflow was made for (a newer ComfyUI)",
    )


def _unknown_type(node_type: str, function_ids: list[str]) -> Diagnostic:
    shown = ", ".join(function_ids[:5]) + (", ..." if len(function_ids) > 5 else "")
    return Diagnostic(
        kind=DiagnosticKind.UNKNOWN_FUNCTION,
        severity=Severity.WARNING,
        function=function_ids[0],
        message=(
            f"node type {node_type!r} ({len(function_ids)} node(s): {shown}) is unknown to the catalog, so "
            "their widget values were not imported"
        ),
        hint="install the custom node pack on the server, or pull its catalog (`anysym validate --server`)",
    )


def widget_slots(spec: NodeSpec) -> list[InputSpec | str]:
    """The frontend's `widgets_values` layout for `spec`: inputs, and markers for frontend-only widgets.

    A marker is `SEED_CONTROL` or an upload kind such as "image". A seed is followed by its control
    widget ("fixed", "randomize", ...); a node with an upload input gets its upload button after the
    required widgets (LoadImageMask saves `["m.png", "red", "image"]`).
    """
    slots: list[InputSpec | str] = []
    uploads = [kind for w in spec.widget_inputs() for key, kind in UPLOADS.items() if w.options.get(key)]
    for widget in spec.widget_inputs():
        if widget.section != "required" and uploads:
            slots.append(uploads.pop(0))
        slots.append(widget)
        if has_seed_control(widget):
            slots.append(SEED_CONTROL)
    return slots + uploads


def _widget_params(item: UiNode, spec: NodeSpec) -> tuple[dict[str, ParamValue], list[str]]:
    """The node's widget values by input name (linked inputs left out), and what could not be read."""
    node, linked = item.node, set(item.links)
    values = node.get("widgets_values")
    widgets = spec.widget_inputs()
    problems: list[str] = []
    raw: dict[str, Any] = {}
    if isinstance(values, Mapping):  # some custom nodes save widgets by name
        raw = {w.name: values[w.name] for w in widgets if w.name in values}
        extra = [name for name in values if spec.input(str(name)) is None]
        problems += [f"saved widget value(s) for {extra!r}, inputs the catalog lacks"] if extra else []
    elif values is not None and not isinstance(values, list):
        raise ALangSemanticError(f"UI node {item.execution_id} has widgets_values {values!r}, not a list")
    else:
        queue = list(values or [])
        for slot in widget_slots(spec):
            if not queue:
                break
            if isinstance(slot, str):  # a frontend-only widget: its value is skipped when it is there
                saved = queue[0] if isinstance(queue[0], str) else None  # a list is unhashable
                if saved is not None and (
                    saved in SEED_CONTROL_VALUES if slot == SEED_CONTROL else saved == slot
                ):
                    queue.pop(0)
                continue
            raw[slot.name] = queue.pop(0)
        if queue:
            problems.append(
                f"saved {len(queue)} widget value(s) more than the catalog's inputs: {queue!r}"[:200]
            )
    raw |= {name: value for name, value in item.promoted.items() if spec.input(name) is not None}
    params: dict[str, ParamValue] = {}
    for name, value in raw.items():
        if name in linked:
            continue
        try:
            params[name] = _typed(spec.inputs[name], value)
        except ALangSemanticError as exc:
            problems.append(f"{name}: {exc.message}")
    return params, problems


def has_seed_control(widget: InputSpec) -> bool:
    """Whether the frontend shows a seed-control widget (fixed, randomize, ...) after this INT widget."""
    return widget.type == "INT" and (
        widget.name in ("seed", "noise_seed") or bool(widget.options.get("control_after_generate"))
    )


def _typed(widget: InputSpec, value: Any) -> ParamValue:
    """The widget's value; the UI saves whole FLOATs as JSON ints (cfg 8, denoise 1), made floats here."""
    literal = _literal(value)
    if widget.type == "FLOAT" and isinstance(literal, int) and not isinstance(literal, bool):
        return float(literal)
    return literal


def _literal(value: Any) -> ParamValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_literal(v) for v in value]
    raise ALangSemanticError(f"widget value {str(value)[:80]} is not a JSON scalar or list")
