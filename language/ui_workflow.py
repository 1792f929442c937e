"""ComfyUI UI-workflow (litegraph) JSON -> Flow, naming widget values through a catalog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from anysym.errors import ALangSemanticError
from anysym.language.catalog import Catalog, InputSpec, NodeSpec
from anysym.language.flow import Flow, Function, Link, ParamValue

UI_ONLY_TYPES = frozenset({"Note", "MarkdownNote", "PrimitiveNode", "Reroute"})
SEED_CONTROL_VALUES = frozenset({"fixed", "increment", "decrement", "randomize"})
SEED_CONTROL = "control_after_generate"
"""The `widget_slots` marker of a seed's control widget."""
UPLOADS = {"image_upload": "image"}
"""Upload options whose button the frontend saves as one more widget value, and that value."""
MUTED, BYPASSED = 2, 4
MAX_REROUTE_DEPTH = 64
ANYSYM_ID = "anysym_id"
"""The node property where `to_ui` keeps a node's function id (its title may be edited in the editor)."""


@dataclass(frozen=True)
class _UiLink:
    origin: str
    origin_slot: int
    target: str
    target_slot: int
    type: str


def from_ui(workflow: Mapping[str, Any], catalog: Catalog) -> Flow:
    """Convert a UI workflow to a Flow: node ids become function ids, widget values become parameters.

    A workflow written by `to_ui` gets its function ids back from the nodes' `anysym_id` property.

    Reroutes and bypassed nodes are resolved to the real source, muted nodes and notes are dropped, and
    values of PrimitiveNodes are taken from the widgets they feed. Raises `ALangSemanticError` on a shape
    this importer does not understand (e.g. group nodes missing from the catalog).
    """
    nodes = {str(n.get("id")): n for n in _list(workflow.get("nodes"), "nodes") if isinstance(n, Mapping)}
    names = _function_ids(nodes)
    links = {lk_id: lk for lk_id, lk in (_ui_link(raw) for raw in _list(workflow.get("links"), "links"))}
    functions: dict[str, Function] = {}
    flow_links: list[Link] = []
    for node_id, node in nodes.items():
        node_type = str(node.get("type", ""))
        if node_type in UI_ONLY_TYPES or node.get("mode") in (MUTED, BYPASSED):
            continue
        spec = catalog.get(node_type)
        if spec is None:
            hint = ", ".join(catalog.closest(node_type)) or "none"
            raise ALangSemanticError(
                f"UI node {node_id} has type {node_type!r}, unknown to the catalog (closest: {hint}); "
                "pull the catalog from the server the workflow was made for"
            )
        linked: dict[str, tuple[str, int]] = {}
        for slot, socket in enumerate(_sockets(node)):
            link_id = socket.get("link") if isinstance(socket, Mapping) else None
            if not isinstance(link_id, int) or link_id not in links:
                continue
            source = _resolve(nodes, links, links[link_id], MAX_REROUTE_DEPTH)
            if source is not None:
                linked[str(socket.get("name", slot))] = source
        params = _widget_params(node, spec, set(linked))
        try:
            functions[names[node_id]] = Function(type=node_type, params=params)
        except ValidationError as exc:
            problem = exc.errors()[0].get("msg", "invalid value") if exc.errors() else "invalid value"
            raise ALangSemanticError(
                f"UI node {node_id} ({node_type}) has a widget value anysym cannot hold: {problem}"
            ) from exc
        flow_links += [
            Link(source=names[s], output=i, target=names[node_id], input=name)
            for name, (s, i) in linked.items()
        ]
    return Flow.build(functions, [lk for lk in flow_links if lk.source in functions])


def _function_ids(nodes: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Node id -> function id: the ids `to_ui` kept in node properties, when all are there and distinct."""
    real = [node_id for node_id, node in nodes.items() if node.get("type") not in UI_ONLY_TYPES]
    kept = [_kept_id(nodes[node_id]) for node_id in real]
    names = {node_id: node_id for node_id in nodes}
    if all(kept) and len(set(kept)) == len(kept):
        names.update({node_id: str(name) for node_id, name in zip(real, kept, strict=True)})
    return names


def _kept_id(node: Mapping[str, Any]) -> str | None:
    properties = node.get("properties")
    name = properties.get(ANYSYM_ID) if isinstance(properties, Mapping) else None
    return name if isinstance(name, str) and name else None


def _sockets(node: Mapping[str, Any]) -> list[Any]:
    """A node's input sockets; anything but a list (a hand-edited or foreign file) counts as none."""
    sockets = node.get("inputs")
    return sockets if isinstance(sockets, list) else []


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ALangSemanticError(f"a UI workflow needs a '{what}' list; export the workflow again")
    return value


def _ui_link(raw: Any) -> tuple[int, _UiLink]:
    try:
        if isinstance(raw, Mapping):  # workflow format version 1
            values = [raw["id"], raw["origin_id"], raw["origin_slot"], raw["target_id"], raw["target_slot"]]
            link_type = raw.get("type", "*")
        else:
            values, link_type = list(raw[:5]), raw[5] if len(raw) > 5 else "*"
        link_id, origin, origin_slot, target, target_slot = values
        return int(link_id), _UiLink(
            str(origin), int(origin_slot), str(target), int(target_slot), str(link_type)
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise ALangSemanticError(f"malformed UI link {raw!r}: {exc}") from exc


def _resolve(
    nodes: Mapping[str, Mapping[str, Any]], links: Mapping[int, _UiLink], link: _UiLink, depth: int
) -> tuple[str, int] | None:
    """Follow reroutes and bypassed nodes back to a real (function id, output index), or None."""
    source = nodes.get(link.origin)
    if source is None or depth <= 0:
        return None
    source_type = source.get("type")
    if source_type == "PrimitiveNode" or source.get("mode") == MUTED:
        return None  # primitive values are already in the target's widgets_values
    if source_type == "Reroute" or source.get("mode") == BYPASSED:
        for socket in _sockets(source):
            link_id = socket.get("link") if isinstance(socket, Mapping) else None
            upstream = links.get(link_id) if isinstance(link_id, int) else None
            if upstream is None:
                continue
            if source_type == "Reroute" or socket.get("type") in (link.type, "*"):
                return _resolve(nodes, links, upstream, depth - 1)
        return None
    return (link.origin, link.origin_slot)


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


def _widget_params(node: Mapping[str, Any], spec: NodeSpec, linked: set[str]) -> dict[str, ParamValue]:
    values = node.get("widgets_values")
    widgets = spec.widget_inputs()
    if isinstance(values, Mapping):  # some custom nodes save widgets by name
        return {
            w.name: _typed(w, values[w.name]) for w in widgets if w.name in values and w.name not in linked
        }
    if values is not None and not isinstance(values, list):
        raise ALangSemanticError(f"UI node {node.get('id')} has widgets_values {values!r}, not a list")
    queue = list(values or [])
    params: dict[str, ParamValue] = {}
    for slot in widget_slots(spec):
        if not queue:
            break
        if isinstance(slot, str):  # a frontend-only widget: its value is skipped when it is there
            marker = queue[0] in SEED_CONTROL_VALUES if slot == SEED_CONTROL else queue[0] == slot
            if marker:
                queue.pop(0)
            continue
        value = queue.pop(0)
        if slot.name not in linked:
            params[slot.name] = _typed(slot, value)
    return params


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
    raise ALangSemanticError(f"widget value {value!r} is not a JSON scalar")
