"""Benchmark variants: engine configurations (syntax x stages x refine x decoding) run side by side.

`--variants` takes a comma-separated list of items. An item is a syntax name with optional modifiers
joined by `+` (`declarative`, `dataflow+one-step`, `pseudo+no-refine`, `declarative+one-step+free`),
or a preset: `syntaxes` (the three syntaxes), `ablation` (two-stage + refine, one-step, no refinement,
on the base syntax), `decoding` (the base configuration with grammar-constrained decoding, then with
free decoding) or `grid` (all 12 syntax x stages x refine combinations, the paper's ablation table).
Modifiers: `one-step`/`two-stage`, `refine`/`no-refine`, `constrained`/`free`/`auto` (decoding),
`verify`/`no-verify` (the verify step), `task-repairs`/`no-task-repairs` (binding the task's values),
`node-search`/`no-node-search` (node types searched per task step), `node-docs`/`no-node-docs` (one-line
node documentation in the prompt's catalog excerpt), `example-values`/`no-example-values` (the examples'
literal values shown, or reset to the inputs' defaults), `refine-in-steps`/`refine-rewrite` (refine writes
the corrected functions and psi2 links them, or rewrites the whole program), `fresh-examples`/
`copied-examples` (refine prompts leave out, or keep, the examples the failed flow copied), `rerank`/
`no-rerank` (retrieved programs reranked by the node types found per task step, or not; off by default),
`filter-examples`/`all-examples` (retrieved programs doing another job by the node search left out, or
not; on by default), `parameter-step`/`no-parameter-step` (psi1's values set again by a prompt without
examples, or not; off by default), `candidates-N` (at most N answers sampled per functions step, the
best by static fit taken; default 3, 1: off).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import Literal, get_args

from anysym.errors import BenchError

__all__ = ["DECODINGS", "SYNTAX_NAMES", "Decoding", "Variant", "parse_variants"]

SYNTAX_NAMES = ("declarative", "dataflow", "pseudo")
Decoding = Literal["auto", "constrained", "free"]
"""`auto`: constrained exactly when the endpoint honours grammars; `constrained`/`free`: forced."""
DECODINGS: tuple[Decoding, ...] = get_args(Decoding)
_PRESETS = ("syntaxes", "ablation", "decoding", "grid")
_CANDIDATES = "candidates-"
_CANDIDATES_N = re.compile(r"candidates-[1-9][0-9]?")
_MODIFIERS = (
    "one-step",
    "two-stage",
    "no-refine",
    "refine",
    "verify",
    "no-verify",
    "task-repairs",
    "no-task-repairs",
    "node-search",
    "no-node-search",
    "node-docs",
    "no-node-docs",
    "example-values",
    "no-example-values",
    "refine-in-steps",
    "refine-rewrite",
    "fresh-examples",
    "copied-examples",
    "rerank",
    "no-rerank",
    "filter-examples",
    "all-examples",
    "parameter-step",
    "no-parameter-step",
    *DECODINGS,
)


@dataclass(frozen=True, kw_only=True)
class Variant:
    """One engine configuration."""

    syntax: str = "declarative"
    one_step: bool = False
    refine: bool = True
    decoding: Decoding = "auto"
    verify: bool = True
    task_repairs: bool = True
    node_search: bool = True
    node_docs: bool = False
    example_values: bool = True
    refine_in_steps: bool = True
    fresh_examples: bool = True
    rerank: bool = False
    filter_examples: bool = True
    parameter_step: bool = False
    candidates: int = 3

    @property
    def name(self) -> str:
        """A stable, readable label such as `dataflow/two-stage/refine` (`.../constrained` when forced)."""
        stages = "one-step" if self.one_step else "two-stage"
        label = f"{self.syntax}/{stages}/{'refine' if self.refine else 'no-refine'}"
        label = label if self.decoding == "auto" else f"{label}/{self.decoding}"
        label += "" if self.verify else "/no-verify"
        label += "" if self.task_repairs else "/no-task-repairs"
        label += "" if self.node_search else "/no-node-search"
        label += "/node-docs" if self.node_docs else ""
        label += "" if self.example_values else "/no-example-values"
        label += "" if self.refine_in_steps else "/refine-rewrite"
        label += "" if self.fresh_examples else "/copied-examples"
        label += "/rerank" if self.rerank else ""
        label += "" if self.filter_examples else "/all-examples"
        label += "/parameter-step" if self.parameter_step else ""
        return label + (f"/candidates-{self.candidates}" if self.candidates != 3 else "")

    @property
    def constrained(self) -> bool | None:
        """The engine's `constrained=` argument: None for auto, else whether grammars are forced on."""
        return None if self.decoding == "auto" else self.decoding == "constrained"


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
        return [replace(base, syntax=s) for s in SYNTAX_NAMES]
    if item == "ablation":
        plain = Variant(syntax=base.syntax, decoding=base.decoding)
        return [plain, replace(plain, one_step=True), replace(plain, refine=False)]
    if item == "decoding":
        return [replace(base, decoding="constrained"), replace(base, decoding="free")]
    if item == "grid":
        return [
            Variant(syntax=s, one_step=one, refine=ref, decoding=base.decoding)
            for s, one, ref in itertools.product(SYNTAX_NAMES, (False, True), (True, False))
        ]
    syntax, *modifiers = item.split("+")
    if syntax not in SYNTAX_NAMES:
        raise BenchError(
            f"unknown variant {item!r}: start with a syntax ({', '.join(SYNTAX_NAMES)}) "
            f"or use a preset ({', '.join(_PRESETS)})"
        )
    counts = [int(m.removeprefix(_CANDIDATES)) for m in modifiers if _CANDIDATES_N.fullmatch(m)]
    modifiers = [m for m in modifiers if not _CANDIDATES_N.fullmatch(m)]
    unknown = sorted(set(modifiers) - set(_MODIFIERS))
    if unknown:
        raise BenchError(
            f"unknown variant modifier(s) {unknown}; use {', '.join(_MODIFIERS)} or {_CANDIDATES}N (N: 1-99)"
        )
    one_step = "one-step" in modifiers or (base.one_step and "two-stage" not in modifiers)
    refine = "refine" in modifiers or (base.refine and "no-refine" not in modifiers)
    verify = "verify" in modifiers or (base.verify and "no-verify" not in modifiers)
    repairs = "task-repairs" in modifiers or (base.task_repairs and "no-task-repairs" not in modifiers)
    search = "node-search" in modifiers or (base.node_search and "no-node-search" not in modifiers)
    docs = "node-docs" in modifiers or (base.node_docs and "no-node-docs" not in modifiers)
    values = "example-values" in modifiers or (base.example_values and "no-example-values" not in modifiers)
    steps = "refine-in-steps" in modifiers or (base.refine_in_steps and "refine-rewrite" not in modifiers)
    fresh = "fresh-examples" in modifiers or (base.fresh_examples and "copied-examples" not in modifiers)
    rerank = "rerank" in modifiers or (base.rerank and "no-rerank" not in modifiers)
    params = "parameter-step" in modifiers or (base.parameter_step and "no-parameter-step" not in modifiers)
    filtered = "filter-examples" in modifiers or (base.filter_examples and "all-examples" not in modifiers)
    return [
        Variant(
            syntax=syntax,
            one_step=one_step,
            refine=refine,
            decoding=_decoding(modifiers, base),
            verify=verify,
            task_repairs=repairs,
            node_search=search,
            node_docs=docs,
            example_values=values,
            refine_in_steps=steps,
            fresh_examples=fresh,
            rerank=rerank,
            filter_examples=filtered,
            parameter_step=params,
            candidates=counts[-1] if counts else base.candidates,
        )
    ]


def _decoding(modifiers: list[str], base: Variant) -> Decoding:
    """The last decoding modifier given, else the base variant's decoding."""
    for modifier in reversed(modifiers):
        for decoding in DECODINGS:
            if modifier == decoding:
                return decoding
    return base.decoding
