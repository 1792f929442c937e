"""Deterministic input images for the CPU benchmark suite: `python -m anysym.bench.make_inputs DIR`.

Every image is computed from closed-form patterns (and one seeded noise texture), so two runs write
byte-identical files and checks can recompute expectations from them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["INPUT_FILES", "main", "make_inputs"]


def _grid(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs / max(width - 1, 1), ys / max(height - 1, 1)


def photo() -> Image.Image:
    """256x192 RGB 'landscape': sky gradient, sun disc, hills, a striped house and a sharp checker patch."""
    width, height = 256, 192
    u, v = _grid(width, height)
    img = np.stack([0.35 + 0.3 * u, 0.55 + 0.2 * (1 - v), 0.95 - 0.3 * v], axis=-1)
    sun = (u - 0.78) ** 2 + ((v - 0.22) * 0.75) ** 2 < 0.008
    img[sun] = (0.98, 0.85, 0.25)
    hills = v > 0.62 + 0.08 * np.sin(u * 9.0)
    img[hills] = np.stack([0.2 + 0.1 * u, 0.55 - 0.2 * v, 0.2 + 0.0 * u], axis=-1)[hills]
    house = (u > 0.18) & (u < 0.38) & (v > 0.45) & (v < 0.75)
    stripes = (np.floor(u * 60) % 2).astype(bool)
    img[house & stripes] = (0.75, 0.2, 0.15)
    img[house & ~stripes] = (0.95, 0.9, 0.85)
    checker = (u > 0.55) & (u < 0.7) & (v > 0.7) & (v < 0.92)
    cells = ((np.floor(u * 128) + np.floor(v * 96)) % 2).astype(bool)
    img[checker & cells] = (0.05, 0.05, 0.1)
    img[checker & ~cells] = (0.9, 0.95, 1.0)
    return _rgb(img)


def portrait() -> Image.Image:
    """192x256 RGB portrait: warm background, an oval face with eyes and mouth, a dark shirt."""
    width, height = 192, 256
    u, v = _grid(width, height)
    img = np.stack([0.85 - 0.2 * v, 0.7 - 0.15 * v, 0.55 + 0.1 * u], axis=-1)
    face = ((u - 0.5) / 0.28) ** 2 + ((v - 0.4) / 0.24) ** 2 < 1
    img[face] = (0.93, 0.76, 0.64)
    for eye_x in (0.4, 0.6):
        eye = ((u - eye_x) / 0.04) ** 2 + ((v - 0.36) / 0.025) ** 2 < 1
        img[eye] = (0.1, 0.15, 0.3)
    mouth = ((u - 0.5) / 0.1) ** 2 + ((v - 0.5) / 0.02) ** 2 < 1
    img[mouth] = (0.7, 0.2, 0.25)
    shirt = v > 0.72 + 0.1 * np.abs(u - 0.5)
    img[shirt] = (0.12, 0.2, 0.35)
    return _rgb(img)


def pattern() -> Image.Image:
    """256x192 RGB diagonal colour stripes (the second image for blend and composite tasks)."""
    width, height = 256, 192
    u, v = _grid(width, height)
    phase = (u * 8 + v * 6) * np.pi
    channels = [np.sin(phase), np.sin(phase + 2.1), np.cos(phase)]
    img = np.stack([0.5 + 0.45 * channel for channel in channels], axis=-1)
    return _rgb(img)


def mask() -> Image.Image:
    """256x192 L mask: white disc (the region to edit) centred at (96, 96), radius 48, on black."""
    width, height = 256, 192
    ys, xs = np.mgrid[0:height, 0:width]
    disc = (xs - 96) ** 2 + (ys - 96) ** 2 <= 48**2
    return Image.fromarray((disc * 255).astype(np.uint8), mode="L")


def logo() -> Image.Image:
    """64x64 RGBA logo: an opaque orange ring with a blue centre on a fully transparent background."""
    size = 64
    ys, xs = np.mgrid[0:size, 0:size]
    r2 = (xs - 31.5) ** 2 + (ys - 31.5) ** 2
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    ring = (r2 <= 28**2) & (r2 >= 16**2)
    centre = r2 < 16**2
    rgba[ring] = (240, 130, 20, 255)
    rgba[centre] = (30, 80, 200, 255)
    return Image.fromarray(rgba, mode="RGBA")


def texture() -> Image.Image:
    """128x128 RGB seeded noise texture (high-frequency energy for blur/sharpen tasks)."""
    rng = np.random.default_rng(1234)
    noise = rng.random((32, 32, 3), dtype=np.float32)
    coarse = np.kron(noise, np.ones((4, 4, 1), dtype=np.float32))
    fine = rng.random((128, 128, 1), dtype=np.float32)
    return _rgb(0.7 * coarse + 0.3 * fine)


def _rgb(values: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(values, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8), mode="RGB")


INPUT_FILES: dict[str, Callable[[], Image.Image]] = {
    "photo.png": photo,
    "portrait.png": portrait,
    "pattern.png": pattern,
    "mask.png": mask,
    "logo.png": logo,
    "texture.png": texture,
}
"""File name -> generator of every input the CPU suite uses."""


def make_inputs(directory: str | Path) -> list[Path]:
    """Write every input image into `directory` (created if needed); return the written paths."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in INPUT_FILES.items():
        path = target / name
        build().save(path, format="PNG", optimize=False)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write the inputs into the directory given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m anysym.bench.make_inputs DIR", file=sys.stderr)
        return 2
    for path in make_inputs(args[0]):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
