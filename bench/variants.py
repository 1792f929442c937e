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
not; on by default), `match-inputs`/`any-inputs` (retrieved programs loading no file for a task with
files, or files for a task without, left out, or not; on by default),
`parameter-step`/`no-parameter-step` (psi1's values set again by a prompt without examples, or not; off
by default), `loose-links`/`no-loose-links` (a task file's loader that nothing uses linked where exactly
one value of its type is missing, or not; on by default), `search`/`no-search` (local edits of a flow
that failed verification executed before refine, or not; on by default), `sequences`/`no-sequences`
(search may batch the files a task names as its frames or results, in its order, or not; on by default),
`copied-steps`/`no-copied-steps` (verify fails a working function only a shown reference program
explains, or not; on by default), `crop-check`/`no-crop-check` (verify fails a flow that resizes where the
task cuts a region out of a file and search tries a crop there, or neither; on by default),
`shared-prefix`/`chosen-first` (psi2's catalog excerpt is psi1's, so the LLM server reuses psi1's prompt
from its cache, or psi1's functions come first in it; on by default),
`vary-examples`/`same-examples`
(sampled answer n asked with the retrieved programs rotated by n, or every answer from the same prompt;
on by default), `neutral-example`/`invert-example` (the system prompt's syntax example with a placeholder
step, or the former invert example; on by default), `brief-descriptions`/`full-descriptions` (each
reference program in a prompt described by its title and first sentence, or its whole description; on
by default), `compact-signatures`/`full-signatures` (catalog signatures with an output named like its type
written once and range bounds from 4,000 on left out, or in full; on by default),
`modality-names`/`operation-names` (the catalog excerpt adds types whose name holds any task word, or only
a word that is not a kind of data such as "latent"; the first by default). Counts: `candidates-N`
(at most N answers sampled per functions step, the best by static fit taken; default 3, 1: off),
`catalog-N` (at most N node signatures in a prompt's catalog excerpt; the engine's default is 24),
`examples-N` (N reference programs retrieved; the engine's default is 3).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from anysym.errors import BenchError

__all__ = ["DECODINGS", "SYNTAX_NAMES", "Decoding", "Variant", "parse_variants"]

SYNTAX_NAMES = ("declarative", "dataflow", "pseudo")
Decoding = Literal["auto", "constrained", "free"]
"""`auto`: constrained exactly when the endpoint honours grammars; `constrained`/`free`: forced."""
DECODINGS: tuple[Decoding, ...] = get_args(Decoding)
_PRESETS = ("syntaxes", "ablation", "decoding", "grid")
_COUNTS: dict[str, str] = {"candidates": "candidates", "catalog": "catalog_entries", "examples": "examples"}
"""Each count modifier's prefix (`<prefix>-N`, N: 1-99) and the `Variant` field it sets."""
_COUNT_N = re.compile(rf"({'|'.join(_COUNTS)})-([1-9][0-9]?)")
_SWITCHES: dict[str, tuple[str, str]] = {
    "verify": ("verify", "no-verify"),
    "task_repairs": ("task-repairs", "no-task-repairs"),
    "node_search": ("node-search", "no-node-search"),
    "node_docs": ("node-docs", "no-node-docs"),
    "example_values": ("example-values", "no-example-values"),
    "refine_in_steps": ("refine-in-steps", "refine-rewrite"),
    "fresh_examples": ("fresh-examples", "copied-examples"),
    "rerank": ("rerank", "no-rerank"),
    "filter_examples": ("filter-examples", "all-examples"),
    "match_inputs": ("match-inputs", "any-inputs"),
    "parameter_step": ("parameter-step", "no-parameter-step"),
    "loose_links": ("loose-links", "no-loose-links"),
    "search": ("search", "no-search"),
    "sequence_edits": ("sequences", "no-sequences"),
    "copied_steps": ("copied-steps", "no-copied-steps"),
    "crop_check": ("crop-check", "no-crop-check"),
    "shared_prefix": ("shared-prefix", "chosen-first"),
    "continued_chat": ("continued-chat", "restated-functions"),
    "vary_examples": ("vary-examples", "same-examples"),
    "neutral_example": ("neutral-example", "invert-example"),
    "brief_descriptions": ("brief-descriptions", "full-descriptions"),
    "compact_signatures": ("compact-signatures", "full-signatures"),
    "modality_name_matches": ("modality-names", "operation-names"),
}
"""Each on/off `Variant` field and its (on, off) modifiers; a label names the modifier of a non-default."""
_MODIFIERS = (
    "one-step",
    "two-stage",
    "no-refine",
    "refine",
    *(name for pair in _SWITCHES.values() for name in pair),
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
    match_inputs: bool = True
    parameter_step: bool = False
    loose_links: bool = True
    search: bool = True
    sequence_edits: bool = True
    copied_steps: bool = True
    crop_check: bool = True
    shared_prefix: bool = True
    continued_chat: bool = True
    vary_examples: bool = True
    neutral_example: bool = True
    brief_descriptions: bool = True
    compact_signatures: bool = True
    modality_name_matches: bool = True
    candidates: int = 3
    catalog_entries: int | None = None
    """At most this many node signatures in a prompt (None: the context's own, or `--set`'s)."""
    examples: int | None = None
    """Reference programs retrieved (None: the context's own, or `--set`'s)."""

    @property
    def name(self) -> str:
        """A stable, readable label such as `dataflow/two-stage/refine` (`.../constrained` when forced)."""
        stages = "one-step" if self.one_step else "two-stage"
        label = f"{self.syntax}/{stages}/{'refine' if self.refine else 'no-refine'}"
        label = label if self.decoding == "auto" else f"{label}/{self.decoding}"
        default = Variant()
        for field_name, (on, off) in _SWITCHES.items():
            value = getattr(self, field_name)
            if value != getattr(default, field_name):
                label += f"/{on if value else off}"
        for prefix, field_name in _COUNTS.items():
            if getattr(self, field_name) != getattr(default, field_name):
                label += f"/{prefix}-{getattr(self, field_name)}"
        return label

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
    counts = {field_name: getattr(base, field_name) for field_name in _COUNTS.values()}
    for match in filter(None, (_COUNT_N.fullmatch(m) for m in modifiers)):
        counts[_COUNTS[match[1]]] = int(match[2])  # the last one given wins
    modifiers = [m for m in modifiers if not _COUNT_N.fullmatch(m)]
    unknown = sorted(set(modifiers) - set(_MODIFIERS))
    if unknown:
        counted = ", ".join(f"{prefix}-N" for prefix in _COUNTS)
        raise BenchError(
            f"unknown variant modifier(s) {unknown}; use {', '.join(_MODIFIERS)} or {counted} (N: 1-99)"
        )
    switches: dict[str, Any] = {
        field_name: on in modifiers or (getattr(base, field_name) and off not in modifiers)
        for field_name, (on, off) in _SWITCHES.items()
    }
    return [
        Variant(
            syntax=syntax,
            one_step="one-step" in modifiers or (base.one_step and "two-stage" not in modifiers),
            refine="refine" in modifiers or (base.refine and "no-refine" not in modifiers),
            decoding=_decoding(modifiers, base),
            **counts,
            **switches,
        )
    ]


def _decoding(modifiers: list[str], base: Variant) -> Decoding:
    """The last decoding modifier given, else the base variant's decoding."""
    for modifier in reversed(modifiers):
        for decoding in DECODINGS:
            if modifier == decoding:
                return decoding
    return base.decoding
