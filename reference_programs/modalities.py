"""Guess what a flow takes and produces from its node types (for users' programs without a header)."""

from __future__ import annotations

from collections.abc import Iterable

from anysym.language.flow import Flow
from anysym.reference_programs.program import MODALITIES, Modality

__all__ = ["infer_inputs", "infer_outputs"]

_SOURCES: dict[str, Modality] = {
    "LoadImage": "image",
    "LoadImageMask": "mask",
    "VHS_LoadVideo": "video",
    "LoadAudio": "audio",
    "LoadLatent": "latent",
    "CLIPTextEncode": "text",
    "CLIPTextEncodeSDXL": "text",
}
_SINKS: dict[str, Modality] = {
    "SaveImage": "image",
    "PreviewImage": "image",
    "SaveAnimatedWEBP": "video",
    "SaveAnimatedPNG": "video",
    "VHS_VideoCombine": "video",
    "SaveAudio": "audio",
    "PreviewAudio": "audio",
    "[Comfy3D] Save 3D Mesh": "3d",
    "CheckpointSave": "model",
    "SaveLatent": "latent",
}
_ORDER: dict[Modality, int] = {m: i for i, m in enumerate(MODALITIES)}


def infer_inputs(flow: Flow) -> tuple[Modality, ...]:
    """Modalities the flow reads: loaded files and encoded prompt text."""
    return _sorted(_SOURCES[t] for t in flow.node_types() if t in _SOURCES)


def infer_outputs(flow: Flow) -> tuple[Modality, ...]:
    """Modalities the flow saves or shows."""
    return _sorted(_SINKS[t] for t in flow.node_types() if t in _SINKS)


def _sorted(found: Iterable[Modality]) -> tuple[Modality, ...]:
    return tuple(sorted(set(found), key=_ORDER.__getitem__))
