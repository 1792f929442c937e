"""Batch the task's files in the order it names them: the frames of an animation, a batch of pictures.

"A 2-frame animated WEBP that shows photo.png followed by pattern.png", "photo.png, then pattern.png,
then photo.png again", "put photo.png and pattern.png in one batch ... save the two inverted images": a
small model loads the files and feeds the output function from one of them, so the others reach
nothing (or it repeats one picture). When the task names as many files as the frames or results it
asks for (`stated_sequence`), a joiner from the catalog (two inputs of the value's type, nothing else
required, a result of that type, a batch by its name: ImageBatch, LatentBatch) chains the files'
values into one, in the order the task names them, repeats included. The chain goes where the flow
takes a named file's value on its way to an output (every frame then gets the flow's steps), and,
as a second edit, straight into the output functions (the frames as they are); verification decides
which is the task's. A named file the flow does not load gets a loader like the one it has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.flow import Flow, Function, Link
from anysym.repair.flow_surgery import fresh_id, input_type, output_functions
from anysym.verify.expectations import Expectations
from anysym.verify.flow_walk import file_inputs, reaching_outputs

__all__ = ["sequences", "stated_sequence"]

Value = tuple[str, str | int]
"""A function id and the name of one of its outputs."""


def stated_sequence(expectations: Expectations) -> tuple[str, ...]:
    """The input files in the order the task names them, when they are the frames or results it asks for.

    Empty unless at least two different files are named and their mentions, repeats included, are
    as many as the frames ("a 3-frame animation"), or the results ("save the two inverted images"),
    the task states; for an animation of no stated length, every mention is a frame.
    """
    mentions = _mentions(expectations.task, [fact.name for fact in expectations.inputs])
    if len(set(mentions)) < 2:
        return ()
    wanted = expectations.frames or expectations.output_count
    if wanted is None and "video" in expectations.output_kinds:
        wanted = len(mentions)
    return tuple(mentions) if wanted == len(mentions) else ()


def _mentions(task: str, names: Sequence[str]) -> list[str]:
    found = [
        (match.start(), name)
        for name in names
        for match in re.finditer(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", task, re.IGNORECASE)
    ]
    return [name for _, name in sorted(found)]


def sequences(flow: Flow, catalog: Catalog, order: Sequence[str]) -> Iterator[tuple[Flow, str]]:
    """`flow` with the files of `order` batched into one value: at the flow's entry, then at its outputs."""
    loaders = {fid: name for fid, _, name in file_inputs(flow, catalog)}
    reached = reaching_outputs(flow, catalog)
    entry = next(
        (
            link
            for name in order
            for link in flow.links
            if loaders.get(link.source) == name and link.target in reached
        ),
        None,
    )
    if entry is None:
        return
    spec = catalog.get(flow.functions[entry.source].type)
    out = spec.output(entry.output) if spec is not None else None
    joiner = _joiner(catalog, out.type) if out is not None else None
    if out is None or joiner is None:
        return
    chained, result = _chain(flow, catalog, joiner, out.type, entry, order)
    what = f"batched {', '.join(order)} with {joiner.name} in the order the task names them"
    at_entry = chained.with_links(
        [_result_link(link, result) if link == entry else link for link in chained.links]
    )
    yield _tidy(at_entry, catalog), f"{what}, for {entry.target}.{entry.input}"
    savers = set(output_functions(chained, catalog))
    at_outputs = chained.with_links(
        [
            _result_link(link, result)
            if link.target in savers and input_type(chained, catalog, link) == out.type
            else link
            for link in chained.links
        ]
    )
    if at_outputs != at_entry:
        yield _tidy(at_outputs, catalog), f"{what}, into the output functions"


def _result_link(link: Link, value: Value) -> Link:
    return link.model_copy(update={"source": value[0], "output": value[1]})


def _joiner(catalog: Catalog, kind: str) -> NodeSpec | None:
    """The catalog's batch node of `kind`: two required inputs of it and nothing else, a result of it."""
    for spec in catalog.nodes():
        required = spec.required_inputs()
        if (
            not spec.output_node
            and "batch" in spec.name.lower()
            and len(required) == 2
            and all(i.type == kind for i in required)
            and any(o.type == kind for o in spec.outputs)
        ):
            return spec
    return None


def _chain(
    flow: Flow, catalog: Catalog, joiner: NodeSpec, kind: str, entry: Link, order: Sequence[str]
) -> tuple[Flow, Value]:
    """`flow` with joiners chaining the files' values in `order`, and the chain's result."""
    values: list[Value] = []
    for name in order:
        flow, loader = _loader(flow, catalog, entry.source, name)
        values.append((loader, entry.output))
    first, second = (i.name for i in joiner.required_inputs())
    result_name = next(o.name for o in joiner.outputs if o.type == kind)
    current = values[0]
    for value in values[1:]:
        new_id = fresh_id(flow, "frames")
        flow = flow.with_function(new_id, Function(type=joiner.name)).with_links(
            [
                *flow.links,
                Link(source=current[0], output=current[1], target=new_id, input=first),
                Link(source=value[0], output=value[1], target=new_id, input=second),
            ]
        )
        current = (new_id, result_name)
    return flow, current


def _loader(flow: Flow, catalog: Catalog, like: str, name: str) -> tuple[Flow, str]:
    """The function loading `name` with `like`'s type, added as a copy of `like` when the flow has none."""
    model = flow.functions[like]
    for function_id, _, loaded in file_inputs(flow, catalog):
        if loaded == name and flow.functions[function_id].type == model.type:
            return flow, function_id
    upload = next(inp.name for function_id, inp, _ in file_inputs(flow, catalog) if function_id == like)
    new_id = fresh_id(flow, re.sub(r"\W", "_", name.rsplit(".", 1)[0]).lstrip("0123456789_") or "file")
    params = {**model.params, upload: name}
    return flow.with_function(new_id, Function(type=model.type, params=params)), new_id


def _tidy(flow: Flow, catalog: Catalog) -> Flow:
    """`flow` without what reaches no output, but for a loader of a file nothing that does loads."""
    reached = reaching_outputs(flow, catalog)
    used = {name for fid, _, name in file_inputs(flow, catalog) if fid in reached}
    keep = {fid for fid, _, name in file_inputs(flow, catalog) if name not in used}
    for function_id in [f for f in flow.functions if f not in reached and f not in keep]:
        flow = flow.without_function(function_id)
    return flow
