"""Whole-flow checks of `validate`: cycles, chains too deep to run, a missing output node, unused outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow


def strongly_connected(order: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Return the strongly connected components of a directed graph (iterative Tarjan, O(V + E))."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in order:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges.get(node, ())
            if child < len(successors):
                work.append((node, child + 1))
                succ = successors[child]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def check_cycles(flow: Flow) -> list[Diagnostic]:
    """Report every cycle (a strongly connected set of functions, or a function linked to itself)."""
    edges: dict[str, list[str]] = {}
    self_linked: set[str] = set()
    for link in flow.links:
        edges.setdefault(link.source, []).append(link.target)
        if link.source == link.target:
            self_linked.add(link.source)
    order = list(flow.functions)
    position = {fid: i for i, fid in enumerate(order)}
    found: list[list[str]] = []
    for component in strongly_connected(order, edges):
        if len(component) > 1 or component[0] in self_linked:
            found.append(sorted(component, key=position.__getitem__))
    found.sort(key=lambda members: position[members[0]])
    diagnostics = []
    for members in found:
        names = ", ".join(f'"{m}"' for m in members)
        what = (
            f"function {names} is linked to itself"
            if len(members) == 1
            else f"functions {names} form a cycle"
        )
        diagnostics.append(
            Diagnostic(
                kind=DiagnosticKind.CYCLE,
                message=f"{what}; ComfyUI runs flows without cycles, so remove one of the links between them",
                function=members[0],
                hint="cycle: " + " -> ".join(members + [members[0]]),
            )
        )
    return diagnostics


MAX_FLOW_DEPTH = 900
"""Longest chain of linked functions accepted: ComfyUI validates and executes a flow recursively, one
Python frame per function along a chain, and the 2024 server failed with a RecursionError at about
970 (Python's default limit is 1,000)."""


def check_depth(flow: Flow, limit: int = MAX_FLOW_DEPTH) -> list[Diagnostic]:
    """Report a chain of linked functions longer than `limit` (cycles are `check_cycles`' to report)."""
    sources: dict[str, set[str]] = {fid: set() for fid in flow.functions}
    targets: dict[str, set[str]] = {fid: set() for fid in flow.functions}
    for link in flow.links:
        if link.source in sources and link.target in sources and link.source != link.target:
            sources[link.target].add(link.source)
            targets[link.source].add(link.target)
    depth = {fid: 1 for fid in flow.functions}
    waiting = {fid: len(found) for fid, found in sources.items()}
    ready = [fid for fid, count in waiting.items() if count == 0]
    while ready:  # Kahn's order, iterative: the flows checked here are the ones too deep to recurse on
        fid = ready.pop()
        for target in targets[fid]:
            depth[target] = max(depth[target], depth[fid] + 1)
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    deepest = max(depth, key=depth.__getitem__, default=None)
    if deepest is None or depth[deepest] <= limit:
        return []
    return [
        Diagnostic(
            kind=DiagnosticKind.FLOW_TOO_DEEP,
            message=f'a chain of {depth[deepest]} linked functions ends at function "{deepest}", more than '
            f"the {limit} ComfyUI can run (it recurses once per function); split the flow into shorter runs",
            function=deepest,
        )
    ]


def check_outputs(flow: Flow, catalog: Catalog) -> list[Diagnostic]:
    """Report a flow without an output node (unless an unknown type might be one)."""
    types = [catalog.get(f.type) for f in flow.functions.values()]
    if any(spec is None for spec in types) or any(spec.output_node for spec in types if spec is not None):
        return []
    return [
        Diagnostic(
            kind=DiagnosticKind.NO_OUTPUT_NODE,
            message="the flow has no output function, so ComfyUI would run nothing; "
            "add one that saves or shows the result (e.g. SaveImage, PreviewImage, SaveLatent)",
        )
    ]


def unused_output(function_id: str, node_type: str, output_names: Sequence[str]) -> Diagnostic:
    """The warning for a non-output function whose outputs feed nothing."""
    outputs = ", ".join(output_names)
    return Diagnostic(
        kind=DiagnosticKind.UNUSED_OUTPUT,
        severity=Severity.WARNING,
        message=f'no function uses the outputs of function "{function_id}" ({node_type}), so ComfyUI skips '
        f"it; link one of its outputs ({outputs}) into another function, or remove it",
        function=function_id,
    )
