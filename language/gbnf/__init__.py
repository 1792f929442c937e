"""Constrained decoding: GBNF grammars of A-Language programs over a catalog subset.

`build_grammar(catalog_subset, syntax, part="full"|"components"|"links", flow=None) -> str` (llama.cpp
GBNF); `Gbnf(text).sample(rng)` draws admitted strings for tests. See docs/constrained-decoding.md.
"""

from __future__ import annotations

from anysym.language.gbnf.build import PARTS, Part, build_grammar
from anysym.language.gbnf.sample import Gbnf, GbnfError

__all__ = ["PARTS", "Gbnf", "GbnfError", "Part", "build_grammar"]
