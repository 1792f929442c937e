"""`--variants` parsing: syntax x stages x refinement x decoding, presets and names."""

from __future__ import annotations

import pytest

from anysym.bench.variants import Variant, parse_variants
from anysym.errors import BenchError


def test_decoding_preset_compares_constrained_and_free_on_the_base_configuration() -> None:
    base = Variant(syntax="dataflow", one_step=True)
    variants = parse_variants("decoding", base)
    assert variants == [
        Variant(syntax="dataflow", one_step=True, decoding="constrained"),
        Variant(syntax="dataflow", one_step=True, decoding="free"),
    ]
    assert [v.name for v in variants] == [
        "dataflow/one-step/refine/constrained",
        "dataflow/one-step/refine/free",
    ]
    assert [v.constrained for v in variants] == [True, False]


def test_auto_decoding_keeps_the_old_names_and_passes_none() -> None:
    variant = parse_variants("pseudo+no-refine", Variant())[0]
    assert variant.name == "pseudo/two-stage/no-refine" and variant.constrained is None


def test_decoding_modifiers_last_one_wins_and_base_decoding_is_inherited() -> None:
    base = Variant(decoding="free")
    assert parse_variants("declarative+constrained", base)[0].decoding == "constrained"
    assert parse_variants("declarative+constrained+free", base)[0].decoding == "free"
    assert parse_variants("declarative+one-step", base)[0] == Variant(one_step=True, decoding="free")
    assert parse_variants("pseudo+auto", base)[0].decoding == "auto"
    assert {v.decoding for v in parse_variants("syntaxes", base)} == {"free"}
    assert {v.decoding for v in parse_variants("grid", base)} == {"free"}


def test_presets_combine_and_duplicates_are_dropped() -> None:
    variants = parse_variants("decoding, declarative+constrained, ablation", Variant())
    assert [v.name for v in variants] == [
        "declarative/two-stage/refine/constrained",
        "declarative/two-stage/refine/free",
        "declarative/two-stage/refine",
        "declarative/one-step/refine",
        "declarative/two-stage/no-refine",
    ]


def test_bad_decoding_modifier_names_the_valid_ones() -> None:
    with pytest.raises(BenchError, match="constrained, free"):
        parse_variants("declarative+greedy", Variant())
    with pytest.raises(BenchError, match="decoding"):
        parse_variants("constrained", Variant())


def test_count_modifiers_set_their_fields_and_name_the_variant() -> None:
    [shorter] = parse_variants("declarative+catalog-16+examples-2+candidates-1", Variant())
    assert (shorter.catalog_entries, shorter.examples, shorter.candidates) == (16, 2, 1)
    assert shorter.name == "declarative/two-stage/refine/candidates-1/catalog-16/examples-2"
    [plain] = parse_variants("declarative", Variant())
    assert (plain.catalog_entries, plain.examples, plain.name) == (None, None, "declarative/two-stage/refine")
    assert parse_variants("declarative+catalog-8+catalog-12", Variant())[0].catalog_entries == 12
    with pytest.raises(BenchError, match="catalog-N, examples-N"):
        parse_variants("declarative+catalog-0", Variant())
