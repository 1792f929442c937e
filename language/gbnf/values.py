"""GBNF rules for literal parameter values, per catalog input: enumerations, numbers, strings, booleans.

The rules admit only what all three A-Language lexers read as the right literal: double-quoted strings on
one line with the escapes the parsers know, `-?digits` integers, `-?digits(.digits)?(e±digits)?` floats,
`True` / `False`, and a COMBO's choices exactly as the renderers write them. Numeric ranges are left to
`validate` (a CFG can bound digit counts, not values).
"""

from __future__ import annotations

from anysym.language.catalog import InputSpec
from anysym.language.gbnf.rules import RuleSet, alternatives, literal
from anysym.language.syntax.literals import render_value
from anysym.language.validate_values import is_file_input

__all__ = ["any_value", "value_rule"]

MAX_DIGITS = 20
"""Digits per number part: enough for every 64-bit seed, and no runaway digit loops."""


def _string(rules: RuleSet) -> str:
    char = rules.add("str-char", '[^"\\\\\\x00-\\x1f\\x7f] | "\\\\" ["\\\\/nrt]')
    return rules.add("string", f'"\\"" {char}* "\\""')


def _integer(rules: RuleSet, *, negative: bool) -> str:
    digits = f"[0-9]{{1,{MAX_DIGITS}}}"
    return rules.add("int" if negative else "uint", f'"-"? {digits}' if negative else digits)


def _number(rules: RuleSet, *, negative: bool) -> str:
    integer = _integer(rules, negative=negative)
    fraction = f'("." [0-9]{{1,{MAX_DIGITS}}})?'
    exponent = "([eE] [+-]? [0-9]{1,2})?"  # at most 1e+99: always a finite float
    return rules.add("number" if negative else "unumber", f"{integer} {fraction} {exponent}")


def _file_name(rules: RuleSet) -> str:
    return rules.add("file-name", '"\\"" [A-Za-z0-9_] [A-Za-z0-9_. -]{0,120} "\\""')


def value_rule(rules: RuleSet, spec: InputSpec, hint: str) -> str:
    """The rule for literal values of a widget input (`hint` names enumeration rules)."""
    negative = spec.min is None or spec.min < 0
    if spec.type == "INT":
        return _integer(rules, negative=negative)
    if spec.type == "FLOAT":
        return _number(rules, negative=negative)
    if spec.type == "BOOLEAN":
        return rules.add("bool", '"True" | "False"')
    if spec.type == "COMBO" and is_file_input(spec):
        return _file_name(rules)
    if spec.type == "COMBO" and spec.choices:
        return rules.add(f"enum-{hint}", alternatives(literal(render_value(c)) for c in spec.choices))
    return _string(rules)


def any_value(rules: RuleSet) -> str:
    """A literal of any scalar type (for functions whose type the catalog does not know)."""
    options = [_string(rules), _number(rules, negative=True), rules.add("bool", '"True" | "False"')]
    return rules.add("any-value", " | ".join(options))
