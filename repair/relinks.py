"""Relinks: an input fed from elsewhere when it closes a cycle, repeats an operand, or is left open.

psi2 with a small model links a function's second operand to the last value of that type it wrote:
to a function downstream (`blend1.image2 <- blend2` while `blend2` takes `blend1`, a cycle ComfyUI
refuses, so the flow never runs) or to the value the first operand already has (`blend2` fed `blend1`
twice), while a task file's loader sits unused; or it leaves a required input open beside a value
nothing uses. Refine with the same model mostly answers the same links. Each miss has a structural
fix that needs no model, tried by `anysym.nodes.search` like every local edit:

- `cycle break`: for each pair of functions linked inside a cycle, the links of the one into the
  other are fed from loaded files instead (one nothing uses first, then one that does not feed the
  target already, a different one per input where several are cut); an optional input with no such
  value loses its link. Only file loaders are substitutes: they are the task's own values and cannot
  close a cycle;
- `repeated operand`: a function fed one value on two inputs of the same type takes the output of a
  file loader nothing uses on either of them;
- `missing input`: a required input nothing feeds takes the value of a function nothing uses (not one
  downstream of it), or of an unused creator of the wrong type (EmptyImage where a latent is needed)
  changed to a creator the task's node search found (EmptyLatentImage), its parameters of the same
  name kept. Compile's loose-loader link covers only one unused file and one open input;
- `blamed input`: an input a failed check blamed (a blend's base that gets the picture the task puts on
  top) takes each loaded file's value of its type instead: "put logo.png on top of photo.png" linked
  the logo as both destination and source while photo.png fed only the mask.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.validate_graph import strongly_connected
from anysym.repair.flow_surgery import downstream, file_loaders, input_type, working

__all__ = ["relinks"]


def relinks(
    flow: Flow,
    catalog: Catalog,
    suggested: Sequence[str] = (),
    blamed: Sequence[tuple[str, str]] = (),
) -> Iterator[tuple[Flow, str]]:
    """Every cycle break, repeated-operand relink, fed missing input and relinked blamed input, with its note.

    `suggested`: the node types the task's search found (an idle creator may become one of them);
    `blamed`: (function id, input) pairs a failed check addressed.
    """
    yield from _cycle_breaks(flow, catalog)
    yield from _repeated_operands(flow, catalog)
    yield from _missing_inputs(flow, catalog, suggested)
    yield from _blamed_inputs(flow, catalog, blamed)


def _blamed_inputs(
    flow: Flow, catalog: Catalog, blamed: Sequence[tuple[str, str]]
) -> Iterator[tuple[Flow, str]]:
    for function_id, port in blamed:
        spec = catalog.get(flow.functions[function_id].type) if function_id in flow.functions else None
        inp = next((i for i in spec.socket_inputs() if i.name == port), None) if spec is not None else None
        if inp is None:
            continue
        current = [link for link in flow.links_into(function_id) if link.input == port]
        was = {(link.source, str(link.output)) for link in current}
        for value in _loaded_values(flow, catalog, function_id, inp.type):
            if (value.source, str(value.output)) in was:
                continue
            fed = value.model_copy(update={"input": port})
            yield (
                flow.with_links([*(link for link in flow.links if link not in current), fed]),
                f"fed {function_id}.{port} from {value.source}.{value.output}: a check blamed that input",
            )


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


def _missing_inputs(flow: Flow, catalog: Catalog, suggested: Sequence[str]) -> Iterator[tuple[Flow, str]]:
    """A required input nothing feeds, fed from a value nothing uses, or from an idle creator retyped.

    "Create an empty 128x128 latent, upscale it to 256x256": the 0.5B wrote EmptyImage and left
    LatentUpscale.samples open through three refine rounds; the searched EmptyLatentImage in its place
    (its width and height kept) feeds it.
    """
    idle = [fid for fid in flow.functions if _is_idle(flow, fid)]
    for target, function in flow.functions.items():
        spec = catalog.get(function.type)
        linked = {link.input for link in flow.links_into(target)}
        sockets = spec.socket_inputs() if spec is not None else []
        open_inputs = [i for i in sockets if i.section == "required" and i.name not in linked]
        if not open_inputs:
            continue
        below = downstream(flow, target)
        for inp in open_inputs:
            for source in (fid for fid in idle if fid not in below):
                link = Link(source=source, output="", target=target, input=inp.name)
                yield from _fed_by(flow, catalog, link, inp.type, suggested)


def _fed_by(
    flow: Flow, catalog: Catalog, link: Link, kind: str, suggested: Sequence[str]
) -> Iterator[tuple[Flow, str]]:
    """`link` from its source's output of `kind`, or from its source (a creator) retyped to a searched one."""
    source = link.source
    spec = catalog.get(flow.functions[source].type)
    outputs = [o.name for o in spec.outputs if o.type == kind] if spec is not None else []
    if outputs:
        fed = link.model_copy(update={"output": outputs[0]})
        yield (
            flow.with_links([*flow.links, fed]),
            (
                f"fed {link.target}.{link.input} from {source}.{outputs[0]}: the input was required and "
                f"unlinked while {source}'s result was unused"
            ),
        )
        return
    if spec is None or spec.socket_inputs() or spec.output_node or source in file_loaders(flow, catalog):
        return
    old = flow.functions[source]
    for name in suggested:
        other = catalog.get(name)
        made = [o.name for o in other.outputs if o.type == kind] if other is not None else []
        if other is None or other.socket_inputs() or other.output_node or not made:
            continue
        params = {key: value for key, value in old.params.items() if key in other.inputs}
        retyped = flow.with_function(source, Function(type=name, params=params))
        fed = link.model_copy(update={"output": made[0]})
        yield (
            retyped.with_links([*flow.links, fed]),
            (
                f"changed {source} from {old.type} to {name} and fed {link.target}.{link.input} from it: the "
                f"input was required and unlinked while {source}'s result was unused"
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
