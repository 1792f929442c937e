"""Local edits of a flow that ran and failed its checks: small structural changes a search can try.

A small model's wrong flows are mostly near misses of one kind: the right steps with the output
function fed from the loader (the step's result thrown away), a mask saved without converting it, an
example's extra step copied along, or an example's node type kept where the task's search found
another of the same shape (a model upscaler for "scale by 2"). Each edit here fixes one such miss
without a model; `anysym.nodes.search` executes them and keeps the first that passes verification.
The edits are generic: types, links and the node search's findings, never the task's wording (its
values are bound afterwards by the same task repairs every draft gets).

- `relink` (`anysym.repair.relinks`): a link closing a cycle, or a value fed twice to one function,
  replaced by a loaded file's value (an unused file first); first, since a flow with a cycle never runs;
- `rewire`: an output function fed straight from a loader, or not fed though it must be, is fed from a
  function whose result reaches no output (through a converter, e.g. MaskToImage, when types differ);
- `operands`: a function fed two values of one type from different places gets them swapped (which
  picture is the base, and so the result's size);
- `unreached`: what reaches no output goes (file loaders stay), so the task binding sees only the
  functions that matter;
- `drop_saver`: an output function that saves a loaded input as it is goes, when another one remains;
- `splice`: a working function of a type no node search found is taken out (its input passed through);
- `swap`: a working function takes another type the node search found, of the same shape (its linked
  values feed the new type's inputs of the same types, a required input left without one takes the
  flow's one unused value of its type, its result feeds the same consumers); sources left without a
  consumer (a model loader) go too. A function whose type is a search's best hit only takes a type
  the same step's search found (an invert stays an invert, of an image or of a mask);
- `insert`: a step the task states a value for ("no feathering" for ImagePadForOutpaint) that no
  function takes, with one input and a result of that input's type, is put on a link of that type;
- `sequence` (`anysym.repair.sequences`): the files the task names as its frames or results, batched in
  the order it names them, where the flow takes one of them or straight into the output functions;
- `crop` (`anysym.repair.region_crops`): where the task cuts a region out of a file and nothing crops,
  a resizing step becomes the catalog's crop function of its value (or one goes before each output);
- `resize`: when the task states the final size (or one scale factor) and nothing before an output
  function resizes, a searched resize (ImageScale, ImageScaleBy) to it is put before that output.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.flow import Flow, Link, ParamValue
from anysym.repair.flow_surgery import (
    bypass,
    feed,
    file_loaders,
    fresh_id,
    input_type,
    on_link,
    output_functions,
    retyped,
    working,
)
from anysym.repair.region_crops import region_crops
from anysym.repair.relinks import relinks
from anysym.repair.sequences import sequences
from anysym.verify.flow_walk import SIZE_PARAMS, reaching_outputs, upstream
from anysym.verify.media import Size

__all__ = ["EditHints", "LocalEdit", "local_edits"]


@dataclass(frozen=True)
class LocalEdit:
    """One edited flow and what was changed (a repair note)."""

    flow: Flow
    note: str


@dataclass(frozen=True, kw_only=True)
class EditHints:
    """What the task says about the flow's steps, for choosing edits."""

    steps: Sequence[Sequence[str]] = ()
    """The node types the search found for the whole task and for each step, best first."""
    wanted: Sequence[str] = ()
    """Node types the task states a value for that no function of the flow takes."""
    size: Size | None = None
    """The one final image size the task states, when it does."""
    factor: float | None = None
    """The one uniform scale factor the task states ("half size"), when it does."""
    blamed: Sequence[tuple[str, str]] = ()
    """(function id, input) pairs the failed attempt's errors were addressed to."""
    sequence: Sequence[str] = ()
    """The input files the task names as its frames or results, in its order (`stated_sequence`)."""
    region: bool = False
    """Whether the task cuts a region out of an input file (`anysym.verify.crops.asks_region`)."""

    @property
    def suggested(self) -> list[str]:
        """Every type the search found."""
        return list(dict.fromkeys(name for names in self.steps for name in names))


def local_edits(flow: Flow, catalog: Catalog, hints: EditHints) -> list[LocalEdit]:
    """Every single edit of `flow`, the cheapest kinds first (see the module docstring)."""
    relinked = relinks(flow, catalog, hints.suggested, hints.blamed)
    found = [LocalEdit(edited, note) for edited, note in relinked]
    found += [*_rewires(flow, catalog), *_operand_swaps(flow, catalog), *_dropped_savers(flow, catalog)]
    found += [LocalEdit(edited, note) for edited, note in sequences(flow, catalog, hints.sequence)]
    found += [LocalEdit(edited, note) for edited, note in region_crops(flow, catalog, hints.region)]
    found += [*_unreached(flow, catalog)]
    found += [*_splices(flow, catalog, hints.suggested), *_swaps(flow, catalog, hints)]
    found += [*_inserts(flow, catalog, hints.wanted), *_resizes(flow, catalog, hints)]
    unique: dict[str, LocalEdit] = {}
    for edit in found:
        if _does_work(edit.flow, catalog):
            unique.setdefault(edit.flow.canonical_json(), edit)
    return list(unique.values())


def _does_work(flow: Flow, catalog: Catalog) -> bool:
    """Whether a flow does more than save what it loads (a creator and its saver is work)."""
    loaders = file_loaders(flow, catalog)
    return not loaders or any(working(flow, catalog, f) is not None for f in flow.functions)


def _rewires(flow: Flow, catalog: Catalog) -> Iterator[LocalEdit]:
    loaders = file_loaders(flow, catalog)
    reached = reaching_outputs(flow, catalog)
    dangling = [f for f in flow.functions if f not in reached and working(flow, catalog, f) is not None]
    for saver in output_functions(flow, catalog):
        for port, old, was in _saver_ports(flow, catalog, saver, loaders):
            wanted = catalog[flow.functions[saver].type].inputs[port].type
            for source in dangling:
                for output in catalog[flow.functions[source].type].outputs:
                    fed = Link(source=source, output=output.name, target=saver, input=port)
                    edited = feed(flow, catalog, old, fed, output.type, wanted)
                    if edited is not None:
                        yield LocalEdit(
                            edited,
                            f"fed {saver}.{port} from {source}.{output.name} instead of {was}: {source}'s "
                            "result was computed and never saved",
                        )


def _operand_swaps(flow: Flow, catalog: Catalog) -> Iterator[LocalEdit]:
    """A function fed two values of one type from different places, with the two swapped.

    Which picture is the base is the link small models get wrong most, and it decides the result's
    size (ImageBlend's image1, ImageCompositeMasked's destination): "screen-blend portrait.png over
    photo.png; keep the size of photo.png" was linked portrait first.
    """
    for function_id in flow.functions:
        if working(flow, catalog, function_id) is None:
            continue
        by_type: dict[str, list[Link]] = {}
        for link in flow.links_into(function_id):
            kind = input_type(flow, catalog, link)
            if kind is not None:
                by_type.setdefault(kind, []).append(link)
        for pair in by_type.values():
            if len(pair) != 2 or (pair[0].source, pair[0].output) == (pair[1].source, pair[1].output):
                continue
            first, second = pair
            swapped = [
                first.model_copy(update={"input": second.input}),
                second.model_copy(update={"input": first.input}),
            ]
            edited = flow.with_links([*(link for link in flow.links if link not in pair), *swapped])
            yield LocalEdit(
                edited,
                f"swapped {function_id}.{first.input} and {function_id}.{second.input}: "
                f"{second.source} is now {first.input}, {first.source} {second.input}",
            )


def _saver_ports(
    flow: Flow, catalog: Catalog, saver: str, loaders: set[str]
) -> Iterator[tuple[str, Link | None, str]]:
    """The inputs of an output function fed straight from a loader, or by nothing though required."""
    for link in flow.links_into(saver):
        if link.source in loaders:
            yield link.input, link, f"the loaded {link.source}"
    linked = {link.input for link in flow.links_into(saver)}
    for inp in catalog[flow.functions[saver].type].socket_inputs():
        if inp.section == "required" and inp.name not in linked:
            yield inp.name, None, "nothing"


def _unreached(flow: Flow, catalog: Catalog) -> Iterator[LocalEdit]:
    """The flow without what reaches no output (file loaders stay).

    No output changes, but the task binding then sees the functions that matter only: a stray
    SolidMask beside the EmptyImage of "a 200x100 red image" made the stated size ambiguous.
    """
    reached = reaching_outputs(flow, catalog)
    loaders = file_loaders(flow, catalog)
    idle = [f for f in flow.functions if f not in reached and f not in loaders]
    if idle and len(idle) < len(flow.functions):
        edited = flow
        for function_id in idle:
            edited = edited.without_function(function_id)
        yield LocalEdit(edited, f"removed {', '.join(idle)}: nothing of it reaches an output")


def _dropped_savers(flow: Flow, catalog: Catalog) -> Iterator[LocalEdit]:
    savers = output_functions(flow, catalog)
    if len(savers) < 2:
        return
    loaders = file_loaders(flow, catalog)
    for saver in savers:
        sources = {link.source for link in flow.links_into(saver)}
        if sources and sources <= loaders:
            yield LocalEdit(
                flow.without_function(saver), f"removed {saver}: it saved a loaded input as it is"
            )


def _splices(flow: Flow, catalog: Catalog, suggested: Sequence[str]) -> Iterator[LocalEdit]:
    if not suggested:
        return
    for function_id, function in flow.functions.items():
        spec = working(flow, catalog, function_id)
        if spec is None or function.type in suggested:
            continue
        edited = bypass(flow, catalog, function_id)
        if edited is not None:
            yield LocalEdit(
                edited, f"took out {function_id} ({function.type}): no search of the task's steps found it"
            )


def _swaps(flow: Flow, catalog: Catalog, hints: EditHints) -> Iterator[LocalEdit]:
    for function_id, function in flow.functions.items():
        if working(flow, catalog, function_id) is None:
            continue
        for other in _replacements(function.type, hints):
            spec = catalog.get(other)
            if other == function.type or spec is None or spec.output_node or not spec.socket_inputs():
                continue
            edited = retyped(flow, catalog, function_id, spec)
            if edited is not None:
                yield LocalEdit(
                    edited,
                    f"changed {function_id} from {function.type} to {other}: the search of the task's "
                    f"steps found {other}",
                )


def _replacements(node_type: str, hints: EditHints) -> list[str]:
    """The searched types a step may become: any, unless its type is a search's best hit.

    A best hit does a step of the task (ImageInvert for "invert the colours") and may only become a
    type found by the same step's search, another way to do that step (InvertMask, for a mask). The
    whole task's search does not count when the task has steps: it finds every step's types at once.
    """
    if all(not names or names[0] != node_type for names in hints.steps):
        return hints.suggested
    per_step = hints.steps[1:] if len(hints.steps) > 1 else hints.steps
    return list(dict.fromkeys(name for names in per_step if node_type in names for name in names))


def _resizes(flow: Flow, catalog: Catalog, hints: EditHints) -> Iterator[LocalEdit]:
    """A searched resize to the stated size (or by the stated factor) before an output nothing sizes."""
    if hints.size is not None:
        params: dict[str, ParamValue] = {"width": hints.size.width, "height": hints.size.height}
        wanted: tuple[str, ...] = ("width", "height")
        what = f"to {hints.size}"
    elif hints.factor is not None:
        params, wanted, what = {"scale_by": hints.factor}, ("scale_by",), f"by {hints.factor:g}"
    else:
        return
    resizers = [name for name in hints.suggested if _is_resizer(catalog.get(name), wanted)]
    for saver in output_functions(flow, catalog):
        sized = any(_is_resizer(catalog.get(flow.functions[f].type)) for f in upstream(flow, saver))
        links = [link for link in flow.links_into(saver) if input_type(flow, catalog, link) == "IMAGE"]
        if sized or len(links) != 1:
            continue
        for name in resizers[:1]:
            new_id = fresh_id(flow, "resize")
            edited = on_link(flow, links[0], new_id, catalog[name], ("IMAGE", "IMAGE"), params)
            if edited is not None:
                yield LocalEdit(
                    edited, f"inserted {new_id} ({name}) before {saver}: nothing sized the result {what}"
                )


def _is_resizer(spec: NodeSpec | None, inputs: Sequence[str] = ()) -> bool:
    """A step that changes an image's size (ImageScale, ImageScaleBy), taking every one of `inputs`."""
    return (
        spec is not None
        and any(spec.input(name) is not None for name in SIZE_PARAMS)
        and all(spec.input(name) is not None for name in inputs)
        and any(i.type == "IMAGE" for i in spec.socket_inputs())
        and any(o.type == "IMAGE" for o in spec.outputs)
    )


def _inserts(flow: Flow, catalog: Catalog, wanted: Sequence[str]) -> Iterator[LocalEdit]:
    """A wanted step of one input and a result of the same type, put on each link of that type."""
    for name in dict.fromkeys(wanted):
        spec = catalog.get(name)
        required = [i for i in spec.socket_inputs() if i.section == "required"] if spec else []
        if spec is None or spec.output_node or len(required) != 1:
            continue
        kind = required[0].type
        for link in flow.links:
            new_id = fresh_id(flow, name.lower())
            on_kind = input_type(flow, catalog, link) == kind
            edited = on_link(flow, link, new_id, spec, (kind, kind)) if on_kind else None
            if edited is None:
                continue
            yield LocalEdit(
                edited,
                f"inserted {new_id} ({name}) between {link.source} and {link.target}: the task states a "
                f"value only {name} takes",
            )
