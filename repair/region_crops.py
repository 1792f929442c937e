"""Search edits for a region the task cuts out of a file, where the flow resizes the whole picture.

verify's crop check (`anysym.verify.crops`) fails such a flow, and refine, told to crop, answered with
another resize (the 0.5B turned "grab the 80x60 corner at the bottom right of photo.png" into a 1.5x
scale). Here a resizing step becomes the catalog's crop function of the value it takes (ImageCrop for a
picture, CropMask for a mask: x, y, width and height, its result of the same type), keeping the size it
had; a flow that sizes nothing gets the crop before each output function. The crop's size and place
are then the task binding's and `anysym.repair.anchored_crops`' to set, as for any draft.
"""

from __future__ import annotations

from collections.abc import Iterator

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.flow import Flow
from anysym.repair.flow_surgery import fresh_id, input_type, on_link, output_functions, retyped, working
from anysym.verify.crops import cropping, is_crop, sets_size
from anysym.verify.flow_walk import upstream

__all__ = ["region_crops"]


def region_crops(flow: Flow, catalog: Catalog, region: bool) -> Iterator[tuple[Flow, str]]:
    """Each edited flow that crops where `flow` resizes, with its note; nothing unless `region`."""
    savers = output_functions(flow, catalog)
    feeding = {f for saver in savers for f in upstream(flow, saver)}
    if not region or not savers or any(cropping(flow, f, catalog) for f in feeding):
        return
    resizers = sorted(f for f in feeding if _resizes(flow, catalog, f))
    for function_id in resizers:
        for spec in _croppers(catalog, _taken_types(flow, catalog, function_id)):
            edited = retyped(flow, catalog, function_id, spec)
            if edited is not None:
                old = flow.functions[function_id].type
                yield edited, f"changed {function_id} from {old} to {spec.name}: the task cuts a region"
    if resizers:
        return
    for link in (link for saver in savers for link in flow.links_into(saver)):
        kind = input_type(flow, catalog, link) or ""
        for spec in _croppers(catalog, {kind}):
            new_id = fresh_id(flow, "crop")
            edited = on_link(flow, link, new_id, spec, (kind, kind))
            if edited is not None:
                yield edited, f"inserted {new_id} ({spec.name}) before {link.target}: the task cuts a region"


def _resizes(flow: Flow, catalog: Catalog, function_id: str) -> bool:
    spec = working(flow, catalog, function_id)
    return spec is not None and sets_size(spec) and not is_crop(spec)


def _taken_types(flow: Flow, catalog: Catalog, function_id: str) -> set[str]:
    return {kind for link in flow.links_into(function_id) if (kind := input_type(flow, catalog, link))}


def _croppers(catalog: Catalog, kinds: set[str]) -> list[NodeSpec]:
    """The catalog's crop functions taking and giving one of `kinds`, by name."""
    found = [
        spec
        for spec in catalog.nodes()
        if is_crop(spec) and not spec.output_node and kinds & _kept_types(spec)
    ]
    return sorted(found, key=lambda spec: spec.name)


def _kept_types(spec: NodeSpec) -> set[str]:
    """The types a function takes and gives back."""
    return {i.type for i in spec.socket_inputs()} & {o.type for o in spec.outputs}
