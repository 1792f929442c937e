"""Loading the packaged lark grammars (LALR) and running them with one error convention."""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib.resources import files
from typing import Any, TypeVar

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedInput, VisitError

from anysym.language.flow import ParamValue
from anysym.language.syntax.builder import Located
from anysym.language.syntax.errors import TokenProblem, from_lark, from_token_problem, syntax_error
from anysym.language.syntax.literals import (
    LiteralError,
    NestedList,
    make_list,
    parse_float,
    parse_int,
    unquote,
)

GRAMMAR_FILES = {"declarative": "declarative.lark", "dataflow": "dataflow.lark", "pseudo": "pseudo.lark"}
"""Grammar file (package data of `anysym.language.syntax`) per syntax; every grammar starts at `start`."""


LITERALS_FILE = "literals.lark"
"""The literals every syntax shares (values, strings, numbers, comments, whitespace)."""


def grammar_text(syntax: str) -> str:
    """Return the lark grammar source of a syntax: its own rules, then the shared literals."""
    folder = files("anysym.language.syntax")
    own, literals = (
        folder.joinpath(name).read_text(encoding="utf-8") for name in (GRAMMAR_FILES[syntax], LITERALS_FILE)
    )
    return f"{own}\n{literals}"


@functools.cache
def _parser(syntax: str, transformer_type: type[Transformer[Any, Any]]) -> Lark:
    return Lark(
        grammar_text(syntax),
        parser="lalr",
        lexer="contextual",
        start="start",
        maybe_placeholders=False,
        transformer=transformer_type(),
    )


def run(syntax: str, text: str, transformer_type: type[Transformer[Any, Any]]) -> Any:
    """Parse `text`, applying the transformer during parsing (no tree, no recursion, any nesting).

    Every failure becomes an `ALangSyntaxError` with line, column, caret snippet and hint.
    """
    parser = _parser(syntax, transformer_type)
    try:
        return parser.parse(text)
    except TokenProblem as problem:
        raise from_token_problem(problem, text) from None
    except VisitError as exc:
        if isinstance(exc.orig_exc, TokenProblem):
            raise from_token_problem(exc.orig_exc, text) from None
        raise syntax_error(text, 1, 1, f"cannot read the program: {exc.orig_exc}", None) from None
    except UnexpectedInput as exc:
        raise from_lark(exc, text, syntax, parser) from None
    except LarkError as exc:
        raise syntax_error(text, 1, 1, f"cannot read the program: {exc}", None) from None


@v_args(inline=True)
class LiteralTransformer(Transformer[Token, Any]):
    """Callbacks for the literal and name rules the three grammars share."""

    def string(self, token: Token) -> str:
        """Decode a quoted string."""
        return _literal(token, unquote)

    def number(self, token: Token) -> int | float:
        """Read an INT or FLOAT token."""
        return _literal(token, parse_float if token.type == "FLOAT" else parse_int)

    def output_index(self, token: Token) -> int:
        """Read a 0-based output index."""
        value = self.number(token)
        if not isinstance(value, int) or value < 0:
            raise TokenProblem(token, f"output index {token} is negative", "outputs are numbered from 0")
        return value

    def true(self) -> bool:
        """Read True/true."""
        return True

    def false(self) -> bool:
        """Read False/false."""
        return False

    def none(self) -> None:
        """Read None/null."""
        return None

    def list(self, bracket: Token, *items: ParamValue) -> NestedList:
        """Build a list literal (depth-checked); `bracket` is its opening `[` token."""
        try:
            return make_list(items)
        except LiteralError as exc:
            raise TokenProblem(bracket, str(exc), exc.hint) from None

    def name(self, token: Token) -> Located:
        """Read a bare or backtick-quoted name, keeping its position."""
        value = _literal(token, unquote) if token.type in {"QNAME", "QOWNER"} else str(token)
        return Located(value, token.line or 1, token.column or 1)


_T = TypeVar("_T")


def _literal(token: Token, read: Callable[[str], _T]) -> _T:
    try:
        return read(str(token))
    except LiteralError as exc:
        raise TokenProblem(token, str(exc), exc.hint) from None
