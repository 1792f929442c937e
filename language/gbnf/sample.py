r"""A small GBNF reader and random sampler, to test that every string a grammar admits is a valid program.

Supports what anysym's grammars use: literals with `\\" \\\\ \\n \\r \\t \\xHH` escapes, character classes
(ranges, `^` negation), groups, `|`, `*`, `+`, `?`, `{m,n}` and rule references. Sampling is bounded:
repetitions stop early past `max_depth`, so every draw terminates.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

__all__ = ["Gbnf", "GbnfError"]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<lit>"(?:[^"\\]|\\.)*")
    | (?P<cls>\[(?:[^\]\\]|\\.)*\])
    | (?P<rep>\{\d+(?:,\d*)?\})
    | (?P<op>[()|*+?])
    | (?P<name>[A-Za-z0-9-]+)
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "]": "]", "[": "[", "-": "-", "^": "^"}
_NEGATED_POOL = [chr(c) for c in range(0x20, 0x7F)] + ["é", "ü", "中", "—"]


class GbnfError(ValueError):
    """The grammar text cannot be read (or references an undefined rule)."""


@dataclass(frozen=True)
class _Node:
    kind: str  # "lit" | "cls" | "ref" | "seq" | "alt" | "rep"
    value: object
    low: int = 0
    high: int | None = None


class Gbnf:
    """A parsed grammar: `Gbnf(text).sample(rng)` draws one string the grammar admits."""

    def __init__(self, text: str) -> None:
        self.rules: dict[str, _Node] = {}
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, body = line.partition("::=")
            if not sep:
                raise GbnfError(f"not a rule: {line[:60]}")
            self.rules[name.strip()] = _Parser(body).parse()
        if "root" not in self.rules:
            raise GbnfError("the grammar has no root rule")
        for node in self.rules.values():
            self._check(node)

    def _check(self, node: _Node) -> None:
        if node.kind == "ref" and node.value not in self.rules:
            raise GbnfError(f"undefined rule {node.value}")
        if node.kind in ("seq", "alt"):
            for child in node.value:  # type: ignore[attr-defined]
                self._check(child)
        if node.kind == "rep":
            self._check(node.value)  # type: ignore[arg-type]

    def sample(self, rng: random.Random, *, max_depth: int = 60) -> str:
        """Draw one string from the language (repetitions get shorter as the depth grows)."""
        out: list[str] = []
        self._emit(self.rules["root"], rng, out, 0, max_depth)
        return "".join(out)

    def to_regex(self) -> re.Pattern[str]:
        """The language as a Python regex (anysym's grammars are not recursive, so they are regular)."""
        memo: dict[str, str] = {}

        def rx(node: _Node, active: frozenset[str]) -> str:
            if node.kind == "lit":
                return re.escape(str(node.value))
            if node.kind == "cls":
                negated, chars = _class_of(node)
                return "[" + ("^" if negated else "") + "".join(re.escape(c) for c in chars) + "]"
            if node.kind == "ref":
                name = str(node.value)
                if name in active:
                    raise GbnfError(f"rule {name} is recursive: no regex")
                if name not in memo:
                    memo[name] = rx(self.rules[name], active | {name})
                return memo[name]
            if node.kind == "seq":
                return "".join(f"(?:{rx(c, active)})" for c in node.value)  # type: ignore[attr-defined]
            if node.kind == "alt":
                return "|".join(f"(?:{rx(c, active)})" for c in node.value)  # type: ignore[attr-defined]
            high = "" if node.high is None else str(node.high)
            return f"(?:{rx(node.value, active)}){{{node.low},{high}}}"  # type: ignore[arg-type]

        return re.compile(rx(self.rules["root"], frozenset({"root"})), re.DOTALL)

    def admits(self, text: str) -> bool:
        """Whether `text` is in the language (through `to_regex`)."""
        return self.to_regex().fullmatch(text) is not None

    def _emit(self, node: _Node, rng: random.Random, out: list[str], depth: int, limit: int) -> None:
        if depth > 4 * limit:
            raise GbnfError("sampling recursed too deep: the grammar has unbounded mandatory recursion")
        if node.kind == "lit":
            out.append(str(node.value))
        elif node.kind == "cls":
            negated, chars = _class_of(node)
            pool = [c for c in _NEGATED_POOL if c not in chars] if negated else chars
            out.append(rng.choice(pool))
        elif node.kind == "ref":
            self._emit(self.rules[str(node.value)], rng, out, depth + 1, limit)
        elif node.kind == "seq":
            for child in node.value:  # type: ignore[attr-defined]
                self._emit(child, rng, out, depth + 1, limit)
        elif node.kind == "alt":
            self._emit(rng.choice(node.value), rng, out, depth + 1, limit)  # type: ignore[arg-type]
        else:
            high = node.low + 4 if node.high is None else min(node.high, node.low + 4)  # short draws
            count = node.low if depth > limit else rng.randint(node.low, max(node.low, high))
            for _ in range(count):
                self._emit(node.value, rng, out, depth + 1, limit)  # type: ignore[arg-type]


class _Parser:
    def __init__(self, body: str) -> None:
        self.tokens: list[tuple[str | None, str]] = []
        position, end = 0, len(body.rstrip())
        while position < end:
            match = _TOKEN.match(body, position)
            if match is None:
                raise GbnfError(f"cannot read {body[position : position + 20]!r}")
            self.tokens.append((match.lastgroup, match.group(match.lastgroup or "")))
            position = match.end()
        self.pos = 0

    def parse(self) -> _Node:
        node = self._alt()
        if self.pos != len(self.tokens):
            raise GbnfError(f"unexpected {self.tokens[self.pos][1]!r}")
        return node

    def _peek(self) -> tuple[str | None, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _alt(self) -> _Node:
        options = [self._seq()]
        while (tok := self._peek()) is not None and tok[1] == "|":
            self.pos += 1
            options.append(self._seq())
        return options[0] if len(options) == 1 else _Node("alt", options)

    def _seq(self) -> _Node:
        items: list[_Node] = []
        while (tok := self._peek()) is not None and tok[1] not in ("|", ")"):
            items.append(self._postfix(self._atom()))
        if not items:
            raise GbnfError("empty alternative")
        return items[0] if len(items) == 1 else _Node("seq", items)

    def _atom(self) -> _Node:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "lit":
            return _Node("lit", _unescape(text[1:-1]))
        if kind == "cls":
            return _Node("cls", _char_class(text[1:-1]))
        if kind == "name":
            return _Node("ref", text)
        if text == "(":
            node = self._alt()
            if self._peek() is None or self.tokens[self.pos][1] != ")":
                raise GbnfError("unclosed group")
            self.pos += 1
            return node
        raise GbnfError(f"unexpected {text!r}")

    def _postfix(self, node: _Node) -> _Node:
        while (tok := self._peek()) is not None and (tok[1] in ("*", "+", "?") or tok[0] == "rep"):
            self.pos += 1
            if tok[1] == "*":
                node = _Node("rep", node, 0, None)
            elif tok[1] == "+":
                node = _Node("rep", node, 1, None)
            elif tok[1] == "?":
                node = _Node("rep", node, 0, 1)
            else:
                low, _, high = tok[1][1:-1].partition(",")
                node = _Node(
                    "rep", node, int(low), int(high) if high else (int(low) if "," not in tok[1] else None)
                )
        return node


def _class_of(node: _Node) -> tuple[bool, list[str]]:
    value: tuple[bool, list[str]] = node.value  # type: ignore[assignment]
    return value


def _unescape(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            code = body[i + 1]
            if code == "x":
                out.append(chr(int(body[i + 2 : i + 4], 16)))
                i += 4
                continue
            if code not in _ESCAPES:
                raise GbnfError(f"unknown escape \\{code}")
            out.append(_ESCAPES[code])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _char_class(body: str) -> tuple[bool, list[str]]:
    negated = body.startswith("^")
    raw = _unescape(body[1:] if negated else body)
    members: list[str] = []
    i = 0
    while i < len(raw):
        if i + 2 < len(raw) and raw[i + 1] == "-":
            members += [chr(c) for c in range(ord(raw[i]), ord(raw[i + 2]) + 1)]
            i += 3
        else:
            members.append(raw[i])
            i += 1
    return negated, members
