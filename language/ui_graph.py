"""The executable nodes of a ComfyUI UI workflow, with every input resolved as the frontend resolves it.

A UI workflow is a drawing: nodes that run, and nodes and modes that only route values. Before the
frontend queues a workflow it flattens it (`ExecutableNodeDTO` in ComfyUI_frontend); this module does
the same, so a workflow imports as the server would have run it:

- **subgraphs** (`definitions.subgraphs`, the official templates' format since 2025): a node whose
  type is a subgraph's id is replaced by the subgraph's nodes, with execution ids `instance:inner`
  (`"10:7"`, nested `"10:4:7"`); links from the subgraph's input node (id -10) continue outside, from
  the instance's input, and the instance's outputs continue inside, at the link into the output node
  (id -20); values promoted to the instance (`properties.proxyWidgets`) override the inner widgets;
- **bypassed** nodes (mode 4) pass a value through: the input in the same slot as the output when its
  type fits both the output and the consuming input, else the first input of exactly the consuming
  input's type, else the first that fits both; none: the input is left unlinked;
- **muted** nodes (mode 2) run nothing: an input fed by one is left unlinked;
- **virtual** nodes: `Reroute` passes the input of its slot, `GetNode` the input of the `SetNode` of
  the same name (KJNodes), `PrimitiveNode` values are already in the widgets they feed, notes are
  dropped.

A loop of reroutes or bypasses, or subgraphs nested deeper than `MAX_NESTING` (one containing itself),
raises `ALangSemanticError` with one line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from anysym.errors import ALangSemanticError

__all__ = ["BYPASSED", "MUTED", "UI_ONLY_TYPES", "UiNode", "executable_nodes", "sockets"]

MUTED, BYPASSED = 2, 4
UI_ONLY_TYPES = frozenset({"Note", "MarkdownNote", "PrimitiveNode", "Reroute", "SetNode", "GetNode"})
"""Frontend-only node types: they route or annotate, the server never sees them."""
MAX_NESTING = 32
"""Subgraphs nested deeper than this are refused (a definition that contains itself never ends)."""
_INPUT_NODE, _OUTPUT_NODE = "-10", "-20"
"""The ids of a subgraph's input and output nodes in its links."""


@dataclass(frozen=True)
class UiLink:
    """One link of a graph or subgraph: origin node and output slot, target node and input slot."""

    origin: str
    origin_slot: int
    target: str
    target_slot: int
    type: str


@dataclass(frozen=True)
class UiNode:
    """A node the server runs: its execution id, its JSON, and its inputs resolved to real sources."""

    execution_id: str
    node: Mapping[str, Any]
    links: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Input name -> (execution id of the source node, output slot)."""
    promoted: dict[str, Any] = field(default_factory=dict)
    """Widget values set on the enclosing subgraph instance (`proxyWidgets`), by widget name."""


@dataclass(frozen=True)
class _Scope:
    """The root graph, or one subgraph instance's copy of its definition."""

    path: tuple[str, ...]
    nodes: Mapping[str, Mapping[str, Any]]
    links: Mapping[int, UiLink]
    instance: Mapping[str, Any] | None = None
    parent: _Scope | None = None
    promoted: Mapping[str, dict[str, Any]] = field(default_factory=dict)

    def execution_id(self, node_id: str) -> str:
        return ":".join((*self.path, node_id))


def executable_nodes(workflow: Mapping[str, Any]) -> list[UiNode]:
    """Every node of `workflow` the server would run, subgraphs expanded, inputs resolved."""
    definitions = _definitions(workflow)
    root = _Scope((), _nodes(workflow.get("nodes"), "nodes"), _links(workflow.get("links")))
    return list(_collect(root, definitions))


def sockets(node: Mapping[str, Any], key: str = "inputs") -> list[Mapping[str, Any]]:
    """A node's input (or output) sockets; anything malformed counts as an empty socket."""
    found = node.get(key)
    return [s if isinstance(s, Mapping) else {} for s in found] if isinstance(found, list) else []


def _definitions(workflow: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    definitions = workflow.get("definitions")
    subgraphs = definitions.get("subgraphs") if isinstance(definitions, Mapping) else None
    if not isinstance(subgraphs, list):
        return {}
    return {str(s.get("id")): s for s in subgraphs if isinstance(s, Mapping) and s.get("id") is not None}


def _nodes(value: Any, what: str) -> dict[str, Mapping[str, Any]]:
    if not isinstance(value, list):
        raise ALangSemanticError(f"a UI workflow needs a '{what}' list; export the workflow again")
    return {str(n.get("id")): n for n in value if isinstance(n, Mapping)}


def _links(value: Any) -> dict[int, UiLink]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise ALangSemanticError("a UI workflow needs a 'links' list; export the workflow again")
    return dict(_link(raw) for raw in value)


def _link(raw: Any) -> tuple[int, UiLink]:
    try:
        if isinstance(raw, Mapping):  # workflow format version 1 and subgraph definitions
            values = [raw["id"], raw["origin_id"], raw["origin_slot"], raw["target_id"], raw["target_slot"]]
            link_type = raw.get("type", "*")
        else:
            values, link_type = list(raw[:5]), raw[5] if len(raw) > 5 else "*"
        link_id, origin, origin_slot, target, target_slot = values
        if int(origin_slot) < 0 or int(target_slot) < 0:
            raise ValueError("a slot index is negative")
        return int(link_id), UiLink(
            str(origin), int(origin_slot), str(target), int(target_slot), str(link_type)
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise ALangSemanticError(f"malformed UI link {str(raw)[:120]}: {exc}") from exc


def _collect(scope: _Scope, definitions: Mapping[str, Mapping[str, Any]]) -> Iterator[UiNode]:
    for node_id, node in scope.nodes.items():
        node_type = str(node.get("type", ""))
        if node_type in UI_ONLY_TYPES or node.get("mode") in (MUTED, BYPASSED):
            continue
        if node_type in definitions:
            yield from _collect(_enter(scope, node_id, node, definitions[node_type]), definitions)
            continue
        links: dict[str, tuple[str, int]] = {}
        for slot, socket in enumerate(sockets(node)):
            source = _resolve_input(scope, definitions, node, slot, None, set())
            if source is not None:
                links[str(socket.get("name", slot))] = source
        yield UiNode(scope.execution_id(node_id), node, links, scope.promoted.get(node_id, {}))


def _enter(scope: _Scope, node_id: str, instance: Mapping[str, Any], definition: Mapping[str, Any]) -> _Scope:
    if len(scope.path) >= MAX_NESTING:
        raise ALangSemanticError(
            f"subgraphs are nested more than {MAX_NESTING} deep at node {scope.execution_id(node_id)} "
            "(a subgraph that contains itself?); export the workflow again"
        )
    return _Scope(
        (*scope.path, node_id),
        _nodes(definition.get("nodes", []), "nodes"),
        _links(definition.get("links", [])),
        instance,
        scope,
        _promoted(instance),
    )


def _promoted(instance: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Inner node id -> {widget name: value} of the widgets promoted to the instance."""
    properties = instance.get("properties")
    proxies = properties.get("proxyWidgets") if isinstance(properties, Mapping) else None
    values = instance.get("widgets_values")
    found: dict[str, dict[str, Any]] = {}
    if not isinstance(proxies, list) or not isinstance(values, list):
        return found
    for proxy, value in zip(proxies, values, strict=False):
        if isinstance(proxy, list) and len(proxy) == 2:
            found.setdefault(str(proxy[0]), {})[str(proxy[1])] = value
    return found


def _resolve_input(
    scope: _Scope,
    definitions: Mapping[str, Mapping[str, Any]],
    node: Mapping[str, Any],
    slot: int,
    wanted: str | None,
    seen: set[tuple[Any, ...]],
) -> tuple[str, int] | None:
    """The real source of input `slot` of `node` (None: unlinked)."""
    key = (scope.path, str(node.get("id")), "in", slot)
    _visit(seen, key, scope)
    inputs = sockets(node)
    link_id = inputs[slot].get("link") if slot < len(inputs) else None
    link = scope.links.get(link_id) if isinstance(link_id, int) else None
    if link is None:
        return None
    wanted = wanted or str(inputs[slot].get("type") or link.type)
    if link.origin == _INPUT_NODE and scope.instance is not None and scope.parent is not None:
        outer = sockets(scope.instance)
        outer_id = outer[link.origin_slot].get("link") if link.origin_slot < len(outer) else None
        outer_link = scope.parent.links.get(outer_id) if isinstance(outer_id, int) else None
        if outer_link is None:
            return None  # the instance's widget (or the inner one) gives the value
        return _resolve_input(scope.parent, definitions, scope.instance, outer_link.target_slot, wanted, seen)
    origin = scope.nodes.get(link.origin)
    if origin is None:
        return None
    return _resolve_output(scope, definitions, origin, link.origin_slot, wanted, seen)


def _resolve_output(
    scope: _Scope,
    definitions: Mapping[str, Mapping[str, Any]],
    node: Mapping[str, Any],
    slot: int,
    wanted: str,
    seen: set[tuple[Any, ...]],
) -> tuple[str, int] | None:
    """Where output `slot` of `node` really comes from, for an input of type `wanted`."""
    node_id, node_type = str(node.get("id")), str(node.get("type", ""))
    _visit(seen, (scope.path, node_id, "out", slot), scope)
    if node.get("mode") == BYPASSED:
        through = _bypass_slot(node, slot, wanted)
        return None if through < 0 else _resolve_input(scope, definitions, node, through, None, seen)
    if node.get("mode") == MUTED or node_type in ("PrimitiveNode", "Note", "MarkdownNote"):
        return None
    if node_type in definitions:
        inner = _enter(scope, node_id, node, definitions[node_type])
        feeding = [lk for lk in inner.links.values() if lk.target == _OUTPUT_NODE and lk.target_slot == slot]
        origin = inner.nodes.get(feeding[0].origin) if feeding else None
        return (
            None
            if origin is None
            else _resolve_output(inner, definitions, origin, feeding[0].origin_slot, wanted, seen)
        )
    if node_type == "GetNode":
        found = _setter(scope, node)
        return None if found is None else _resolve_input(found[0], definitions, found[1], 0, wanted, seen)
    if node_type in UI_ONLY_TYPES or "Reroute" in node_type:
        return _resolve_input(scope, definitions, node, slot, wanted, seen) if sockets(node)[slot:] else None
    return scope.execution_id(node_id), slot


def _bypass_slot(node: Mapping[str, Any], slot: int, wanted: str) -> int:
    """The input a bypassed node passes to output `slot` for a consumer of type `wanted`; -1: none."""
    inputs = [str(s.get("type") or "*") for s in sockets(node)]
    outputs = sockets(node, "outputs")
    made = str(outputs[slot].get("type") or "*") if slot < len(outputs) else wanted
    if wanted in ("*", ""):
        return slot if slot < len(inputs) else (0 if inputs else -1)
    if slot < len(inputs) and _fits(inputs[slot], made) and _fits(inputs[slot], wanted):
        return slot
    if wanted in inputs:
        return inputs.index(wanted)
    return next((i for i, kind in enumerate(inputs) if _fits(kind, made) and _fits(kind, wanted)), -1)


def _fits(first: str, second: str) -> bool:
    """Whether a value of one socket type may flow into the other (`*`, or a shared type of a list)."""
    if first in ("*", "") or second in ("*", "") or first == second:
        return True
    return bool(
        {t.strip().lower() for t in first.split(",")} & {t.strip().lower() for t in second.split(",")}
    )


def _setter(scope: _Scope, getter: Mapping[str, Any]) -> tuple[_Scope, Mapping[str, Any]] | None:
    """The SetNode whose name (first widget value) the GetNode reads, in its graph or an enclosing one."""
    values = getter.get("widgets_values")
    name = values[0] if isinstance(values, list) and values else None
    level: _Scope | None = scope
    while level is not None:
        for node in level.nodes.values():
            named = node.get("widgets_values")
            if node.get("type") == "SetNode" and isinstance(named, list) and named[:1] == [name]:
                return level, node
        level = level.parent
    return None


def _visit(seen: set[tuple[Any, ...]], key: tuple[Any, ...], scope: _Scope) -> None:
    if key in seen:
        raise ALangSemanticError(
            f"the UI workflow routes node {scope.execution_id(str(key[1]))} into itself through reroutes "
            "or bypassed nodes; fix the links in the editor and export it again"
        )
    seen.add(key)
