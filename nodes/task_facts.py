"""Facts stated by the task that small models tend to get wrong: input files, pixel sizes, numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, UnidentifiedImageError

__all__ = ["IMAGE_SUFFIXES", "describe_inputs", "numbers_in"]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})
"""Suffixes of the input files described (and loaded) as images."""
_KINDS = {
    "video": {".mp4", ".webm", ".mov", ".mkv", ".avi"},
    "audio": {".wav", ".mp3", ".flac", ".ogg", ".m4a"},
    "3d model": {".glb", ".gltf", ".obj", ".ply"},
}
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:\s*[x×]\s*\d+(?:\.\d+)?)?%?(?![\w.])")


def describe_inputs(paths: Sequence[str | Path]) -> list[str]:
    """Describe each input file in one line: its file name, kind and, for images, real pixel size."""
    return [_describe(Path(p)) for p in paths]


def _describe(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        try:
            with Image.open(path) as image:
                width, height = image.size
                return f'"{path.name}": image, {width}x{height} pixels (width x height), mode {image.mode}'
        except (OSError, UnidentifiedImageError):
            return f'"{path.name}": image (size unknown: the file cannot be read)'
    for kind, suffixes in _KINDS.items():
        if suffix in suffixes:
            return f'"{path.name}": {kind}'
    return f'"{path.name}": file'


def numbers_in(task: str) -> list[str]:
    """Return the numbers and sizes written in the task (e.g. `512x384`, `0.35`, `50%`), in order."""
    return list(dict.fromkeys(m.group(0).replace(" ", "") for m in _NUMBER.finditer(task)))
