"""Pure parts of `anysym bench llm`: timings, llama-bench output, tuning overrides, prompt and report."""

from __future__ import annotations

import json

import pytest

from anysym.bench.llm_bench import (
    LLMBenchReport,
    long_prompt,
    parse_llama_bench,
    parse_tuning,
    render_report,
    short_prompt,
)
from anysym.errors import BenchError
from anysym.services.llm.flags import ServerTuning
from anysym.services.llm.timings import ServerTimings, parse_timings

SERVER_ANSWER = {
    "choices": [{"message": {"content": "1\n2\n"}}],
    "usage": {"prompt_tokens": 905, "completion_tokens": 128},
    "timings": {
        "cache_n": 12,
        "prompt_n": 893,
        "prompt_ms": 3190.2,
        "prompt_per_token_ms": 3.57,
        "prompt_per_second": 279.9,
        "predicted_n": 128,
        "predicted_ms": 2461.5,
        "predicted_per_token_ms": 19.2,
        "predicted_per_second": 52.0,
    },
}
LLAMA_BENCH_JSON = [
    {"model_type": "qwen2 1B Q4_K - Medium", "n_threads": 2, "n_prompt": 512, "n_gen": 0, "avg_ts": 285.4},
    {"model_type": "qwen2 1B Q4_K - Medium", "n_threads": 2, "n_prompt": 0, "n_gen": 64, "avg_ts": 54.1},
    {"n_threads": 2, "n_prompt": 512, "n_gen": 0, "n_depth": 916, "avg_ts": 120.0},
    {"n_threads": 2, "n_prompt": 0, "n_gen": 64, "n_depth": 916, "avg_ts": 31.3},
]


def test_parse_timings_reads_llama_server_timings() -> None:
    assert parse_timings(SERVER_ANSWER) == ServerTimings(
        prompt_tokens=893, prompt_per_s=279.9, generated_tokens=128, generated_per_s=52.0, cached_tokens=12
    )


@pytest.mark.parametrize(
    "body", [{"usage": {}}, {"timings": "x"}, {"timings": {"prompt_n": 1}}, [], None, {"timings": {}}]
)
def test_parse_timings_is_none_without_usable_timings(body: object) -> None:
    assert parse_timings(body) is None


def test_parse_llama_bench_json() -> None:
    assert parse_llama_bench(json.dumps(LLAMA_BENCH_JSON)) == (285.4, 54.1, 31.3)
    assert parse_llama_bench(json.dumps(LLAMA_BENCH_JSON[:2])) == (285.4, 54.1, None)
    assert parse_llama_bench("[]") == (None, None, None)
    with pytest.raises(BenchError, match="no JSON"):
        parse_llama_bench("error: unknown argument")


def test_parse_tuning_converts_types_and_rejects_unknown_keys() -> None:
    tuning = parse_tuning("poll=50, flash-attn=on,ubatch=256")
    assert tuning == ServerTuning(poll=50, flash_attn="on", ubatch=256)
    assert parse_tuning("") == ServerTuning()
    with pytest.raises(BenchError, match="key=value"):
        parse_tuning("turbo=1")
    with pytest.raises(BenchError, match="not a int"):
        parse_tuning("poll=high")


def test_long_prompt_is_long_and_differs_from_the_first_line() -> None:
    first, second = long_prompt(0), long_prompt(1)
    assert first != second and first.splitlines()[1:] == second.splitlines()[1:]
    assert 3000 < len(first) < 5000  # ~900 tokens of English-like text
    assert short_prompt(0) != short_prompt(1) and len(short_prompt(0)) < 100


def test_render_report_shows_every_number() -> None:
    report = LLMBenchReport(
        model="qwen2.5-coder-0.5b",
        command=["llama-server"],
        env={"GOMP_SPINCOUNT": "300"},
        prompt_tokens=893,
        idle_prompt_per_s=280.0,
        idle_generated_per_s=52.0,
        short_generated_per_s=61.5,
        loaded_prompt_per_s=150.5,
        loaded_generated_per_s=30.25,
        llama_bench_prompt_per_s=285.4,
        llama_bench_generated_per_s=None,
        llama_bench_deep_generated_per_s=33.3,
        constrained_requests=10,
        constrained_generated_per_s=17.5,
        rss_start_bytes=600 * 2**20,
        rss_after_bytes=650 * 2**20,
        rss_samples=[(5, 700 * 2**20), (10, 640 * 2**20)],
    )
    text = render_report(report)
    for needle in (
        "280.0",
        "52.0",
        "61.5",
        "150.5",
        "30.2",
        "17.5",
        "285.4",
        "n/a",
        "33.3",
        "600 MiB",
        "650 MiB",
    ):
        assert needle in text
    assert "10 constrained requests, peak 700 MiB" in text
    dumped = json.loads(json.dumps(report.to_json()))
    assert dumped["loaded_generated_per_s"] == 30.25
    assert dumped["rss_peak_bytes"] == 700 * 2**20
    assert dumped["rss_samples"] == [[5, 700 * 2**20], [10, 640 * 2**20]]


def test_every_constrained_request_has_a_task_of_its_own() -> None:
    from anysym.bench.llm_bench import grammar_task

    tasks = [grammar_task(index) for index in range(300)]
    assert len(set(tasks)) == 300  # the prompt cache sees 300 different prompts, as over many runs
    assert all("{" not in task for task in tasks)


def test_the_constrained_requests_use_the_engines_grammar_over_a_psi1_excerpt() -> None:
    from anysym.bench.llm_bench import GRAMMAR_CATALOG, GRAMMAR_TYPES
    from anysym.language.catalog import Catalog
    from anysym.language.gbnf import build_grammar

    catalog = Catalog.from_object_info(json.loads(GRAMMAR_CATALOG.read_text(encoding="utf-8")))
    shown = catalog.subset(GRAMMAR_TYPES)
    assert list(shown) == GRAMMAR_TYPES  # every type of the excerpt exists in the core catalog
    assert "ImageBlur" in build_grammar(shown, "declarative", part="components")
