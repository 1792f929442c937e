"""A grayscale result that is not: the task asks for a black-and-white image and an output has colour.

A flow that copies the wrong example (an invert for "a black-and-white image of the red channel above
0.6", an alpha cut-out for "a grayscale image of the green channel") runs, keeps the input's size and
changes its pixels, so size and unchanged checks pass it. Its colours give it away.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from anysym.errors import MediaError
from anysym.graph.result import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic
from anysym.language.flow import Flow
from anysym.verify.expectations import Expectations
from anysym.verify.flow_walk import saver_failed
from anysym.verify.pictures import open_picture

__all__ = ["GRAY_TOLERANCE", "check_grayscale", "colourfulness"]

GRAY_TOLERANCE = 2.0
"""Largest mean channel spread (0-255) of an image still called gray: PNG and resampling round."""


def check_grayscale(
    flow: Flow, outputs: Sequence[OutputFile], expectations: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    """One VERIFICATION_FAILED when the task asks for a grayscale image and no image output is gray.

    Several outputs (a colour copy beside the gray one) pass as long as one of them is gray.
    """
    if not expectations.grayscale:
        return []
    measured = [
        (o, spread) for o in outputs if o.kind == "image" and (spread := colourfulness(o.path)) is not None
    ]
    if not measured or any(spread <= GRAY_TOLERANCE for _, spread in measured):
        return []
    output, spread = min(measured, key=lambda item: item[1])
    saver = output.function_id
    return [
        saver_failed(
            flow,
            saver,
            f"{saver} saved a colour image ({output.filename}: its channels differ by "
            f"{spread:.1f} of 255 on average); the task asks for a grayscale (black-and-white) image",
            "compute a single-channel result (a mask of the channel or value the task names) and "
            "convert it to an image before saving",
        )
    ]


def colourfulness(path: Path) -> float | None:
    """The mean absolute spread between an image's channels (0: gray), None when it cannot be read."""
    try:
        with open_picture(path) as image:
            if image.mode in ("1", "L", "LA", "I", "I;16", "F"):
                return 0.0
            rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    except MediaError:
        return None
    spread = np.abs(rgb[..., 0] - rgb[..., 1]) + np.abs(rgb[..., 1] - rgb[..., 2])
    return float(spread.mean()) / 2.0
