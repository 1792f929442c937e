"""Flow -> ComfyUI UI-workflow (litegraph) JSON: a workflow the ComfyUI editor opens, laid out readably.

Nodes are placed in columns by topological depth (a function sits one column right of its deepest
source) and stacked without overlap; each node's title is its function id, also kept in
`properties["anysym_id"]` so that `from_ui` gives the function its id back. Widget values are written in
the frontend's order (`ui_workflow.widget_slots`): a seed's control widget is "fixed", an upload
button's value its kind ("image").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.comfy_format import output_index
from anysym.language.defaults import default_for, fill_defaults
from anysym.language.flow import Flow
from anysym.language.ui_workflow import ANYSYM_ID, SEED_CONTROL, widget_slots

__all__ = ["UI_VERSION", "to_ui"]

UI_VERSION = 0.4
"""The litegraph workflow version the ComfyUI frontend writes for a graph without subgraphs."""
_COLUMN_WIDTH, _NODE_WIDTH, _GAP = 360, 300, 40
_TITLE_HEIGHT, _ROW_HEIGHT = 30, 26
_SEED_CONTROL_VALUE = "fixed"


@dataclass
class _Node:
    number: int
    function_id: str
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)


def to_ui(flow: Flow, catalog: Catalog) -> dict[str, Any]:
    """Return `flow` as a UI workflow; widget values the flow omits are the catalog's defaults.

    Raises `CompileError` when a link names an output the catalog does not know (as `to_api` does).
    """
    flow = fill_defaults(flow, catalog)
    order = _topological(flow)
    nodes = {fid: _Node(number, fid) for number, fid in enumerate(order, start=1)}
    for function_id, node in nodes.items():
        spec = catalog.get(flow.functions[function_id].type)
        node.inputs = _sockets(flow, function_id, spec)
        node.outputs = _outputs(flow, function_id, spec)
    links = _links(flow, nodes, catalog)
    positions = _layout(flow, order, nodes)
    return {
        "last_node_id": len(order),
        "last_link_id": len(links),
        "nodes": [
            _node_json(flow, nodes[fid], index, positions[fid], catalog) for index, fid in enumerate(order)
        ],
        "links": links,
        "groups": [],
        "config": {},
        "extra": {},
        "version": UI_VERSION,
    }


def _topological(flow: Flow) -> list[str]:
    """Function ids, every source before its targets, ties in the flow's order."""
    remaining = {fid: {lk.source for lk in flow.links_into(fid)} for fid in flow.functions}
    order: list[str] = []
    while remaining:
        ready = [fid for fid, sources in remaining.items() if not sources & remaining.keys()]
        ready = ready or [next(iter(remaining))]  # a cycle: placed anyway, validate reports it
        for fid in ready:
            order.append(fid)
            del remaining[fid]
    return order


def _sockets(flow: Flow, function_id: str, spec: NodeSpec | None) -> list[dict[str, Any]]:
    linked = {lk.input for lk in flow.links_into(function_id)}
    if spec is None:
        return [{"name": name, "type": "*", "link": None} for name in sorted(linked)]
    sockets: list[dict[str, Any]] = [
        {"name": i.name, "type": i.type, "link": None} for i in spec.socket_inputs()
    ]
    for widget in spec.widget_inputs():  # a widget fed by a link is shown as a socket
        if widget.name in linked:
            sockets.append(
                {"name": widget.name, "type": widget.type, "widget": {"name": widget.name}, "link": None}
            )
    return sockets


def _outputs(flow: Flow, function_id: str, spec: NodeSpec | None) -> list[dict[str, Any]]:
    if spec is not None:
        return [{"name": o.name, "type": o.type, "links": [], "slot_index": o.index} for o in spec.outputs]
    count = max((lk.output for lk in flow.links_from(function_id) if isinstance(lk.output, int)), default=-1)
    return [{"name": f"output_{i}", "type": "*", "links": [], "slot_index": i} for i in range(count + 1)]


def _links(flow: Flow, nodes: Mapping[str, _Node], catalog: Catalog) -> list[list[Any]]:
    links: list[list[Any]] = []
    for link in flow.links:
        source, target = nodes[link.source], nodes[link.target]
        origin_slot = output_index(flow, link, catalog)
        target_slot = next((i for i, s in enumerate(target.inputs) if s["name"] == link.input), None)
        if target_slot is None or origin_slot >= len(source.outputs):
            continue  # an input or output the catalog lacks: validate reports it
        link_id = len(links) + 1
        socket_type = source.outputs[origin_slot]["type"]
        source.outputs[origin_slot]["links"].append(link_id)
        target.inputs[target_slot]["link"] = link_id
        links.append([link_id, source.number, origin_slot, target.number, target_slot, socket_type])
    return links


def _layout(flow: Flow, order: list[str], nodes: Mapping[str, _Node]) -> dict[str, tuple[int, int]]:
    depth: dict[str, int] = {}
    for fid in order:
        sources = [lk.source for lk in flow.links_into(fid) if lk.source in depth]
        depth[fid] = 1 + max((depth[s] for s in sources), default=-1)
    next_y: dict[int, int] = {}
    positions: dict[str, tuple[int, int]] = {}
    for fid in order:
        column = depth[fid]
        y = next_y.get(column, 0)
        positions[fid] = (column * _COLUMN_WIDTH, y)
        next_y[column] = y + _height(flow, nodes[fid]) + _GAP
    return positions


def _height(flow: Flow, node: _Node) -> int:
    widgets = len(flow.functions[node.function_id].params)
    return _TITLE_HEIGHT + _ROW_HEIGHT * (max(len(node.inputs), len(node.outputs)) + widgets)


def _node_json(flow: Flow, node: _Node, index: int, pos: tuple[int, int], catalog: Catalog) -> dict[str, Any]:
    function = flow.functions[node.function_id]
    spec = catalog.get(function.type)
    return {
        "id": node.number,
        "type": function.type,
        "title": node.function_id,
        "pos": list(pos),
        "size": [_NODE_WIDTH, _height(flow, node)],
        "flags": {},
        "order": index,
        "mode": 0,
        "inputs": node.inputs,
        "outputs": node.outputs,
        "properties": {"Node name for S&R": function.type, ANYSYM_ID: node.function_id},
        "widgets_values": _widget_values(function.params, spec),
    }


def _widget_values(params: Mapping[str, Any], spec: NodeSpec | None) -> list[Any]:
    if spec is None:
        return list(params.values())
    return [
        (_SEED_CONTROL_VALUE if slot == SEED_CONTROL else slot)
        if isinstance(slot, str)
        else params.get(slot.name, default_for(slot)[1])
        for slot in widget_slots(spec)
    ]
