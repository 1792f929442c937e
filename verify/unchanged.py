"""An output identical to an input: the flow's steps changed nothing (a dangling step, a no-op value).

A flow that loads a picture, computes something and saves the picture itself "runs" and passes every
size and kind check. Comparing pixels with the inputs catches it without knowing what the task asked:
when the flow has any function besides loaders and output functions, an untouched input is never the
result it meant to save. A bare load-and-save flow is right only for a task about the file itself (a
format, a conversion, a copy): the 0.5B's refine answer to "give me the negative of portrait.png"
loaded and saved the portrait and passed every check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from anysym.errors import MediaError
from anysym.graph.result import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow
from anysym.verify.expectations import Expectations
from anysym.verify.flow_walk import file_inputs, linked_port
from anysym.verify.pictures import open_picture
from anysym.verify.wording import mask_names

__all__ = ["check_unchanged"]

_FILE_WORDS = re.compile(r"\b(?:png|jpe?g|webp|gif|tiff?|bmp|formats?|conver\w*|cop(?:y|ies|ied))\b")


def check_unchanged(
    flow: Flow, outputs: Sequence[OutputFile], expectations: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    """One VERIFICATION_FAILED per image output whose pixels equal an input image's."""
    if not _transforms(flow, catalog) and _about_the_file(expectations):
        return []
    images = [f for f in expectations.inputs if f.kind == "image" and f.path is not None and f.size]
    found: list[Diagnostic] = []
    for output in outputs:
        if output.kind != "image":
            continue
        same = next((f for f in images if f.path is not None and _same_pixels(output.path, f.path)), None)
        if same is None:
            continue
        port = linked_port(flow, output.function_id) if output.function_id in flow.functions else None
        found.append(
            Diagnostic(
                kind=DiagnosticKind.VERIFICATION_FAILED,
                message=f"{output.function_id} saved {same.name} unchanged: none of the flow's steps "
                "changed what reaches it",
                function=output.function_id if output.function_id in flow.functions else None,
                port=port,
                hint="link the output function to the last step's result, and check that each step's "
                "values change the image as the task asks",
            )
        )
    return found


def _transforms(flow: Flow, catalog: Catalog) -> bool:
    loaders = {function_id for function_id, _, _ in file_inputs(flow, catalog)}
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        if function_id not in loaders and spec is not None and not spec.output_node:
            return True
    return False


def _about_the_file(expectations: Expectations) -> bool:
    """Whether the task names a file format or asks to convert or copy (file names themselves masked)."""
    text = mask_names(expectations.task, [f.name for f in expectations.inputs])
    return _FILE_WORDS.search(text) is not None


def _same_pixels(first: Path, second: Path) -> bool:
    try:
        with open_picture(first) as a, open_picture(second) as b:
            if a.size != b.size or getattr(a, "n_frames", 1) > 1:
                return False
            # RGBA: a picture given a transparent hole (JoinImageWithAlpha) keeps its colours only
            return bool(np.array_equal(np.asarray(a.convert("RGBA")), np.asarray(b.convert("RGBA"))))
    except MediaError:
        return False
