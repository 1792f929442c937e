"""Splice a dangling step back into the chain: its result was computed and then thrown away.

Small models often write the right functions and link the output function to the step *before* the last
one ("LoadImage -> SaveImage", with the ImageInvert that should sit between them fed but unused). Then
the flow runs and saves its input unchanged. When a function reaches no output function, and an output-
reaching function takes a value of the same type straight from one of the dangling function's own
sources, that link is moved to the dangling function's result: the step the model wrote is applied.
"""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Link
from anysym.verify.flow_walk import reaching_outputs, upstream

__all__ = ["splice_dangling"]


def splice_dangling(flow: Flow, catalog: Catalog) -> tuple[Flow, list[str]]:
    """Return `flow` with each dangling function spliced in where it fits; one note per splice."""
    notes: list[str] = []
    spliced = True
    while spliced:  # a chain of dangling steps is spliced in one step per round, nearest first
        spliced = False
        reached = reaching_outputs(flow, catalog)
        for function_id in (f for f in flow.functions if f not in reached):
            moved = _splice(flow, function_id, reached, catalog)
            if moved is None:
                continue
            old, new = moved
            flow = flow.with_links([new if link == old else link for link in flow.links])
            notes.append(
                f"linked {new.target}.{new.input} to {new.source}.{new.output} instead of "
                f"{old.source}.{old.output}: {function_id} was computed but never used"
            )
            spliced = True
            break
    return flow, notes


def _splice(flow: Flow, function_id: str, reached: set[str], catalog: Catalog) -> tuple[Link, Link] | None:
    spec = catalog.get(flow.functions[function_id].type)
    if spec is None or not spec.outputs:
        return None
    sources = {link.source: link.output for link in flow.links_into(function_id)}
    below = set(upstream(flow, function_id))
    for link in flow.links:
        if link.source not in sources or link.target not in reached or link.target in below:
            continue
        fed = _output_type(flow, link, catalog)
        for index, output in enumerate(spec.outputs):
            if output.type == fed and sources[link.source] == link.output:
                new = Link(
                    source=function_id, output=output.name or index, target=link.target, input=link.input
                )
                return link, new
    return None


def _output_type(flow: Flow, link: Link, catalog: Catalog) -> str | None:
    spec = catalog.get(flow.functions[link.source].type)
    output = spec.output(link.output) if spec is not None else None
    return output.type if output is not None else None
