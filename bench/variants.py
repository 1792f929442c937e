"""Benchmark variants: engine configurations (syntax x one-step/two-stage x refine on/off) run side by side.

`--variants` takes a comma-separated list of items. An item is a syntax name with optional modifiers
joined by `+` (`declarative`, `dataflow+one-step`, `pseudo+no-refine`, `declarative+one-step+no-refine`),
or a preset: `syntaxes` (the three syntaxes), `ablation` (two-stage + refine, one-step, no refinement,
on the base syntax) or `grid` (all 12 combinations, the paper's ablation table).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from anysym.errors import BenchError

__all__ = ["SYNTAX_NAMES", "Variant", "parse_variants"]

SYNTAX_NAMES = ("declarative", "dataflow", "pseudo")
_MODIFIERS = {"one-step", "two-stage", "no-refine", "refine"}


@dataclass(frozen=True, kw_only=True)
class Variant:
    """One engine configuration."""

    syntax: str = "declarative"
    one_step: bool = False
    refine: bool = True

    @property
    def name(self) -> str:
        """A stable, readable label such as `dataflow/two-stage/refine`."""
        stages = "one-step" if self.one_step else "two-stage"
        return f"{self.syntax}/{stages}/{'refine' if self.refine else 'no-refine'}"


def parse_variants(spec: str | None, base: Variant) -> list[Variant]:
    """Turn a `--variants` spec into variants (just `base` when the spec is empty); duplicates dropped."""
    if not spec or not spec.strip():
        return [base]
    variants: list[Variant] = []
    for item in (part.strip() for part in spec.split(",")):
        if item:
            variants.extend(_item(item, base))
    return list(dict.fromkeys(variants))


def _item(item: str, base: Variant) -> list[Variant]:
    if item == "syntaxes":
        return [Variant(syntax=s, one_step=base.one_step, refine=base.refine) for s in SYNTAX_NAMES]
    if item == "ablation":
        return [
            Variant(syntax=base.syntax),
            Variant(syntax=base.syntax, one_step=True),
            Variant(syntax=base.syntax, refine=False),
        ]
    if item == "grid":
        return [
            Variant(syntax=s, one_step=one, refine=ref)
            for s, one, ref in itertools.product(SYNTAX_NAMES, (False, True), (True, False))
        ]
    syntax, *modifiers = item.split("+")
    if syntax not in SYNTAX_NAMES:
        raise BenchError(
            f"unknown variant {item!r}: start with a syntax ({', '.join(SYNTAX_NAMES)}) "
            "or use a preset (syntaxes, ablation, grid)"
        )
    unknown = set(modifiers) - _MODIFIERS
    if unknown:
        raise BenchError(f"unknown variant modifier(s) {sorted(unknown)}; use {sorted(_MODIFIERS)}")
    one_step = "one-step" in modifiers or (base.one_step and "two-stage" not in modifiers)
    refine = "refine" in modifiers or (base.refine and "no-refine" not in modifiers)
    return [Variant(syntax=syntax, one_step=one_step, refine=refine)]
