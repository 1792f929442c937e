"""Colours a task states, as ComfyUI's packed `0xRRGGBB` integers (EmptyImage.color, ImageColorToMask)."""

from __future__ import annotations

import re

__all__ = ["BASIC_COLORS", "stated_color"]

BASIC_COLORS = {
    "black": 0x000000,
    "white": 0xFFFFFF,
    "red": 0xFF0000,
    "green": 0x00FF00,
    "blue": 0x0000FF,
    "yellow": 0xFFFF00,
    "cyan": 0x00FFFF,
    "magenta": 0xFF00FF,
    "gray": 0x808080,
    "grey": 0x808080,
    "orange": 0xFFA500,
    "purple": 0x800080,
}
"""Basic colour names and their usual sRGB values."""

_RGB = re.compile(r"\brgb\s*\(?\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)?", re.IGNORECASE)
_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")
_NAME = re.compile(rf"\b({'|'.join(BASIC_COLORS)})\b(?!\s+channel)", re.IGNORECASE)


def stated_color(task: str) -> int | None:
    """The one colour the task states (`RGB (250, 217, 64)`, `#fad940`, "pure red"), or None.

    Names count only when exactly one basic colour is named (channel names such as "the red channel"
    are not colours of the picture); an explicit RGB or hex value wins over names.
    """
    explicit = {
        (int(r) << 16) | (int(g) << 8) | int(b)
        for r, g, b in _RGB.findall(task)
        if max(int(r), int(g), int(b)) <= 255
    }
    explicit |= {int(h, 16) for h in _HEX.findall(task)}
    if explicit:
        return explicit.pop() if len(explicit) == 1 else None
    named = {BASIC_COLORS[name.lower()] for name in _NAME.findall(task)}
    return named.pop() if len(named) == 1 else None
