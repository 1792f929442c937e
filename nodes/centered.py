"""A centred crop: "the central 96x96 square of portrait.png" sets the crop's size and its position.

The position of a centred crop is not written in the task; it follows from the input's real size, which
a small model never computes (it kept an example's x=16, y=16). With one crop function (taking x, y,
width and height) fed by the task's one input image, unchanged in size on the way, the crop is set to
the stated size, centred: x = (W - w) // 2, y = (H - h) // 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow
from anysym.nodes.flow_surgery import with_values
from anysym.verify.flow_walk import resized_before
from anysym.verify.media import Size

__all__ = ["center_crops"]

_CROP_INPUTS = ("x", "y", "width", "height")
_CENTRE = r"(?:central|centre|center|middle|centered|centred)"
_SIZE = r"(\d{1,5})\s*(?:x|×|by)\s*(\d{1,5})"
_CENTRED_SIZE = re.compile(
    rf"\b{_CENTRE}\s+(?:\w+\s+){{0,2}}?{_SIZE}\b"
    rf"|\b{_SIZE}\s+(?:pixels?\s+|px\s+)?(?:\w+\s+){{0,2}}?(?:from|in|at|of|around)\s+the\s+{_CENTRE}\b"
)


def center_crops(flow: Flow, task: str, images: Sequence[Size], catalog: Catalog) -> tuple[Flow, list[str]]:
    """Return `flow` with its one crop centred on the stated size; one note per changed value.

    `images`: the sizes of the task's input pictures.
    """
    stated = {_size(m) for m in _CENTRED_SIZE.finditer(task.lower())}
    crops = [fid for fid, f in flow.functions.items() if _is_crop(f.type, catalog)]
    if len(stated) != 1 or len(images) != 1 or len(crops) != 1:
        return flow, []
    crop, (width, height), base = crops[0], stated.pop(), images[0]
    if width > base.width or height > base.height or resized_before(flow, crop, catalog):
        return flow, []
    wanted = {
        "width": width,
        "height": height,
        "x": (base.width - width) // 2,
        "y": (base.height - height) // 2,
    }
    return with_values(flow, crop, wanted, f"the centred {width}x{height} of the input's {base}")


def _size(match: re.Match[str]) -> Size:
    w, h = (int(g) for g in match.groups() if g is not None)
    return Size(w, h)


def _is_crop(node_type: str, catalog: Catalog) -> bool:
    spec = catalog.get(node_type)
    return spec is not None and all(spec.input(name) is not None for name in _CROP_INPUTS)
