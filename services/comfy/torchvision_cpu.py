"""Let PyPI's CUDA-built torchvision import on CPU torch, inside the managed ComfyUI's virtualenv.

Never imported by anysym itself: the launcher (`launcher.py`, copied beside this file) and the
random-model generator (`make_random_models.py`) import it in the virtualenv, where torch exists.
"""

from __future__ import annotations

from typing import Any

__all__ = ["define_torchvision_schemas"]


def define_torchvision_schemas() -> Any:
    """Declare torchvision's nms/qnms schemas; keep the returned Library alive while torch is used.

    The wheel's _C.so cannot load on CPU torch, and its meta registrations (imported by ComfyUI and by
    spandrel) then fail unless these schemas exist. Returns None when the real extension loaded them.
    """
    import torch

    try:
        library = torch.library.Library("torchvision", "DEF")
        library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        library.define("qnms(Tensor qdets, Tensor scores, float iou_threshold) -> Tensor")
    except RuntimeError:
        return None  # already defined: the real extension loaded
    return library
