"""A region cut out of an input file needs a function that crops, not one that resizes the whole picture.

"Cut out the central 96x96 square of portrait.png", "take the 64x64 square in the top-left corner of
texture.png": both models answered with a resize to the stated size, which runs, has the right size
and passes every size check, while the picture holds everything squeezed instead of one part of it.
The task says a region is wanted when it crops or cuts something out ("crop", "cut out", "cut ... out
of"), or when a stated size names a region of an input file ("the 80x60 corner at the bottom right of
photo.png": a size, a region noun, then "of"/"from"/"in" the file within the clause). A function
crops when it takes a position (`x`, `y`) and a size (`width`, `height`) and gives back what it takes
(ImageCrop, CropMask); a paste takes a position but no size. A flow without one, upstream of an output,
is reported (statically, before it runs) at the function that sets the size, else at the output. A
task that also puts something onto a picture ("a 32x32 red square in the corner of photo.png") names
its region only with a crop verb.
"""

from __future__ import annotations

import re

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow
from anysym.verify.expectations import Expectations
from anysym.verify.flow_walk import SIZE_PARAMS, file_inputs, upstream
from anysym.verify.wording import mask_names

__all__ = ["asks_region", "check_crop", "cropping", "is_crop", "sets_size"]

_CUTS = re.compile(r"\bcrop(?:s|ped|ping)?\b|\bcut(?:s|ting)?\s+(?:[^.;]{0,60}?\s)?out\b")
"""Crop verbs: "crop", "cut out", "cut the 64x64 patch at (32, 32) out of"."""
_REGION_OF_FILE = re.compile(
    r"\d+\s*[x×]\s*\d+\s*(?:pixels?\s+|px\s+)?(?:[a-z-]+\s+)?"
    r"(?:square|rectangle|region|patch|block|window|corner|area|piece|section|portion|part|tile)s?\b"
    r"(?!\s+(?:image|picture|photo|thumbnail|canvas|version|copy|icon|output|result)s?\b)"
    r"[^.;]{0,40}?\b(?:of|from|in)\s+(?:the\s+)?file\d+\b"
)
"""A stated size naming a region of an input file: "the 64x64 square in the top-left corner of file0"
(not "a 64x64 square image of file0", a resize)."""
_PUTS = re.compile(r"\b(?:past\w*|plac\w*|put\w*|stamp\w*|insert\w*|overlay\w*|blend\w*|draw\w*|onto)\b")
"""Words that put something on a picture: "a 32x32 red square in the corner of file0" is then no crop."""


def asks_region(task: str, names: list[str]) -> bool:
    """Whether the task cuts a region out of one of its input files."""
    if not names:
        return False
    text = mask_names(task, names)
    return bool(_CUTS.search(text) or (_REGION_OF_FILE.search(text) and not _PUTS.search(text)))


def is_crop(spec: NodeSpec | None) -> bool:
    """A function that keeps a region: takes x, y, width and height and gives back what it takes."""
    if spec is None or not all(spec.input(name) is not None for name in ("x", "y", "width", "height")):
        return False
    taken = {i.type for i in spec.socket_inputs()}
    return any(o.type in taken for o in spec.outputs)


def check_crop(flow: Flow, expectations: Expectations, catalog: Catalog) -> list[Diagnostic]:
    """One error when the task cuts a region out of a file and nothing upstream of an output crops."""
    names = [fact.name for fact in expectations.inputs]
    if not asks_region(expectations.task, names) or not any(True for _ in file_inputs(flow, catalog)):
        return []
    savers = [
        fid for fid, f in flow.functions.items() if (s := catalog.get(f.type)) is not None and s.output_node
    ]
    feeding = {source for saver in savers for source in upstream(flow, saver)}
    if not savers or any(cropping(flow, f, catalog) for f in feeding):
        return []
    sizing = [f for f in feeding if sets_size(catalog.get(flow.functions[f].type))]
    blamed = sorted(sizing)[0] if sizing else savers[0]
    what = f"{blamed} ({flow.functions[blamed].type}) resizes the whole picture and " if sizing else ""
    return [
        Diagnostic(
            kind=DiagnosticKind.VERIFICATION_FAILED,
            function=blamed,
            message=f"the task cuts a region out of an input file, but {what}no function of the flow crops",
            hint="crop with a function that takes x, y, width and height (ImageCrop for a picture, CropMask "
            "for a mask) at the region the task states",
        )
    ]


def cropping(flow: Flow, function_id: str, catalog: Catalog) -> bool:
    """A crop function, or a resize told to crop to the new aspect (ImageScale's `crop="center"`)."""
    function = flow.functions[function_id]
    return is_crop(catalog.get(function.type)) or function.params.get("crop") not in (None, "disabled")


def sets_size(spec: NodeSpec | None) -> bool:
    """A function that sets a size (width and height, or a scale factor)."""
    return spec is not None and any(spec.input(name) is not None for name in SIZE_PARAMS)
