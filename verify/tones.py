"""A grayscale result that is not: colour where black-and-white was asked, two tones where shades were.

A flow that copies the wrong example (an invert for "a black-and-white image of the red channel above
0.6", an alpha cut-out for "a grayscale image of the green channel") runs, keeps the input's size and
changes its pixels, so size and unchanged checks pass it. Its colours give it away. A flow that copies
the threshold-mask program for "turn the blue channel of portrait.png into a grayscale picture" saves a
gray picture, but only black and white: the input's many shades were asked for.
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
from anysym.verify.pictures import measure_images, open_picture

__all__ = [
    "GRAY_TOLERANCE",
    "check_grayscale",
    "check_shades",
    "check_two_tone",
    "colourfulness",
    "gray_levels",
]

GRAY_TOLERANCE = 2.0
"""Largest mean channel spread (0-255) of an image still called gray: PNG and resampling round."""
_MANY_SHADES = 16
"""Distinct gray levels from which an input counts as having shades to keep (not itself two-tone)."""


def check_grayscale(
    flow: Flow, outputs: Sequence[OutputFile], expectations: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    """One VERIFICATION_FAILED when the task asks for a grayscale image and no image output is gray.

    Several outputs (a colour copy beside the gray one) pass as long as one of them is gray.
    """
    if not expectations.grayscale:
        return []
    measured = measure_images(outputs, colourfulness)
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


def check_shades(flow: Flow, outputs: Sequence[OutputFile], expectations: Expectations) -> list[Diagnostic]:
    """One VERIFICATION_FAILED when the task asks for grayscale shades and every gray output is two-tone.

    Only when some input image has shades to keep (a two-tone input gives a two-tone result rightly).
    """
    if not expectations.shades:
        return []
    inputs = [f.path for f in expectations.inputs if f.kind == "image" and f.path is not None]
    if not any((levels := gray_levels(path)) is not None and levels >= _MANY_SHADES for path in inputs):
        return []
    gray = [o for o, spread in measure_images(outputs, colourfulness) if spread <= GRAY_TOLERANCE]
    counted = measure_images(gray, gray_levels)
    if not counted or any(n > 2 for _, n in counted):
        return []
    output = counted[0][0]
    return [
        saver_failed(
            flow,
            output.function_id,
            f"{output.function_id} saved a two-tone image ({output.filename}: only black and white "
            "pixels); the task asks for a grayscale image that keeps the shades",
            "take out the step that turns the shades into black and white (a threshold); keep the "
            "channel or value the task names as it is",
        )
    ]


def gray_levels(path: Path) -> int | None:
    """How many distinct gray levels an image has (its luminance), None when it cannot be read."""
    try:
        with open_picture(path) as image:
            gray = np.asarray(image.convert("L"))
    except MediaError:
        return None
    return int(np.unique(gray).size)


def check_two_tone(flow: Flow, outputs: Sequence[OutputFile], expectations: Expectations) -> list[Diagnostic]:
    """One VERIFICATION_FAILED when the task asks for only black and white and every image has more tones.

    The 1.5B answered "a two-tone mask picture: white where the red channel is greater than 0.4" with the
    channel itself, 43 shades of it.
    """
    if not expectations.two_tone:
        return []
    counted = measure_images(outputs, gray_levels)
    if not counted or any(levels <= 2 for _, levels in counted):
        return []
    output, levels = min(counted, key=lambda item: item[1])
    return [
        saver_failed(
            flow,
            output.function_id,
            f"{output.function_id} saved {levels} tones ({output.filename}); the task asks for only black "
            "and white",
            "threshold the channel or value the task names (white above the stated value, black below) "
            "before converting it to an image",
        )
    ]
