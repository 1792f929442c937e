"""Reading a flow's source as a user hands it over (a file, JSON text); each refusal: `ALangSyntaxError`.

`read_source(path)` gives the text of an A-Language or ComfyUI JSON file; `load_json(text)` decodes
JSON. What `open()`, `bytes.decode` and `json.loads` would raise on hostile input (binary files,
decompression-sized files, invalid JSON, nesting that overflows the decoder's recursion) becomes one
syntax error with a position and a one-line message that says what to pass instead. `OSError` (a
missing or unreadable file) propagates: the caller names the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from anysym.errors import ALangSyntaxError
from anysym.language.syntax.errors import syntax_error

__all__ = ["MAX_JSON_DEPTH", "MAX_SOURCE_BYTES", "load_json", "read_source"]

MAX_SOURCE_BYTES = 64 * 1024 * 1024
"""Largest flow file read (the biggest official ComfyUI template is a few MB)."""
MAX_JSON_DEPTH = 200
"""Deepest JSON nesting accepted; ComfyUI workflows, subgraphs included, nest a few dozen levels at
most, while the anysym code that walks them recurses, so a deeper document would end in RecursionError."""
_WHAT = "pass A-Language text or ComfyUI API/UI JSON"
_FIX = "fix the JSON, or write the flow in an A-Language syntax"


def read_source(path: Path) -> str:
    """The UTF-8 text of the flow file `path`."""
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise _refused(f"{path} has {size:,} bytes, more than the {MAX_SOURCE_BYTES:,} a flow file may have")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refused(
            f"{path} is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})"
        ) from exc


def load_json(text: str) -> Any:
    """Decode JSON text, refusing invalid JSON and nesting deeper than `MAX_JSON_DEPTH`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise syntax_error(text, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}", _FIX) from exc
    except RecursionError as exc:
        raise _refused(f"the JSON nests deeper than {MAX_JSON_DEPTH} levels") from exc
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise _refused(f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")
    return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    # Iterative on purpose: the point is to stop nesting before anything recursive sees it.
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _refused(message: str) -> ALangSyntaxError:
    return syntax_error("", 1, 1, f"{message}; {_WHAT}", None)
