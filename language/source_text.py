"""Reading a flow's source as a user hands it over (a file, JSON text); each refusal: `ALangSyntaxError`.

`read_source(path)` gives the text of an A-Language or ComfyUI JSON file, or the workflow a PNG saved
by ComfyUI carries; `load_json(text)` decodes JSON. What `open()`, `bytes.decode` and `json.loads`
would raise on hostile input (binary files, decompression-sized files, invalid JSON, nesting that
overflows the decoder's recursion) becomes one syntax error with a position and a one-line message that
says what to pass instead. `OSError` (a
missing or unreadable file) propagates: the caller names the file.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

from anysym.errors import ALangSyntaxError
from anysym.language.syntax.errors import syntax_error

__all__ = ["MAX_JSON_DEPTH", "MAX_SOURCE_BYTES", "PNG_SIGNATURE", "load_json", "read_source"]

MAX_SOURCE_BYTES = 64 * 1024 * 1024
"""Largest flow file read (the biggest official ComfyUI template is a few MB)."""
MAX_JSON_DEPTH = 200
"""Deepest JSON nesting accepted; ComfyUI workflows, subgraphs included, nest a few dozen levels at
most, while the anysym code that walks them recurses, so a deeper document would end in RecursionError."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEYS = ("workflow", "prompt")
"""The text chunks ComfyUI's SaveImage writes (UI workflow, API prompt), in the order they are preferred."""
_WHAT = "pass A-Language text or ComfyUI API/UI JSON"
_FIX = "fix the JSON, or write the flow in an A-Language syntax"


def read_source(path: Path) -> str:
    """The UTF-8 text of the flow file `path`."""
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise _refused(f"{path} has {size:,} bytes, more than the {MAX_SOURCE_BYTES:,} a flow file may have")
    data = path.read_bytes()
    if data.startswith(PNG_SIGNATURE):
        return _png_workflow(path, data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refused(
            f"{path} is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})"
        ) from exc


def _png_workflow(path: Path, data: bytes) -> str:
    """The UI workflow (else the API prompt) in a PNG's text chunks, as ComfyUI's SaveImage writes them."""
    found: dict[str, str] = {}
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IEND":
            break
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            key, text = _text_chunk(kind, body)
            if key in _PNG_KEYS and text is not None:
                found.setdefault(key, text)
    for key in _PNG_KEYS:
        if key in found:
            return found[key]
    raise _refused(f"{path} is a PNG without a ComfyUI workflow (no 'workflow' or 'prompt' text chunk)")


def _text_chunk(kind: bytes, body: bytes) -> tuple[str, str | None]:
    key, _, rest = body.partition(b"\0")
    name = key.decode("latin-1")
    try:
        if kind == b"tEXt":
            return name, rest.decode("latin-1")
        if kind == b"zTXt":
            return name, _inflate(rest[1:]).decode("latin-1")
        compressed, _method = rest[0], rest[1]
        _language, _, rest = rest[2:].partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        return name, (_inflate(text) if compressed else text).decode("utf-8")
    except (IndexError, UnicodeDecodeError, zlib.error):
        return name, None  # a damaged chunk: as if it were not there


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    text = inflater.decompress(data, MAX_SOURCE_BYTES)
    if inflater.unconsumed_tail:
        raise zlib.error("text chunk larger than a flow file may be")
    return text


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
