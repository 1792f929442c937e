"""Relinks: a link that closes a cycle, or repeats an operand, fed instead from a loaded file.

psi2 with a small model links a function's second operand to the last value of that type it wrote:
to a function downstream (`blend1.image2 <- blend2` while `blend2` takes `blend1`, a cycle ComfyUI
refuses, so the flow never runs) or to the value the first operand already has (`blend2` fed `blend1`
twice), while a task file's loader sits unused. Refine with the same model mostly answers the same
links. Both misses have a structural fix that needs no model, tried by `anysym.nodes.search` like
every local edit:

- `cycle break`: for each pair of functions linked inside a cycle, the links of the one into the
  other are fed from loaded files instead (one nothing uses first, then one that does not feed the
  target already, a different one per input where several are cut); an optional input with no such
  value loses its link;
- `repeated operand`: a function fed one value on two inputs of the same type takes the output of a
  file loader nothing uses on either of them.

Only file loaders are substitutes: they are the task's own values, they cannot close a cycle, and a
loaded file left unused is what verification rejects anyway.
"""

from __future__ import annotations

from collections.abc import Iterator

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Link
from anysym.language.validate_graph import strongly_connected
from anysym.nodes.flow_surgery import downstream, file_loaders, input_type, working

__all__ = ["relinks"]


def relinks(flow: Flow, catalog: Catalog) -> Iterator[tuple[Flow, str]]:
    """Every cycle break and repeated-operand relink of `flow`, with its note."""
    yield from _cycle_breaks(flow, catalog)
    yield from _repeated_operands(flow, catalog)


def _cycle_breaks(flow: Flow, catalog: Catalog) -> Iterator[tuple[Flow, str]]:
    edges: dict[str, list[str]] = {}
    for link in flow.links:
        edges.setdefault(link.source, []).append(link.target)
    for component in strongly_connected(list(flow.functions), edges):
        members = set(component)
        inside = dict.fromkeys(
            (link.source, link.target) for link in flow.links if {link.source, link.target} <= members
        )
        for source, target in inside:
            cut = [link for link in flow.links if (link.source, link.target) == (source, target)]
            edited = _fed_from_files(flow, catalog, cut)
            if edited is not None:
                new = [link for link in edited.links if link not in flow.links]
                fed = [f"{link.target}.{link.input} from {link.source}.{link.output}" for link in new]
                what = f"fed {', '.join(fed)}" if fed else f"unlinked {target}'s optional inputs"
                yield edited, f"{what} instead of {source}: {source} and {target} formed a cycle"


def _fed_from_files(flow: Flow, catalog: Catalog, cut: list[Link]) -> Flow | None:
    """`flow` with each link of `cut` fed from a file loader instead (dropped when optional and none fits)."""
    rest = flow.with_links([link for link in flow.links if link not in cut])
    target = cut[0].target
    feeding = {link.source for link in flow.links_into(target)}
    links = list(rest.links)
    for link in cut:
        kind = input_type(flow, catalog, link)
        loaded = _loaded_values(rest, catalog, target, kind) if kind is not None else []
        taken = {(new.source, new.output) for new in links if new.target == target}
        # stable: idle loaders stay first among the values the target is not fed yet
        loaded.sort(key=lambda value: ((value.source, value.output) in taken, value.source in feeding))
        if loaded:
            links.append(loaded[0].model_copy(update={"input": link.input}))
            continue
        spec = catalog.get(flow.functions[target].type)
        inp = spec.input(link.input) if spec is not None else None
        if inp is None or inp.section == "required":
            return None
    return flow.with_links(links)


def _repeated_operands(flow: Flow, catalog: Catalog) -> Iterator[tuple[Flow, str]]:
    for function_id in flow.functions:
        if working(flow, catalog, function_id) is None:
            continue
        by_value: dict[tuple[str, str | int, str], list[Link]] = {}
        for link in flow.links_into(function_id):
            kind = input_type(flow, catalog, link)
            if kind is not None:
                by_value.setdefault((link.source, link.output, kind), []).append(link)
        for (source, _, kind), repeated in by_value.items():
            if len(repeated) < 2:
                continue
            idle = [v for v in _loaded_values(flow, catalog, function_id, kind) if _is_idle(flow, v.source)]
            for value in idle:
                for link in repeated:
                    relinked = value.model_copy(update={"input": link.input})
                    yield (
                        flow.with_links([*(other for other in flow.links if other != link), relinked]),
                        (
                            f"fed {function_id}.{link.input} from {value.source}.{value.output} instead of "
                            f"{source}: {source} fed {function_id} twice while {value.source} was unused"
                        ),
                    )


def _loaded_values(flow: Flow, catalog: Catalog, target: str, kind: str) -> list[Link]:
    """Links to `target` from each `kind` output of a file loader that `target` does not feed, idle first."""
    below = downstream(flow, target)
    values = [
        Link(source=fid, output=output.name, target=target, input="")
        for fid in sorted(file_loaders(flow, catalog) - below)
        if (spec := catalog.get(flow.functions[fid].type)) is not None
        for output in spec.outputs
        if output.type == kind
    ]
    return sorted(values, key=lambda value: not _is_idle(flow, value.source))


def _is_idle(flow: Flow, function_id: str) -> bool:
    return not flow.links_from(function_id)
