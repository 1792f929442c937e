"""The real natively built llama-server: health, alias, grammar, seed, max_tokens, timings, and bench llm."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage

from anysym.bench.llm_bench import run_llm_bench
from anysym.llm.chat import LLMClient
from anysym.llm.settings import LLMSettings
from anysym.services.llm.server import LocalLLM
from anysym.services.llm.timings import parse_timings
from anysym.services.process import cmdline
from anysym.settings import Paths

PORT = 8783
BENCH_PORT = 8784
YES_NO = 'root ::= "yes" | "no"\n'


def _mirror(home: Path, port: int) -> LocalLLM:
    """A LocalLLM in a temp home sharing this machine's built binaries and (linked) model file."""
    source = LocalLLM(Paths.from_env(os.environ))
    if not source.runtime_installed or not source.model_path.is_file():
        pytest.fail("the local LLM is not installed: run ./scripts/setup.sh (or `anysym llm install`)")
    local = LocalLLM(Paths(home=home), port=port)
    local.bin_dir.parent.mkdir(parents=True)
    local.bin_dir.symlink_to(source.bin_dir)
    shutil.copy(source.runtime_marker, local.runtime_marker)
    local.model_path.parent.mkdir()
    local.model_path.symlink_to(source.model_path)
    return local


@pytest.fixture(scope="module")
def native(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLLM]:
    local = _mirror(tmp_path_factory.mktemp("native") / "home", PORT)
    local.serve(timeout=120)
    try:
        yield local
    finally:
        local.stop()


def _chat(local: LocalLLM, **body: Any) -> dict[str, Any]:
    request = {"model": local.spec.alias, "messages": [{"role": "user", "content": "Is water wet?"}], **body}
    response = httpx.post(f"{local.url}/chat/completions", json=request, timeout=300)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_health_alias_and_owner_check(native: LocalLLM) -> None:
    assert httpx.get(f"http://127.0.0.1:{PORT}/health", timeout=5).json() == {"status": "ok"}
    models = httpx.get(f"{native.url}/models", timeout=5).json()
    assert models["data"][0]["id"] == native.spec.alias
    pid = native.running_pid()
    assert pid is not None and cmdline(pid).startswith(str(native.server_binary))
    assert native.serve(timeout=5) == native.url and native.running_pid() == pid  # reused


def test_grammar_max_tokens_seed_and_timings(native: LocalLLM) -> None:
    constrained = _chat(native, grammar=YES_NO, max_tokens=8, temperature=0)
    assert constrained["choices"][0]["message"]["content"] in ("yes", "no")
    limited = _chat(native, max_tokens=5, temperature=0)
    assert limited["usage"]["completion_tokens"] <= 5 and limited["choices"][0]["finish_reason"] == "length"
    first, second = (_chat(native, max_tokens=24, temperature=1.0, seed=7) for _ in range(2))
    assert first["choices"][0]["message"]["content"] == second["choices"][0]["message"]["content"]
    timings = parse_timings(first)
    assert timings is not None and timings.generated_per_s > 0 and timings.generated_tokens > 0


async def test_langchain_client_gets_grammar_and_token_limit(native: LocalLLM) -> None:
    client = LLMClient.from_settings(LLMSettings(base_url=native.url, model=native.spec.alias, max_tokens=3))
    completion = await client.complete([HumanMessage("Is fire hot?")], stage="probe", grammar=YES_NO)
    assert completion.text in ("yes", "no")
    free = await client.complete([HumanMessage("Count from 1 to 50.")], stage="probe")
    assert 0 < free.output_tokens <= 3


def test_bench_llm_reports_speeds_and_memory(tmp_path: Path) -> None:
    local = _mirror(tmp_path / "home", BENCH_PORT)
    said: list[str] = []
    report = run_llm_bench(local, runs=1, constrained=2, progress=said.append)
    assert 700 < report.prompt_tokens < 1100
    speeds = [report.idle_prompt_per_s, report.idle_generated_per_s]
    speeds += [report.loaded_prompt_per_s, report.loaded_generated_per_s]
    assert all(speed > 0 for speed in speeds)
    assert report.llama_bench_prompt_per_s and report.llama_bench_generated_per_s
    assert report.rss_after_bytes is not None and report.rss_after_bytes > 200 * 2**20
    assert any(line.startswith("loaded 1/1") for line in said) and local.running_pid() is None
