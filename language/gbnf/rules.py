"""GBNF (llama.cpp grammar format) building blocks: literals, rule names, a deduplicating rule set.

GBNF: `name ::= body`; bodies use `"literal"`, `[char-class]`, `( ... )`, `|`, `*`, `+`, `?`, `{m,n}` and
rule names (letters, digits, `-`). Decoding starts at `root`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["RuleSet", "alternatives", "identifier_excluding", "literal"]

_LITERAL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")


def literal(text: str) -> str:
    """Write `text` as a GBNF string literal (control characters as hex escapes)."""
    out = []
    for char in text:
        if char in _LITERAL_ESCAPES:
            out.append(_LITERAL_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def alternatives(options: Iterable[str]) -> str:
    """Join GBNF sequences as one parenthesised alternation (deduplicated, order kept)."""
    unique = list(dict.fromkeys(options))
    if not unique:
        raise ValueError("an alternation needs at least one option")
    return unique[0] if len(unique) == 1 else "(" + " | ".join(unique) + ")"


class RuleSet:
    """Named GBNF rules; identical bodies share one rule, names are made unique and valid."""

    def __init__(self) -> None:
        self._bodies: dict[str, str] = {}
        self._by_body: dict[str, str] = {}

    def add(self, hint: str, body: str) -> str:
        """Add a rule (or reuse the one with the same body) and return its name."""
        if body in self._by_body:
            return self._by_body[body]
        base = _NOT_NAME.sub("-", hint).strip("-").lower() or "r"
        name, counter = base, 1
        while name in self._bodies or name == "root":
            counter += 1
            name = f"{base}-{counter}"
        self._bodies[name] = body
        self._by_body[body] = name
        return name

    def render(self, root: str) -> str:
        """The grammar text: `root ::= ...` first, then every rule in creation order."""
        lines = [f"root ::= {root}"]
        lines += [f"{name} ::= {body}" for name, body in self._bodies.items()]
        return "\n".join(lines) + "\n"


def identifier_excluding(rules: RuleSet, words: Iterable[str], *, first: str, rest: str) -> str:
    """Rule for identifiers `first rest*` that are not one of `words` (a trie over the excluded words).

    `first`/`rest` are GBNF character classes such as `[a-z_]` and `[a-z0-9_]`; every excluded word must
    itself match `first rest*`.
    """
    banned = sorted(set(words))
    tail = rules.add("ident-rest", f"{rest}*")

    def node(prefix: str) -> str:
        """Rule for the non-empty continuations of `prefix` (for "" the whole identifier)."""
        children = sorted({w[len(prefix)] for w in banned if w.startswith(prefix) and len(w) > len(prefix)})
        options = []
        for char in children:
            longer = prefix + char
            follow = node(longer)
            options.append(f"{literal(char)} {follow}" + ("" if longer in banned else "?"))
        others = _class_minus(first if not prefix else rest, children)
        if others:
            options.append(f"{others} {tail}")
        return rules.add(f"ident-{prefix or 'start'}", " | ".join(options))

    return node("")


def _class_minus(klass: str, chars: list[str]) -> str:
    """A character class minus some characters, written as `[...]` with the exclusions expanded."""
    inner = klass[1:-1]
    members: list[str] = []
    i = 0
    while i < len(inner):
        if i + 2 < len(inner) and inner[i + 1] == "-":
            members += [chr(c) for c in range(ord(inner[i]), ord(inner[i + 2]) + 1)]
            i += 3
        else:
            members.append(inner[i])
            i += 1
    kept = [c for c in members if c not in chars]
    return "[" + "".join(kept) + "]" if kept else ""
