"""A created picture of the wrong colour: the task asks for a plain picture of one colour, the result is not.

"Create a 200x100 image filled with pure red" answered with the invert example's EmptyImage ->
ImageInvert ran, kept the stated size and saved cyan: the size checks pass it, and a task without input
files has no unchanged check. Its mean colour gives it away.

Only tasks without input files that state exactly one colour (`anysym.verify.colors.stated_color`) and
ask for a fill ("filled with", "plain", "solid", "pure", "uniform", or the colour right before a picture
noun: "a blue card") expect it; a picture made from inputs, or with two colours, is never judged here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from anysym.errors import MediaError
from anysym.graph.result import OutputFile
from anysym.language.diagnostics import Diagnostic
from anysym.language.flow import Flow
from anysym.verify.colors import BASIC_COLORS, stated_color
from anysym.verify.flow_walk import saver_failed
from anysym.verify.pictures import measure_images, open_picture

__all__ = ["FILL_TOLERANCE", "check_fill_colour", "mean_colour", "stated_fill"]

FILL_TOLERANCE = 64
"""Largest difference (0-255) of any channel between the result's mean colour and the stated one."""
_NAMES = "|".join(BASIC_COLORS)
_FILL = re.compile(
    r"\b(?:fill(?:ed)?|plain|solid|pure|uniform|flat|single[- ]colou?r(?:ed)?|rgb|#[0-9a-f]{6})\b"
    rf"|\b(?:{_NAMES})\s+(?:image|picture|canvas|background|card|square|rectangle|png)s?\b",
    re.IGNORECASE,
)


def stated_fill(task: str, input_names: Sequence[str]) -> int | None:
    """The packed 0xRRGGBB colour a task without inputs asks its picture to be filled with, or None."""
    if input_names or not _FILL.search(task):
        return None
    return stated_color(task)


def check_fill_colour(flow: Flow, outputs: Sequence[OutputFile], colour: int | None) -> list[Diagnostic]:
    """One VERIFICATION_FAILED when no image output's mean colour is near the stated fill colour."""
    if colour is None:
        return []
    wanted = np.array([(colour >> 16) & 255, (colour >> 8) & 255, colour & 255], dtype=np.float64)
    measured = measure_images(outputs, mean_colour)
    distances = [(o, mean, float(np.abs(mean - wanted).max())) for o, mean in measured]
    if not distances or any(distance <= FILL_TOLERANCE for _, _, distance in distances):
        return []
    output, mean, _ = min(distances, key=lambda item: item[2])
    saver = output.function_id
    seen = ", ".join(str(round(channel)) for channel in mean)
    return [
        saver_failed(
            flow,
            saver,
            f"{saver} saved a picture whose mean colour is RGB ({seen}) ({output.filename}); the task asks "
            f"for a picture filled with RGB ({', '.join(str(int(c)) for c in wanted)}), packed {colour}",
            f"create the picture in that colour (e.g. EmptyImage color={colour}) and remove the steps "
            "that change its colours",
        )
    ]


def mean_colour(path: Path) -> np.ndarray | None:
    """The mean RGB (0-255) of an image's first frame, None when it cannot be read."""
    try:
        with open_picture(path) as image:
            rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    except MediaError:
        return None
    mean: np.ndarray = rgb.reshape(-1, 3).mean(axis=0)
    return mean
