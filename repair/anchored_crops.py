"""A crop placed where the task puts it: "the central 96x96 square", "the 80x60 corner at the bottom right".

The position of such a crop is not written in the task; it follows from the input's real size, which a
small model never computes (it kept an example's x=16, y=16). With one crop function (taking x, y,
width and height) fed by the task's one input image, unchanged in size on the way, the crop is set to
the stated size at the stated place: centred, x = (W - w) // 2, y = (H - h) // 2; in a corner, x = 0 or
W - w and y = 0 or H - h. A place is read only when it is tied to the size ("the 64x64 square in the
top-left corner", "the top-right 32x32 block"), so "paste the logo with its top-left corner at (16, 16)"
is no crop's place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow
from anysym.repair.flow_surgery import with_values
from anysym.verify.crops import is_crop
from anysym.verify.flow_walk import resized_before
from anysym.verify.media import Size

__all__ = ["anchored_crops"]

_CENTRE = r"(?:central|centre|center|middle|centered|centred)"
_CORNER = r"(?P<v>top|upper|bottom|lower)[- ](?P<h>left|right)(?:[- ]hand)?"
_SIZE = r"(?P<w>\d{1,5})\s*(?:x|×|by)\s*(?P<h2>\d{1,5})"
_PLACES = [
    re.compile(rf"\b(?P<c>{_CENTRE})\s+(?:\w+\s+){{0,2}}?{_SIZE}\b"),
    re.compile(
        rf"\b{_SIZE}\s+(?:pixels?\s+|px\s+)?(?:\w+\s+){{0,2}}?(?:from|in|at|of|around)\s+the\s+(?P<c>{_CENTRE})\b"
    ),
    re.compile(rf"\b{_CORNER}\s+(?:corner\s+)?(?:\w+\s+){{0,2}}?{_SIZE}\b"),
    re.compile(rf"\b{_SIZE}\s+(?:pixels?\s+|px\s+)?(?:\w+\s+){{0,2}}?(?:from|in|at|of)\s+the\s+{_CORNER}\b"),
]
"""A size tied to a place: before it ("the central 96x96", "the bottom-right 80x60") or after it
("96x96 region in the middle", "80x60 corner at the bottom right")."""


def anchored_crops(flow: Flow, task: str, images: Sequence[Size], catalog: Catalog) -> tuple[Flow, list[str]]:
    """Return `flow` with its one crop set to the stated size at the stated place; one note per change.

    `images`: the sizes of the task's input pictures.
    """
    stated = set(_places(task.lower()))
    crops = [fid for fid, f in flow.functions.items() if is_crop(catalog.get(f.type))]
    if len(stated) != 1 or len(images) != 1 or len(crops) != 1:
        return flow, []
    crop, (size, vertical, horizontal), base = crops[0], stated.pop(), images[0]
    if size.width > base.width or size.height > base.height or resized_before(flow, crop, catalog):
        return flow, []
    spare_width, spare_height = base.width - size.width, base.height - size.height
    wanted = {
        "width": size.width,
        "height": size.height,
        "x": {"left": 0, "right": spare_width}.get(horizontal, spare_width // 2),
        "y": {"top": 0, "bottom": spare_height}.get(vertical, spare_height // 2),
    }
    place = "centred" if vertical == "centre" else f"{vertical}-{horizontal}"
    return with_values(flow, crop, wanted, f"the {place} {size} of the input's {base}")


def _places(task: str) -> list[tuple[Size, str, str]]:
    """Each (size, vertical place, horizontal place) the task ties together ("centre" for both)."""
    found = []
    for pattern in _PLACES:
        for match in pattern.finditer(task):
            size = Size(int(match["w"]), int(match["h2"]))
            groups = match.groupdict()
            if groups.get("c"):
                found.append((size, "centre", "centre"))
            else:
                vertical = {"upper": "top", "lower": "bottom"}.get(match["v"], match["v"])
                found.append((size, vertical, match["h"]))
    return found
