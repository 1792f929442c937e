"""Which core node types load, create and save each kind of value: one table for repairs, checks and prompts.

Kinds are the file kinds of `anysym.executor.outputs.SUFFIX_KINDS` ("image", "video", "audio", "latent",
"mesh"); callers keep only the node types their catalog has.
"""

from __future__ import annotations

from collections.abc import Iterable

from anysym.language.catalog import Catalog

__all__ = ["CONVERTERS", "CREATORS", "LOADERS", "SAVERS", "loaders_for", "savers_for", "working_types"]

LOADERS: dict[str, tuple[tuple[str, str], ...]] = {
    "image": (("LoadImage", "image"), ("LoadImageMask", "image")),
    "latent": (("LoadLatent", "latent"),),
    "audio": (("LoadAudio", "audio"),),
    "video": (("LoadVideo", "file"),),
    "mesh": (("Load3D", "model_file"),),
}
"""Per input kind, the loader node types and the input naming the file; the first is the usual one
(LoadImageMask reads one channel of an image file as a MASK)."""
SAVERS: dict[str, tuple[str, ...]] = {
    "image": ("SaveImage",),
    "video": ("SaveAnimatedWEBP", "SaveAnimatedPNG", "SaveVideo", "SaveWEBM"),
    "audio": ("SaveAudio",),
    "mesh": ("SaveGLB", "Save3D"),
    "latent": ("SaveLatent",),
}
"""Per output kind, the node types that save it."""
CREATORS = {"IMAGE": "EmptyImage", "LATENT": "EmptyLatentImage", "MASK": "SolidMask", "AUDIO": "EmptyAudio"}
"""Per socket type, the node type that creates a value from nothing (when there is no file to load)."""
CONVERTERS = {("MASK", "IMAGE"): "MaskToImage", ("IMAGE", "MASK"): "ImageToMask"}
"""Per (from, to) socket type, the node type that turns one into the other (a MASK is saved as an IMAGE)."""


def loaders_for(kinds: Iterable[str], catalog: Catalog) -> list[str]:
    """The catalog's loader node types for input files of `kinds`, usual ones first."""
    return list(dict.fromkeys(t for kind in kinds for t, _ in LOADERS.get(kind, ()) if t in catalog))


def savers_for(kinds: Iterable[str], catalog: Catalog) -> list[str]:
    """The catalog's saver node types for outputs of `kinds`."""
    return list(dict.fromkeys(t for kind in kinds for t in SAVERS.get(kind, ()) if t in catalog))


def working_types(names: Iterable[str], catalog: Catalog) -> set[str]:
    """The node types among `names` that do a task's work: they take linked inputs and save nothing.

    Loaders and creators (no linked inputs), output nodes and types the catalog lacks are left out.
    """
    specs = {name: catalog.get(name) for name in names}
    return {
        name
        for name, spec in specs.items()
        if spec is not None and not spec.output_node and spec.socket_inputs()
    }
