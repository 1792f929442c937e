"""A ComfyUI quirk as a repair: a loaded picture's alpha channel is the loader's MASK output, inverted.

`LoadImage` gives its picture as RGB (IMAGE) and the alpha channel separately as MASK, inverted (1 where
the picture is transparent). `ImageToMask(channel="alpha")` on the loader's IMAGE therefore fails at run
time with "index 3 is out of bounds for dimension 3 with size 3", and refine could not tell why: the
1.5B kept that step through every round of "extract the opacity of logo.png". The step that was meant
is `InvertMask` of the loader's MASK, which gives the same MASK to the same consumers.
"""

from __future__ import annotations

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.repair.flow_surgery import file_loaders

__all__ = ["read_alpha_from_mask"]

_ALPHA_STEP = "ImageToMask"
_INVERT = "InvertMask"


def read_alpha_from_mask(flow: Flow, catalog: Catalog) -> tuple[Flow, list[str]]:
    """`flow` with each alpha-channel ImageToMask of a loader's IMAGE read from its MASK; one note each."""
    if _INVERT not in catalog:
        return flow, []
    notes: list[str] = []
    for function_id, function in list(flow.functions.items()):
        if function.type != _ALPHA_STEP or function.params.get("channel") != "alpha":
            continue
        fed = next((link for link in flow.links_into(function_id) if link.input == "image"), None)
        mask = _mask_output(flow, catalog, fed) if fed is not None else None
        if fed is None or mask is None:
            continue
        read = Link(source=fed.source, output=mask, target=function_id, input="mask")
        flow = flow.with_function(function_id, Function(type=_INVERT)).with_links(
            [*(link for link in flow.links if link != fed), read]
        )
        notes.append(
            f"{function_id}: ImageToMask(channel='alpha') of {fed.source}'s RGB picture fails in ComfyUI; "
            f"reads the alpha as InvertMask of {fed.source}.{mask} (the loader gives it inverted)"
        )
    return flow, notes


def _mask_output(flow: Flow, catalog: Catalog, fed: Link) -> str | None:
    """The MASK output of the file loader feeding `fed` when `fed` carries its IMAGE, else None."""
    spec = catalog.get(flow.functions[fed.source].type)
    carried = spec.output(fed.output) if spec is not None else None
    if (
        spec is None
        or carried is None
        or carried.type != "IMAGE"
        or fed.source not in file_loaders(flow, catalog)
    ):
        return None
    return next((output.name for output in spec.outputs if output.type == "MASK"), None)
