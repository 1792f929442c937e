"""Facts of one media file read without trusting it: pixel size, mode, frame count, latent shape.

Every reader returns `None` facts for a file it cannot read (missing, truncated, not what its suffix says,
a decompression bomb) and never raises: a verifier that crashes on a bad output is worse than none.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from anysym.errors import MediaError
from anysym.verify.pictures import open_picture

__all__ = ["MAX_HEADER_BYTES", "LatentFacts", "MediaFacts", "Size", "read_latent", "read_media"]

MAX_HEADER_BYTES = 16 * 1024 * 1024
"""Largest safetensors JSON header read (ComfyUI's latent headers are a few hundred bytes)."""
LATENT_SCALE = 8
"""Pixels per latent cell of the Stable Diffusion family (4 channels, 8x downscale)."""
_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1}


class Size(NamedTuple):
    """A pixel size, width first; `str(size)` is `WxH`."""

    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


class LatentFacts(BaseModel):
    """The `latent_tensor` of a ComfyUI `.latent` file: its shape, e.g. `(2, 4, 24, 32)`."""

    model_config = ConfigDict(frozen=True)

    shape: tuple[int, ...]

    @property
    def batch(self) -> int | None:
        """The batch size (first dimension) of an image latent `[B, C, H, W]`, else None."""
        return self.shape[0] if len(self.shape) == 4 else None

    @property
    def image_size(self) -> Size | None:
        """The decoded pixel size of a 4-channel `[B, 4, H/8, W/8]` latent; None for other layouts.

        Only the SD-family layout is sure to be 8x: other channel counts (cascade, audio, video
        latents) use other scales, and guessing one would produce false failures.
        """
        if len(self.shape) != 4 or self.shape[1] != 4:
            return None
        return Size(self.shape[3] * LATENT_SCALE, self.shape[2] * LATENT_SCALE)


class MediaFacts(BaseModel):
    """What could be read from one file; every field is None when it could not be read."""

    model_config = ConfigDict(frozen=True)

    size: Size | None = None
    mode: str | None = None
    frames: int | None = None
    latent: LatentFacts | None = None


def read_media(path: Path) -> MediaFacts:
    """Read the facts of `path`: a latent for `.latent` files, otherwise an image (any PIL format)."""
    if path.suffix.lower() == ".latent":
        return MediaFacts(latent=read_latent(path))
    return _read_image(path)


def _read_image(path: Path) -> MediaFacts:
    try:
        with open_picture(path) as image:
            size = Size(*image.size)
            frames = int(getattr(image, "n_frames", 1))
            mode = image.mode
    except MediaError:  # a bad file is a fact to report, not a crash of the verifier
        return MediaFacts()
    if size.width <= 0 or size.height <= 0 or frames <= 0:
        return MediaFacts()
    return MediaFacts(size=size, mode=mode, frames=frames)


def read_latent(path: Path) -> LatentFacts | None:
    """Read the `latent_tensor` shape from a safetensors file (8-byte little-endian length + JSON)."""
    try:
        file_size = path.stat().st_size
        with path.open("rb") as stream:
            prefix = stream.read(8)
            if len(prefix) < 8:
                return None
            length = int.from_bytes(prefix, "little")
            if not 0 < length <= min(MAX_HEADER_BYTES, file_size - 8):
                return None
            header = json.loads(stream.read(length).decode("utf-8"))
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    entry = header.get("latent_tensor") if isinstance(header, dict) else None
    if not isinstance(entry, dict):
        return None
    shape = _shape(entry.get("shape"))
    if shape is None or not _data_fits(entry, shape, file_size - 8 - length):
        return None
    return LatentFacts(shape=shape)


def _shape(value: object) -> tuple[int, ...] | None:
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in value):
        return None
    return tuple(value)


def _data_fits(entry: dict[str, object], shape: tuple[int, ...], data_bytes: int) -> bool:
    """Whether the tensor's byte range lies in the file and matches its shape (for known dtypes)."""
    offsets = entry.get("data_offsets")
    if not isinstance(offsets, list) or len(offsets) != 2:
        return False
    start, end = offsets
    if not all(isinstance(o, int) and not isinstance(o, bool) for o in (start, end)):
        return False
    if not 0 <= start <= end <= data_bytes:
        return False
    width = _DTYPE_BYTES.get(str(entry.get("dtype")))
    return width is None or end - start == math.prod(shape) * width
