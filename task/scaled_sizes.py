"""A scale factor for a resize that takes a width and a height: "a quarter of its width and height".

A task that scales by a factor states no size, and a resize by width and height (ImageScale) keeps
whatever the model wrote: the reference program's 96x96, or a crop's 32x32 after search turned the
crop into a resize. The size follows from the input's real size: with one such resize (a width and a
height, no position, an image input) fed by the task's one input image unchanged in size on the way,
no stated size, one stated factor and no function taking the factor itself (`scale_by`), the resize
is set to the input's size times the factor.
"""

from __future__ import annotations

from collections.abc import Sequence

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.flow import Flow
from anysym.repair.flow_surgery import with_values
from anysym.task.phrases import is_scale_factor
from anysym.verify.flow_walk import resized_before
from anysym.verify.media import Size
from anysym.verify.wording import read_wording

__all__ = ["scaled_sizes"]


def scaled_sizes(
    flow: Flow, task: str, names: Sequence[str], images: Sequence[Size], catalog: Catalog
) -> tuple[Flow, list[str]]:
    """Return `flow` with its one width-and-height resize set to the input's size times the stated factor.

    `names`: the task's input file names; `images`: the sizes of its input pictures.
    """
    wording = read_wording(task, names)
    specs = {fid: catalog.get(f.type) for fid, f in flow.functions.items()}
    resizes = [fid for fid, spec in specs.items() if spec is not None and _sized_resize(spec)]
    takes_factor = any(
        spec is not None and any(is_scale_factor(i) for i in spec.widget_inputs()) for spec in specs.values()
    )
    groups = wording.factor_groups
    if wording.sizes or wording.paddings or len(groups) != 1 or len(images) != 1 or len(resizes) != 1:
        return flow, []
    if takes_factor or resized_before(flow, resizes[0], catalog):
        return flow, []
    (fx, fy), base, resize = groups[0][0], images[0], resizes[0]
    wanted = {"width": max(1, round(base.width * fx)), "height": max(1, round(base.height * fy))}
    return with_values(flow, resize, wanted, f"the input's {base} x {fx:g} wide, {fy:g} high")


def _sized_resize(spec: NodeSpec) -> bool:
    """Takes a width and a height but no position (not a crop), and an image to resize (not a creator)."""
    sized = spec.input("width") is not None and spec.input("height") is not None
    placed = spec.input("x") is not None or spec.input("y") is not None
    return sized and not placed and any(i.type == "IMAGE" for i in spec.socket_inputs())
