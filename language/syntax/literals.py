"""Literal values and names shared by the three A-Language syntaxes: reading tokens, writing text."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable

from anysym.language.flow import ParamValue

MAX_LIST_DEPTH = 32
"""Lists nested deeper than this are a syntax error (and a sign of a runaway generator)."""

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""Names matching this (and not reserved) are written bare; every other name is backtick-quoted."""

LITERAL_WORDS = frozenset({"True", "true", "False", "false", "None", "null"})
"""Words that read as literal constants, so a name spelled like them must be quoted."""

_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "'": "'",
    "`": "`",
    "\\": "\\",
    "/": "/",
}
_ESCAPE_SEQUENCE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f-\x9f]')
_NEEDS_NAME_ESCAPE = re.compile(r"[\\`\x00-\x1f\x7f-\x9f]")
_WRITE_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "`": "\\`", "\\": "\\\\"}


class LiteralError(ValueError):
    """A token is well-formed for the lexer but not a valid literal (bad escape, number out of range)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class NestedList(list[ParamValue]):
    """A list value that remembers how deeply it nests, so depth is checked once per list."""

    depth: int = 1


def unquote(token: str) -> str:
    """Decode a quoted string or backtick name (quotes included) with its backslash escapes."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    pieces: list[str] = []
    position = 0
    for match in _ESCAPE_SEQUENCE.finditer(body):
        pieces.append(body[position : match.start()])
        pieces.append(_decode_escape(match.group(1)))
        position = match.end()
    pieces.append(body[position:])
    return _join_surrogates("".join(pieces))


def _decode_escape(code: str) -> str:
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code]
    if code[0] in "uU" and len(code) > 1:
        point = int(code[1:], 16)
        if point > 0x10FFFF:
            raise LiteralError(f"escape \\{code} is not a unicode character", "use \\uXXXX with 4 hex digits")
        return chr(point)
    raise LiteralError(
        f"unknown escape \\{code}",
        "escapes are \\n \\t \\r \\\" \\' \\\\ \\uXXXX; write a literal backslash as \\\\",
    )


def _join_surrogates(text: str) -> str:
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError as exc:
        raise LiteralError(
            "a \\u escape is half of a surrogate pair",
            "write the character itself or a full \\uD8xx\\uDCxx pair",
        ) from exc


def parse_int(token: str) -> int:
    """Read an integer literal."""
    try:
        return int(token)
    except ValueError as exc:
        raise LiteralError("integer literal is too long", "use a number with fewer digits") from exc


def parse_float(token: str) -> float:
    """Read a float literal, rejecting values that overflow to infinity."""
    value = float(token)
    if not math.isfinite(value):
        raise LiteralError(f"number {token[:20]} is out of range", "use a finite float such as 1e300")
    return value


def make_list(items: Iterable[ParamValue]) -> NestedList:
    """Build a list literal, enforcing `MAX_LIST_DEPTH`."""
    result = NestedList(items)
    result.depth = 1 + max((item.depth for item in result if isinstance(item, NestedList)), default=0)
    if result.depth > MAX_LIST_DEPTH:
        raise LiteralError(
            f"lists nest deeper than {MAX_LIST_DEPTH} levels",
            "flatten the value; parameters are shallow lists",
        )
    return result


def plain(value: ParamValue) -> ParamValue:
    """Turn `NestedList`s back into plain lists (bounded recursion: depth <= MAX_LIST_DEPTH)."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def render_string(value: str) -> str:
    """Write a double-quoted string; unicode stays verbatim, control characters are escaped."""
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def render_name(name: str, reserved: Collection[str] = ()) -> str:
    """Write a name bare if it is a plain identifier, else in backticks (`RIFE VFI`)."""
    if IDENTIFIER.fullmatch(name) and name not in reserved and name not in LITERAL_WORDS:
        return name
    return "`" + _NEEDS_NAME_ESCAPE.sub(_escape_char, name) + "`"


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _WRITE_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def render_value(value: ParamValue) -> str:
    """Write a literal so that it reads back as the same value and type."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write the non-finite number {value!r}")
        return repr(value)
    if isinstance(value, str):
        return render_string(value)
    return "[" + ", ".join(render_value(item) for item in value) + "]"
