"""Checks of a run's output files against the task's expectations: kinds, frame counts, sizes, batches.

Only what the expectations are sure of is checked; the facts of each file are read from the file itself
(`read_media`), never from its name or the server's word.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from anysym.graph.result import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow
from anysym.language.io_nodes import savers_for
from anysym.verify.expectations import Expectations, ExpectedKind
from anysym.verify.fill_colour import check_fill_colour
from anysym.verify.flow_walk import BATCH_PARAMS, SIZE_PARAMS, linked_port, responsible, through_latent
from anysym.verify.media import MediaFacts, Size, read_media
from anysym.verify.tones import check_grayscale, check_shades, check_two_tone
from anysym.verify.transparency import check_transparency
from anysym.verify.unchanged import check_unchanged

__all__ = ["check_outputs"]

_DESCRIBED = {
    "image": "an image",
    "video": "an animation (a video or a multi-frame image)",
    "audio": "audio",
    "mesh": "a 3D mesh",
    "latent": "a latent file",
}
_LISTED = 6


class _Sized(NamedTuple):
    output: OutputFile
    size: Size
    rounded: bool
    """Whether the result went through a latent, so a size rounded down to 8 pixels is fine."""
    what: str


def check_outputs(
    flow: Flow, outputs: Sequence[OutputFile], expectations: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    """Check the produced files: kinds, frames, sizes, latent batches, unchanged inputs, gray, alpha, fill."""
    read = [(output, read_media(output.path)) for output in outputs]
    found = _kinds(flow, read, expectations, catalog)
    found += _count(flow, read, expectations)
    found += _frames(flow, read, expectations, catalog)
    found += _sizes(flow, _sized(flow, read, catalog), expectations, catalog)
    found += _batches(flow, read, expectations, catalog)
    found += check_unchanged(flow, outputs, expectations, catalog)
    found += check_grayscale(flow, outputs, expectations, catalog)
    found += check_shades(flow, outputs, expectations)
    found += check_two_tone(flow, outputs, expectations)
    found += check_transparency(flow, outputs, expectations, catalog)
    found += check_fill_colour(flow, outputs, expectations.fill_colour)
    return found


def _is_animated(output: OutputFile, facts: MediaFacts) -> bool:
    return output.kind == "video" or (facts.frames or 1) > 1


def _has_kind(output: OutputFile, facts: MediaFacts, kind: ExpectedKind) -> bool:
    if kind == "video":
        return _is_animated(output, facts)
    if kind == "image":  # a GIF or video of the edited picture still shows it; only the format differs
        return output.kind in ("image", "video")
    return output.kind == kind


def _kinds(
    flow: Flow, read: list[tuple[OutputFile, MediaFacts]], exp: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for kind in sorted(exp.output_kinds):
        if any(_has_kind(o, f, kind) for o, f in read):
            continue
        have = ", ".join(dict.fromkeys(f"{o.kind} from {o.function_id}" for o, _ in read)) or "nothing"
        savers = dict.fromkeys(o.function_id for o, _ in read if o.function_id in flow.functions)
        suggested = savers_for([kind], catalog)
        how = " or ".join(suggested) if suggested else "a function that saves it"
        found.append(
            Diagnostic(
                kind=DiagnosticKind.VERIFICATION_FAILED,
                message=f"the flow produced {have}; the task asks for {_DESCRIBED[kind]}",
                function=next(iter(savers)) if len(savers) == 1 else None,
                hint=f"save the result with {how}",
            )
        )
    return found


def _count(flow: Flow, read: list[tuple[OutputFile, MediaFacts]], exp: Expectations) -> list[Diagnostic]:
    """Fewer files than the results the task says to save ("save both the result and a half-size copy")."""
    if exp.output_count is None or len(read) >= exp.output_count:
        return []
    savers = list(dict.fromkeys(o.function_id for o, _ in read if o.function_id in flow.functions))
    return [
        Diagnostic(
            kind=DiagnosticKind.VERIFICATION_FAILED,
            message=f"the flow saved {len(read)} file(s); the task asks to save {exp.output_count} results",
            function=savers[0] if len(savers) == 1 else None,
            hint="save each result the task names with its own output function (another SaveImage fed "
            "from the step that makes it)",
        )
    ]


def _frames(
    flow: Flow, read: list[tuple[OutputFile, MediaFacts]], exp: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    wanted = exp.frames
    if wanted is None:
        return []
    animated = [(o, f) for o, f in read if _is_animated(o, f)]
    if animated:
        if any(f.frames in (None, wanted) for _, f in animated):
            return []  # one animation is right, or a video's frames cannot be counted here
        return [
            _frame_problem(flow, o, f"an animation of {f.frames} frames", wanted, catalog)
            for o, f in animated
        ]
    if "video" in exp.output_kinds:
        return []  # the missing animation itself is reported by the kind check
    images = [o for o, f in read if o.kind == "image" and f.frames == 1]
    if not images or len(images) == wanted:
        return []
    return [_frame_problem(flow, images[0], f"{len(images)} single images", wanted, catalog)]


def _frame_problem(
    flow: Flow, output: OutputFile, observed: str, wanted: int, catalog: Catalog
) -> Diagnostic:
    saver = output.function_id
    blamed, port = _blame(flow, saver, catalog, BATCH_PARAMS)
    return Diagnostic(
        kind=DiagnosticKind.VERIFICATION_FAILED,
        message=f"{saver} saved {observed} ({output.filename}); the task asks for {wanted} frames",
        function=blamed,
        port=port,
        hint=f"make the batch of images reaching {saver} hold exactly {wanted} frames",
    )


def _sized(flow: Flow, read: list[tuple[OutputFile, MediaFacts]], catalog: Catalog) -> list[_Sized]:
    found: list[_Sized] = []
    for output, facts in read:
        if output.kind in ("image", "video") and facts.size is not None:
            rounded = output.function_id in flow.functions and through_latent(
                flow, output.function_id, catalog
            )
            found.append(_Sized(output, facts.size, rounded, str(facts.size)))
        latent_size = facts.latent.image_size if facts.latent else None
        if facts.latent is not None and latent_size is not None:
            shape = "x".join(str(d) for d in facts.latent.shape)
            found.append(_Sized(output, latent_size, True, f"a latent for {latent_size} images ({shape})"))
    return found


def _fits(item: _Sized, wanted: frozenset[Size]) -> bool:
    if item.size in wanted:
        return True
    return item.rounded and item.size in {Size(s.width // 8 * 8, s.height // 8 * 8) for s in wanted}


def _sizes(flow: Flow, items: list[_Sized], exp: Expectations, catalog: Catalog) -> list[Diagnostic]:
    strict = frozenset({exp.strict_size}) if exp.strict_size is not None else frozenset()
    candidates = exp.candidate_sizes
    if strict:
        matching = [i for i in items if _fits(i, strict)]
        if not matching:
            # Blame the outputs no reading of the task explains (not a preview of an input) when there are.
            odd = [i for i in items if candidates and not _fits(i, candidates)]
            bad = [(i, True) for i in odd or items]
        else:
            bad = [
                (i, False) for i in items if not _fits(i, strict) and candidates and not _fits(i, candidates)
            ]
    elif candidates:
        bad = [(i, False) for i in items if not _fits(i, candidates)]
    else:
        return []
    found: dict[tuple[str, Size], Diagnostic] = {}
    for item, against_strict in bad:
        key = (item.output.function_id, item.size)
        if key not in found:
            found[key] = _size_problem(flow, item, exp, against_strict, catalog)
    return list(found.values())


def _size_problem(
    flow: Flow, item: _Sized, exp: Expectations, against_strict: bool, catalog: Catalog
) -> Diagnostic:
    saver = item.output.function_id
    blamed, port = _blame(flow, saver, catalog, SIZE_PARAMS)
    where = f"{saver}.{linked_port(flow, saver) or 'output'}" if saver in flow.functions else saver
    return Diagnostic(
        kind=DiagnosticKind.VERIFICATION_FAILED,
        message=f"{where} is {item.what}; {_expected(exp, against_strict)}",
        function=blamed,
        port=port,
        hint=_size_hint(flow, exp, blamed, saver, _wanted(exp, against_strict), catalog),
    )


def _expected(exp: Expectations, against_strict: bool) -> str:
    if against_strict and exp.strict_size is not None:
        if exp.strict_source:
            return f"the task asks to keep {exp.strict_source}'s size {exp.strict_size}"
        return f"the task asks for {exp.strict_size}"
    images = exp.input_images()
    if not exp.resizes and images:
        if len({f.size for f in images}) == 1:
            return (
                f"the task asks for {images[0].name}'s size {images[0].size} (nothing in the task resizes it)"
            )
        listed = ", ".join(f"{f.name} {f.size}" for f in images)
        return f"the task asks for the size of one of its inputs, {listed} (nothing in the task resizes them)"
    listed = ", ".join(f"{size} ({origin})" for size, origin in exp.size_origins[:_LISTED])
    more = ", ..." if len(exp.size_origins) > _LISTED else ""
    return f"the only sizes the task makes plausible are {listed}{more}"


def _wanted(exp: Expectations, against_strict: bool) -> str:
    if against_strict and exp.strict_size is not None:
        return str(exp.strict_size)
    # Sizes that apply more of the task's operations (scales, paddings, stated sizes) come first.
    ranked = sorted(exp.size_origins, key=lambda item: -_operations(item[1]))
    sizes = [str(size) for size, _ in ranked[:_LISTED]]
    return sizes[0] if len(sizes) == 1 else "one of " + ", ".join(sizes)


def _operations(origin: str) -> int:
    return origin.count(" x ") + origin.count("padding") + origin.count("stated")


def _size_hint(flow: Flow, exp: Expectations, blamed: str, saver: str, wanted: str, catalog: Catalog) -> str:
    if blamed == saver or blamed not in flow.functions:
        return f"make the result reaching {saver} {wanted}: resize, crop or pad it, or use the right input"
    function = flow.functions[blamed]
    if not exp.resizes:
        if not flow.links_into(blamed):
            return f"load the task's input file instead of creating a picture with {blamed} ({function.type})"
        return f"nothing in the task resizes it: remove {blamed} ({function.type}) or make it keep the size"
    spec = catalog.get(function.type)
    params = [p for p in SIZE_PARAMS if spec is not None and p in spec.inputs]
    now = ", ".join(f"{p}={function.params[p]}" for p in params if p in function.params)
    return f"change {blamed}'s {'/'.join(params)}{f' (now {now})' if now else ''} so the result is {wanted}"


def _batches(
    flow: Flow, read: list[tuple[OutputFile, MediaFacts]], exp: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    wanted = exp.batch_size
    found: list[Diagnostic] = []
    for output, facts in read:
        batch = facts.latent.batch if facts.latent else None
        if wanted is None or batch is None or batch == wanted:
            continue
        saver = output.function_id
        blamed, port = _blame(flow, saver, catalog, BATCH_PARAMS)
        found.append(
            Diagnostic(
                kind=DiagnosticKind.VERIFICATION_FAILED,
                message=f"{saver} saved a batch of {batch} latents ({output.filename}); "
                f"the task asks for a batch size of {wanted}",
                function=blamed,
                port=port,
                hint=f"set the batch size to {wanted}",
            )
        )
    return found


def _blame(flow: Flow, saver: str, catalog: Catalog, params: tuple[str, ...]) -> tuple[str, str | None]:
    if saver not in flow.functions:
        return saver, None  # outputs of a function the flow no longer has: address the id they came with
    return responsible(flow, saver, catalog, params)
