"""Turning parse failures into `ALangSyntaxError`s with a position, a caret snippet and a fix hint."""

from __future__ import annotations

from copy import copy
from typing import TYPE_CHECKING, Any

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from anysym.errors import ALangSyntaxError
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.syntax.hints import hint_for

if TYPE_CHECKING:
    from lark import Lark

SNIPPET_WIDTH = 72
"""Characters of the offending line shown around the error column."""

_FRIENDLY = {
    "DQ_STRING": 'a "string"',
    "SQ_STRING": "a 'string'",
    "INT": "an integer",
    "FLOAT": "a float",
    "NAME": "a name",
    "QNAME": "a `quoted name`",
    "OWNER": "a source like loader's",
    "QOWNER": "a source like `my loader`'s",
    "$END": "the end of the text",
}


_VALUE_WORDS = frozenset(
    {"'True'", "'true'", "'False'", "'false'", "'None'", "'null'", "'['", 'a "string"', "a 'string'"}
    | {"an integer", "a float"}
)


class TokenProblem(Exception):
    """Raised inside grammar callbacks when a token lexes fine but is not a valid literal or name."""

    def __init__(self, token: Token, message: str, hint: str) -> None:
        super().__init__(message)
        self.token = token
        self.message = message
        self.hint = hint


def snippet(text: str, line: int, column: int) -> str:
    """Show the offending line (clipped around `column`) with a caret under the column (1-based)."""
    lines = text.split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    start = 0 if len(source) <= SNIPPET_WIDTH else max(0, column - 1 - SNIPPET_WIDTH // 2)
    clipped = source[start : start + SNIPPET_WIDTH]
    visible = "".join(ch if ch.isprintable() or ch == "\t" else "?" for ch in clipped)
    caret = "".join("\t" if ch == "\t" else " " for ch in visible[: column - 1 - start]) + "^"
    prefix = "..." if start else ""
    return f"{prefix}{visible}\n{' ' * len(prefix)}{caret}"


def syntax_error(text: str, line: int, column: int, message: str, hint: str | None) -> ALangSyntaxError:
    """Build the one syntax error type, with a matching `Diagnostic(kind=SYNTAX_ERROR)`."""
    diagnostic = Diagnostic(
        kind=DiagnosticKind.SYNTAX_ERROR, message=message, hint=hint, line=line, column=column
    )
    full = f"{message} (hint: {hint})" if hint else message
    return ALangSyntaxError(
        full, line=line, column=column, snippet=snippet(text, line, column), diagnostics=[diagnostic]
    )


def from_token_problem(problem: TokenProblem, text: str) -> ALangSyntaxError:
    """Convert a literal problem raised by a grammar callback."""
    line = problem.token.line or 1
    column = problem.token.column or 1
    return syntax_error(text, line, column, problem.message, problem.hint)


def from_lark(exc: UnexpectedInput, text: str, syntax: str, parser: Lark) -> ALangSyntaxError:
    """Convert a lark error into an `ALangSyntaxError` that says what was found and what was expected."""
    line, column = _position(exc, text)
    names = _accepted(getattr(exc, "state", None)) or _lark_expected(exc)
    expected = _expected(names, parser)
    if isinstance(exc, UnexpectedCharacters):
        found = _describe_char(text, exc.pos_in_stream if exc.pos_in_stream is not None else -1)
    elif isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        found = f"unexpected {_clip(str(exc.token))!r}"
    else:
        found = "unexpected end of text"
    message = f"{found}; expected {expected}" if expected else found
    source_line = text.split("\n")[line - 1] if line >= 1 else ""
    hint = hint_for(syntax, exc, source_line, column, frozenset(names))
    return syntax_error(text, line, column, message, hint)


def _position(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    line = getattr(exc, "line", -1)
    column = getattr(exc, "column", -1)
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if at_end or isinstance(exc, UnexpectedEOF) or line is None or line < 1:
        text = text.rstrip()
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    return line, max(1, column or 1)


def _lark_expected(exc: UnexpectedInput) -> set[str]:
    if isinstance(exc, UnexpectedToken | UnexpectedEOF):
        return set(exc.expected)
    if isinstance(exc, UnexpectedCharacters):
        return set(exc.allowed or ())
    return set()


def _expected(names: set[str], parser: Lark) -> str:
    described = sorted({_describe_terminal(name, parser) for name in names})
    if "'True'" in described:
        described = [item for item in described if item not in _VALUE_WORDS] + ["a value"]
    if len(described) > 8:
        described = [*described[:8], "..."]
    return " or ".join(described) if len(described) <= 2 else ", ".join(described)


def _accepted(state: Any) -> set[str]:
    """Terminals that really advance the parser from `state` (lark's own sets include LALR lookaheads)."""
    if state is None or not hasattr(state, "parse_conf"):
        return set()
    conf = copy(state.parse_conf)
    conf.callbacks = {}
    accepted = set()
    for name in state.parse_conf.parse_table.states[state.position]:
        if name.isupper():
            trial = state.copy(deepcopy_values=False)
            trial.parse_conf = conf
            try:
                trial.feed_token(Token(name, ""))
            except UnexpectedToken:
                continue
            accepted.add(name)
    return accepted


def _describe_terminal(name: str, parser: Lark) -> str:
    if name in _FRIENDLY:
        return _FRIENDLY[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    if pattern.type == "str":
        return repr(pattern.value)
    return name.lower()


def _describe_char(text: str, position: int) -> str:
    char = text[position] if 0 <= position < len(text) else ""
    if char in "\"'`":
        rest = text[position + 1 :].split("\n", 1)[0]
        if char not in rest:
            return f"unterminated {char}quoted{char} text"
        return f"{char}quoted{char} text that is not valid here (bad escape or line break inside?)"
    return f"unexpected character {char!r}"


def _clip(value: str, width: int = 40) -> str:
    return value if len(value) <= width else value[: width - 3] + "..."
