"""A transparent result that is not: the task asks for transparent pixels and every output is opaque.

"Make the white disc fully transparent in photo.png and save it as a PNG with an alpha channel"
answered with a flow that saves a channel of the picture as a gray image passed every size and
unchanged check in the 1.5B run: nothing looked at the alpha channel.
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

__all__ = ["check_transparency", "transparent_share"]


def check_transparency(
    flow: Flow, outputs: Sequence[OutputFile], expectations: Expectations, catalog: Catalog
) -> list[Diagnostic]:
    """One VERIFICATION_FAILED when the task asks for transparency and no image output has any."""
    if not expectations.transparent:
        return []
    measured = measure_images(outputs, transparent_share)
    if not measured or any(share > 0 for _, share in measured):
        return []
    saver = measured[0][0].function_id
    return [
        saver_failed(
            flow,
            saver,
            f"{saver} saved an opaque image ({measured[0][0].filename}: no transparent pixel); "
            "the task asks for transparent pixels (an alpha channel)",
            "join a mask of the part to make transparent to the picture as its alpha "
            "(e.g. JoinImageWithAlpha) and save that picture",
        )
    ]


def transparent_share(path: Path) -> float | None:
    """The share of pixels not fully opaque (0 without an alpha channel), None when unreadable."""
    try:
        with open_picture(path) as image:
            if "A" not in image.getbands() and "transparency" not in image.info:
                return 0.0
            alpha = np.asarray(image.convert("RGBA"), dtype=np.uint8)[..., 3]
    except MediaError:
        return None
    return float((alpha < 255).mean())
