"""Link a loaded input file that nothing uses to the one place that still lacks a value of its type.

Two inputs, one use: small models write (or `load_inputs` adds) the loader of a task's second file and
then leave it unlinked. Either the function meant to use it has a required socket with no link
(`ImageBlend.image2` missing: validation fails), or the model fed that socket from the first file too
(`ImageBlend(image1=photo, image2=photo)`: the flow runs and ignores `pattern.png`). When exactly one
loose loader produces a type and exactly one place could take it (an open required socket, else a
second socket of one function fed from the same source), the loader is linked there. A loose loader
is a loader of one of the task's files (any modality) with no outgoing link; an ambiguous flow is
left alone. It runs at compile, on a whole flow: psi1's answer has no links yet, so there every loader
is loose.
"""

from __future__ import annotations

from collections.abc import Collection

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Link
from anysym.verify.flow_walk import file_inputs, reaching_outputs

__all__ = ["link_loose_loaders"]


def link_loose_loaders(flow: Flow, files: Collection[str], catalog: Catalog) -> tuple[Flow, list[str]]:
    """Return `flow` with each unambiguous loose loader of `files` linked where its value is missing.

    One note per link; `files` are the task's input file names.
    """
    notes: list[str] = []
    while (step := _link_one(flow, files, catalog)) is not None:
        flow, note = step
        notes.append(note)
    return flow, notes


def _link_one(flow: Flow, files: Collection[str], catalog: Catalog) -> tuple[Flow, str] | None:
    loose = _loose_loaders(flow, files, catalog)
    for loader, (output, socket_type) in loose.items():
        if sum(1 for _, t in loose.values() if t == socket_type) != 1:
            continue
        slot = _only_slot(flow, catalog, socket_type)
        if slot is None:
            continue
        target, name, replaced = slot
        link = Link(source=loader, output=output, target=target, input=name)
        kept = [lk for lk in flow.links if lk != replaced]
        why = (
            f"instead of {replaced.source}.{replaced.output}, which already feeds {target}"
            if replaced is not None
            else "which had no value"
        )
        note = f"linked {target}.{name} to {loader}.{output} {why}: {loader} was loaded but never used"
        return flow.with_links([*kept, link]), note
    return None


def _loose_loaders(flow: Flow, files: Collection[str], catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Loaders of one of `files` with no outgoing link, with their first output's name and type."""
    loose: dict[str, tuple[str, str]] = {}
    for function_id, _, name in file_inputs(flow, catalog):
        spec = catalog.get(flow.functions[function_id].type)
        if name not in files or spec is None or not spec.outputs or flow.links_from(function_id):
            continue
        first = spec.outputs[0]
        loose[function_id] = (first.name, first.type)
    return loose


def _only_slot(flow: Flow, catalog: Catalog, socket_type: str) -> tuple[str, str, Link | None] | None:
    """The one input an output-reaching function lacks a `socket_type` value for, and the link it replaces."""
    open_slots: list[tuple[str, str, Link | None]] = []
    doubled: list[tuple[str, str, Link | None]] = []
    for function_id in sorted(reaching_outputs(flow, catalog)):
        spec = catalog.get(flow.functions[function_id].type)
        if spec is None:
            continue
        fed = {link.input: link for link in flow.links_into(function_id)}
        sources_seen: set[tuple[str, str | int]] = set()
        for inp in spec.socket_inputs():
            if inp.type != socket_type or inp.name in flow.functions[function_id].params:
                continue
            link = fed.get(inp.name)
            if link is None:
                if inp.section == "required":
                    open_slots.append((function_id, inp.name, None))
                continue
            source = (link.source, link.output)
            if source in sources_seen:
                doubled.append((function_id, inp.name, link))
            sources_seen.add(source)
    slots = open_slots or doubled
    return slots[0] if len(slots) == 1 else None
