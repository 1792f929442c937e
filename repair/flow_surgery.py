"""Structural operations on a flow for the local edits: a function put on a link, retyped or bypassed.

Also who loads, saves and works in a flow, pruning what nothing uses, and setting values with notes.
"""

from __future__ import annotations

from collections.abc import Mapping

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.flow import Flow, Function, Link, ParamValue
from anysym.language.io_nodes import CONVERTERS
from anysym.verify.flow_walk import file_inputs

__all__ = [
    "bypass",
    "downstream",
    "feed",
    "file_loaders",
    "fresh_id",
    "input_type",
    "on_link",
    "output_functions",
    "prune",
    "retyped",
    "unused_value",
    "with_values",
    "working",
]


def file_loaders(flow: Flow, catalog: Catalog) -> set[str]:
    """The functions that load a file by name."""
    return {function_id for function_id, _, _ in file_inputs(flow, catalog)}


def output_functions(flow: Flow, catalog: Catalog) -> list[str]:
    """The output functions (they save or show a result)."""
    return [
        fid for fid, f in flow.functions.items() if (s := catalog.get(f.type)) is not None and s.output_node
    ]


def working(flow: Flow, catalog: Catalog, function_id: str) -> NodeSpec | None:
    """The spec of a function that takes linked values and saves nothing, else None."""
    spec = catalog.get(flow.functions[function_id].type)
    if spec is None or spec.output_node or not spec.socket_inputs() or not spec.outputs:
        return None
    return spec


def input_type(flow: Flow, catalog: Catalog, link: Link) -> str | None:
    """The type of the input `link` feeds (None when unknown)."""
    spec = catalog.get(flow.functions[link.target].type)
    inp = spec.input(link.input) if spec is not None else None
    return inp.type if inp is not None else None


def feed(flow: Flow, catalog: Catalog, old: Link | None, fed: Link, have: str, wanted: str) -> Flow | None:
    """`flow` with `fed` in place of `old` (None: a new link), through a converter when the types differ."""
    source = fed.source
    rewired = flow.with_links([*(link for link in flow.links if link != old), fed])
    if have == wanted:
        return rewired
    converter = catalog.get(CONVERTERS.get((have, wanted), ""))
    if converter is None:
        return None
    new_id = fresh_id(flow, f"{source}_as_{wanted.lower()}")
    return on_link(rewired, fed, new_id, converter, (have, wanted))


def on_link(
    flow: Flow,
    link: Link,
    new_id: str,
    spec: NodeSpec,
    kinds: tuple[str, str],
    params: dict[str, ParamValue] | None = None,
) -> Flow | None:
    """`flow` with a new `spec` function put on `link`: it takes the link's value and feeds its target.

    `kinds`: the type it takes and the type its result must have (different for a converter). None
    when `spec` has no such input or output.
    """
    into = next((i.name for i in spec.socket_inputs() if i.type == kinds[0]), None)
    wanted = next((o.name for o in spec.outputs if o.type == kinds[1]), None)
    if wanted is None or into is None:
        return None
    function = Function(type=spec.name, params=dict(params or {}))
    return flow.with_function(new_id, function).with_links(
        [
            *(other for other in flow.links if other != link),
            Link(source=link.source, output=link.output, target=new_id, input=into),
            Link(source=new_id, output=wanted, target=link.target, input=link.input),
        ]
    )


def prune(flow: Flow, catalog: Catalog) -> Flow:
    """Remove functions left with no consumer that are neither outputs nor loaders of task files."""
    loaders = file_loaders(flow, catalog)
    while True:
        used = {link.source for link in flow.links}
        idle = [
            fid
            for fid, function in flow.functions.items()
            if fid not in used
            and fid not in loaders
            and (spec := catalog.get(function.type)) is not None
            and not spec.output_node
            and not spec.socket_inputs()
        ]
        if not idle:
            return flow
        for function_id in idle:
            flow = flow.without_function(function_id)


def fresh_id(flow: Flow, base: str) -> str:
    """`base`, or `base_2`, `base_3`, ... when the flow has that id already."""
    candidate, n = base, 2
    while candidate in flow.functions:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def unused_value(flow: Flow, catalog: Catalog, function_id: str, kind: str) -> Link | None:
    """A link from the one `kind` output of a function nothing takes anything from (an idle loader).

    An output left over beside used ones (LoadImage's MASK next to its IMAGE) is no such value.
    """
    below = downstream(flow, function_id)  # linking one of these would close a cycle
    idle = set(flow.functions) - {link.source for link in flow.links} - below
    free = [
        Link(source=fid, output=output.name, target=function_id, input="")
        for fid in sorted(idle)
        if (spec := catalog.get(flow.functions[fid].type)) is not None
        for output in spec.outputs
        if output.type == kind
    ]
    return free[0] if len(free) == 1 else None


def downstream(flow: Flow, function_id: str) -> set[str]:
    """`function_id` and every function its result reaches through links."""
    below = {function_id}
    while grown := {link.target for link in flow.links if link.source in below} - below:
        below |= grown
    return below


def bypass(flow: Flow, catalog: Catalog, function_id: str) -> Flow | None:
    """`flow` without `function_id`, each consumer fed from the one input of the consumed type."""
    incoming = flow.links_into(function_id)
    kept = [link for link in flow.links if function_id not in (link.source, link.target)]
    rewired: list[Link] = []
    for link in flow.links_from(function_id):
        wanted = input_type(flow, catalog, link)
        feeding = [i for i in incoming if input_type(flow, catalog, i) == wanted]
        if len(feeding) != 1:
            return None
        source = feeding[0]
        rewired.append(Link(source=source.source, output=source.output, target=link.target, input=link.input))
    edited = Flow(
        functions={k: v for k, v in flow.functions.items() if k != function_id}, links=(*kept, *rewired)
    )
    return prune(edited, catalog)


def retyped(flow: Flow, catalog: Catalog, function_id: str, spec: NodeSpec) -> Flow | None:
    """`function_id` as a `spec` fed by the same values by type, feeding the same consumers by type."""
    incoming = list(flow.links_into(function_id))
    links: list[Link] = []
    for inp in spec.socket_inputs():
        source = next((i for i in incoming if input_type(flow, catalog, i) == inp.type), None)
        if source is not None:
            incoming.remove(source)
        elif inp.section == "required":
            source = unused_value(flow, catalog, function_id, inp.type)
        if source is None:
            if inp.section == "required":
                return None
            continue
        links.append(Link(source=source.source, output=source.output, target=function_id, input=inp.name))
    converted: list[tuple[Link, str]] = []
    for link in flow.links_from(function_id):
        wanted = input_type(flow, catalog, link) or ""
        output = next((o for o in spec.outputs if o.type == wanted), None)
        if output is None:  # a mask where an image is taken: through the converter
            output = next(
                (o for o in spec.outputs if catalog.get(CONVERTERS.get((o.type, wanted), ""))), None
            )
            if output is None:
                return None
        new = Link(source=function_id, output=output.name, target=link.target, input=link.input)
        links.append(new)
        if output.type != wanted:
            converted.append((new, output.type))
    old = flow.functions[function_id]
    params = {name: value for name, value in old.params.items() if name in spec.inputs}
    kept = [link for link in flow.links if function_id not in (link.source, link.target)]
    edited: Flow | None = flow.with_function(function_id, Function(type=spec.name, params=params))
    edited = edited.with_links([*kept, *links]) if edited is not None else None
    for link, have in converted:
        wanted = input_type(flow, catalog, link) or ""
        converter = catalog[CONVERTERS[(have, wanted)]]
        new_id = fresh_id(edited, f"{function_id}_as_{wanted.lower()}") if edited else ""
        edited = on_link(edited, link, new_id, converter, (have, wanted)) if edited else None
    return prune(edited, catalog) if edited is not None else None


def with_values(
    flow: Flow, function_id: str, wanted: Mapping[str, ParamValue], why: str
) -> tuple[Flow, list[str]]:
    """`flow` with `wanted` set on `function_id`'s parameters, and one note per value that changed."""
    params = flow.functions[function_id].params
    changed = {name: value for name, value in wanted.items() if params.get(name) != value}
    notes = [f"set {function_id}.{name} {params.get(name)!r} -> {v!r}: {why}" for name, v in changed.items()]
    return (flow.with_params(function_id, {**params, **wanted}), notes) if changed else (flow, [])
