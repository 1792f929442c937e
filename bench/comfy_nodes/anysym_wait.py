"""A ComfyUI custom node that holds an image for a fixed time: GPU time's stand-in in the throughput bench.

Loaded by the benchmark's own ComfyUI servers (`LocalComfy(custom_nodes=...)`), never by the managed
default one. Sleeping releases the CPU, so a run's execution is latency-bound as on a GPU server, and
throughput can only grow by adding servers.
"""

from __future__ import annotations

import time
from typing import Any


class AnysymWait:
    """Pass `image` through unchanged after `seconds`."""

    CATEGORY = "anysym/testing"
    FUNCTION = "wait"
    RETURN_TYPES = ("IMAGE",)

    @classmethod
    def INPUT_TYPES(cls) -> dict[str, Any]:  # noqa: N802 (ComfyUI's name)
        """The node's inputs, in ComfyUI's schema."""
        return {
            "required": {
                "image": ("IMAGE",),
                "seconds": ("FLOAT", {"default": 1.0, "min": 0.0, "max": 600.0, "step": 0.1}),
            }
        }

    def wait(self, image: Any, seconds: float) -> tuple[Any]:
        """Sleep, then return the image."""
        time.sleep(seconds)
        return (image,)


NODE_CLASS_MAPPINGS = {"AnysymWait": AnysymWait}
NODE_DISPLAY_NAME_MAPPINGS = {"AnysymWait": "Wait (anysym throughput bench)"}
