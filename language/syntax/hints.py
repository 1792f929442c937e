"""Fix hints for the syntax mistakes language models make most often, per A-Language syntax."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

ADD_NODE_FORM = 'workflow.add_node("id", "NodeType", {"param": value, ...})'
CONNECT_FORM = 'workflow.connect("source_id", "OUTPUT_NAME" or output_index, "target_id", "input_name")'
DATAFLOW_FORM = "id = NodeType(param=value, input=source.OUTPUT, ...)"
PSEUDO_FORM = "id is a NodeType with param value, ..., input from source's OUTPUT."
BACKTICK = "names that are not identifiers go in backticks, e.g. `RIFE VFI` or `1`"


@dataclass(frozen=True)
class ErrorSite:
    """What the hint rules look at: the failing token/char, what was expected, the source line."""

    found: str
    """The unexpected token text or character ('' at the end of the text)."""
    found_type: str
    """The lark terminal type of the unexpected token ('' for a bad character, '$END' at the end)."""
    expected: frozenset[str]
    """Terminal names lark would have accepted."""
    line: str
    """The whole source line of the error."""
    before: str
    """The part of the source line before the error column."""


Rule = tuple[Callable[[ErrorSite], bool], str]

_STATEMENT_START = re.compile(r"\s*(import|from|def|class|print|exec|eval|__import__|return|for|if)\b")


def _is_word(site: ErrorSite) -> bool:
    return bool(re.match(r"[A-Za-z_]", site.found))


DECLARATIVE_RULES: list[Rule] = [
    (
        lambda s: "add_node" in s.line and (s.found in {")", ","} or s.expected == {"RPAR"}),
        f"add_node takes 3 arguments: {ADD_NODE_FORM}",
    ),
    (
        lambda s: "connect" in s.line and (s.found in {")", ","} or s.expected == {"RPAR"}),
        f"connect takes 4 arguments: {CONNECT_FORM}",
    ),
    (lambda s: "LBRACE" in s.expected, 'parameters are a dict: {"seed": 42, "cfg": 7.5}'),
    (lambda s: s.found in {"=", ":"} and "{" in s.before, 'parameters are a dict: {"seed": 42, "cfg": 7.5}'),
    (
        lambda s: _is_word(s) and bool(s.expected & {"DQ_STRING", "SQ_STRING"}),
        'quote ids, node types and names in double quotes, e.g. "KSampler"',
    ),
    (
        lambda s: not s.before.strip(),
        f"every statement is {ADD_NODE_FORM} or {CONNECT_FORM}",
    ),
]

DATAFLOW_RULES: list[Rule] = [
    (lambda s: bool(_STATEMENT_START.match(s.line)), f"only assignments are allowed: {DATAFLOW_FORM}"),
    (lambda s: s.found == ":" and "(" in s.before, "arguments are written name=value, not name: value"),
    (
        lambda s: (
            s.found_type in {"DQ_STRING", "SQ_STRING", "INT", "FLOAT", "LSQB"}
            and "NAME" in s.expected
            and "(" in s.before
        ),
        f"arguments need a name: {DATAFLOW_FORM}",
    ),
    (lambda s: _is_word(s) and "COMMA" in s.expected, "separate arguments with commas"),
    (lambda s: _is_word(s) and "LPAR" in s.expected, BACKTICK),
    (lambda s: _is_word(s) and "EQUAL" in s.expected, BACKTICK),
    (lambda s: bool(re.match(r"[^\w\s\"'`\[\](),.=#-]", s.found)), BACKTICK),
    (lambda s: s.found == "(" and "EQUAL" not in s.expected, f"one call per statement: {DATAFLOW_FORM}"),
    (lambda s: _is_word(s) and "EQUAL" not in s.expected, 'quote text values in double quotes, e.g. "euler"'),
]

PSEUDO_RULES: list[Rule] = [
    (
        lambda s: s.found in {"=", ":"},
        "write a parameter as its name, a space and the value: seed 42, not seed=42",
    ),
    (
        lambda s: s.found_type == "$END" or ("DOT" in s.expected and not s.found),
        "end every sentence with a period",
    ),
    (lambda s: _is_word(s) and "COMMA" in s.expected and "DOT" in s.expected, "separate items with commas"),
    (lambda s: _is_word(s) and bool(s.expected & {"A", "AN"}), f"write the type after 'is a': {PSEUDO_FORM}"),
    (
        lambda s: s.found == "'s" or "'s" in s.found,
        "write a link as input from source's OUTPUT (no space before 's)",
    ),
    (
        lambda s: _is_word(s) and bool(s.expected & {"DQ_STRING", "SQ_STRING"}),
        'quote text values in double quotes, e.g. sampler_name "euler"',
    ),
    (lambda s: _is_word(s) and "WITH" in s.expected, BACKTICK),
    (
        lambda s: _is_word(s) and "DOT" in s.expected,
        f"one sentence per function, ending in a period: {PSEUDO_FORM}",
    ),
    (lambda s: bool(re.match(r"[^\w\s\"'`\[\],.#-]", s.found)), BACKTICK),
]

_RULES = {"declarative": DECLARATIVE_RULES, "dataflow": DATAFLOW_RULES, "pseudo": PSEUDO_RULES}
_FALLBACK = {"declarative": ADD_NODE_FORM, "dataflow": DATAFLOW_FORM, "pseudo": PSEUDO_FORM}


def hint_for(syntax: str, exc: UnexpectedInput, line: str, column: int, expected: frozenset[str]) -> str:
    """Pick the first matching fix hint for a parse failure, or restate the statement form.

    `expected` holds the terminal names that would have advanced the parser at the error.
    """
    site = _site(exc, line, column, expected)
    if site.found in {'"', "'", "`"} and site.line.count(site.found) % 2 == 1:
        return "close the quote on the same line; write line breaks inside text as \\n"
    for matches, hint in _RULES.get(syntax, []):
        if matches(site):
            return hint
    return f"each statement looks like {_FALLBACK.get(syntax, DATAFLOW_FORM)}"


def _site(exc: UnexpectedInput, line: str, column: int, expected: frozenset[str]) -> ErrorSite:
    before = line[: max(0, column - 1)]
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        found = "" if token.type == "$END" else str(token)
        return ErrorSite(found, str(token.type), expected, line, before)
    if isinstance(exc, UnexpectedCharacters):
        char = line[column - 1] if 0 < column <= len(line) else ""
        return ErrorSite(char, "", expected, line, before)
    return ErrorSite("", "$END", expected, line, before)
