"""The three A-Language syntaxes: `parse(text, syntax) -> Flow`, `render(flow, syntax) -> str`.

- `declarative`: `workflow.add_node("id", "NodeType", {...})` / `workflow.connect(...)` calls;
- `dataflow`: `id = NodeType(param=value, input=source.OUTPUT)`, one statement per function;
- `pseudo`: `id is a NodeType with param value, input from source's OUTPUT.`, one sentence per function.

Every syntax is lossless: `parse(render(flow, s), s) == flow`. Parsing never executes input; problems
raise `ALangSyntaxError` (line, column, caret snippet, hint) or `ALangSemanticError` (duplicate ids or
parameters, links to unknown functions), each with `Diagnostic`s. See docs/language.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, get_args

from anysym.language.flow import Flow
from anysym.language.syntax import dataflow, declarative, pseudo_natural
from anysym.language.syntax.errors import syntax_error

__all__ = ["MAX_PROGRAM_CHARS", "SYNTAXES", "Syntax", "detect_syntax", "parse", "render"]

Syntax = Literal["declarative", "dataflow", "pseudo"]
"""The name of an A-Language syntax."""

SYNTAXES: tuple[Syntax, ...] = get_args(Syntax)
"""All syntaxes, in documentation order."""

MAX_PROGRAM_CHARS = 1_000_000
"""Longest program text `parse` reads (about 10,000 functions): beyond it the parser's memory grows into
gigabytes, and ComfyUI's recursive executor refuses flows far smaller anyway."""

_PARSERS: dict[str, Callable[[str], Flow]] = {
    "declarative": declarative.parse,
    "dataflow": dataflow.parse,
    "pseudo": pseudo_natural.parse,
}
_RENDERERS: dict[str, Callable[[Flow], str]] = {
    "declarative": declarative.render,
    "dataflow": dataflow.render,
    "pseudo": pseudo_natural.render,
}

# Shapes are only tried at the start of a line, and possessive quantifiers never give characters back,
# so detection reads each character a bounded number of times whatever the text (an LLM's degenerate
# answer, a megabyte comment): searching every position instead was quadratic.
_NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*+|`(?:[^`\\\n]|\\.)*+`)"
_DECLARATIVE = re.compile(r"workflow\s*+\.\s*+(?:add_node|connect)\s*+\(")
_DATAFLOW = re.compile(rf"{_NAME}\s*+=\s*+{_NAME}\s*+\(")
_PSEUDO = re.compile(rf"{_NAME}\s++is\s++an?\s")
_SHAPES: tuple[tuple[Syntax, re.Pattern[str]], ...] = (
    ("declarative", _DECLARATIVE),
    ("dataflow", _DATAFLOW),
    ("pseudo", _PSEUDO),
)


def parse(text: str, syntax: Syntax) -> Flow:
    """Parse a program written in `syntax` into a Flow."""
    parser = _PARSERS[_check(syntax)]
    if len(text) > MAX_PROGRAM_CHARS:
        message = (
            f"the program is {len(text):,} characters long, more than the {MAX_PROGRAM_CHARS:,} anysym reads"
        )
        raise syntax_error(text, 1, 1, message, "split the work into smaller flows")
    return parser(text)


def render(flow: Flow, syntax: Syntax) -> str:
    """Write a Flow in `syntax` (one statement or sentence per line, ending with a newline)."""
    return _RENDERERS[_check(syntax)](flow)


def detect_syntax(text: str) -> Syntax:
    """Guess the syntax of a program from its first statement (comments and blank lines skipped).

    Falls back to counting the lines that start with each statement shape, then to "dataflow".
    """
    lines = [stripped for line in text.splitlines() if (stripped := line.strip())]
    statements = [line for line in lines if not line.startswith("#")]
    for syntax, pattern in _SHAPES:
        if statements and pattern.match(statements[0]):
            return syntax
    counts = [(sum(1 for line in lines if pattern.match(line)), syntax) for syntax, pattern in _SHAPES]
    count, best = max(counts, key=lambda item: item[0])
    return best if count else "dataflow"


def _check(syntax: str) -> str:
    if syntax not in _PARSERS:
        raise ValueError(f"unknown syntax {syntax!r}; choose one of {', '.join(SYNTAXES)}")
    return syntax
