"""Walks over a flow's links for verification: upstream search, reachability of output functions."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from anysym.language.catalog import Catalog, InputSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow
from anysym.language.validate_values import is_file_input

__all__ = [
    "BATCH_PARAMS",
    "SIZE_PARAMS",
    "file_inputs",
    "linked_port",
    "reaching_outputs",
    "resized_before",
    "responsible",
    "through_latent",
    "upstream",
]

SIZE_PARAMS = (
    "width",
    "height",
    "scale_by",
    "scale",
    "megapixels",
    "resolution",
    "size",
    "left",
    "top",
    "right",
    "bottom",
)
"""Parameters that set the pixel size of what a function produces (resize, crop, pad, create)."""
BATCH_PARAMS = ("batch_size", "amount", "length", "frames", "frame_count", "video_frames")
"""Parameters that set how many images (frames) a function produces."""


def upstream(flow: Flow, function_id: str) -> Iterator[str]:
    """Yield the functions feeding `function_id`, nearest first (breadth-first over links)."""
    seen = {function_id}
    queue = deque([function_id])
    while queue:
        current = queue.popleft()
        for link in flow.links_into(current):
            if link.source not in seen:
                seen.add(link.source)
                queue.append(link.source)
                yield link.source


def responsible(
    flow: Flow, saver: str, catalog: Catalog, params: tuple[str, ...] = SIZE_PARAMS
) -> tuple[str, str | None]:
    """The nearest function upstream of `saver` with one of `params`, and that parameter; else the saver."""
    for function_id in upstream(flow, saver):
        spec = catalog.get(flow.functions[function_id].type)
        if spec is None:
            continue
        for name in params:
            if name in spec.inputs and spec.inputs[name].section != "hidden":
                return function_id, name
    return saver, linked_port(flow, saver)


def linked_port(flow: Flow, function_id: str) -> str | None:
    """The first input of `function_id` fed by a link (e.g. `images` of a SaveImage), or None."""
    links = flow.links_into(function_id)
    return links[0].input if links else None


def saver_failed(flow: Flow, saver: str, message: str, hint: str) -> Diagnostic:
    """A VERIFICATION_FAILED of what `saver` saved, addressed to its linked input when it is in `flow`."""
    known = saver in flow.functions
    return Diagnostic(
        kind=DiagnosticKind.VERIFICATION_FAILED,
        message=message,
        function=saver if known else None,
        port=linked_port(flow, saver) if known else None,
        hint=hint,
    )


def through_latent(flow: Flow, saver: str, catalog: Catalog) -> bool:
    """Whether the result reaching `saver` passed through a latent (so its size was rounded to 8 pixels)."""
    for function_id in [saver, *upstream(flow, saver)]:
        spec = catalog.get(flow.functions[function_id].type)
        if spec is not None and any(i.type == "LATENT" for i in spec.inputs.values()):
            return True
    return False


def reaching_outputs(flow: Flow, catalog: Catalog) -> set[str]:
    """The functions with a path of links to an output function (unknown types count as outputs)."""
    found: set[str] = set()
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        if spec is None or spec.output_node:
            found.add(function_id)
    for sink in list(found):
        found.update(upstream(flow, sink))
    return found


def file_inputs(flow: Flow, catalog: Catalog) -> Iterator[tuple[str, InputSpec, str]]:
    """Yield `(function id, input, file name)` for every literal file name given to an upload input."""
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        if spec is None:
            continue
        for inp in spec.visible_inputs():
            value = function.params.get(inp.name)
            if _is_upload(inp) and isinstance(value, str) and value.strip():
                name = value.removesuffix(" [input]").strip().replace("\\", "/").rsplit("/", 1)[-1]
                yield function_id, inp, name


def _is_upload(spec: InputSpec) -> bool:
    return any("upload" in key for key in spec.options) or is_file_input(spec)


def resized_before(flow: Flow, function_id: str, catalog: Catalog) -> bool:
    """Whether a function between a loaded file and `function_id` may change the picture's size."""
    loaders = {loader for loader, _, _ in file_inputs(flow, catalog)}
    for source in upstream(flow, function_id):
        spec = catalog.get(flow.functions[source].type)
        if source not in loaders and (spec is None or any(spec.input(p) for p in SIZE_PARAMS)):
            return True
    return False
