"""Local LLM speed benchmark: prompt and generation tokens/s of the managed llama-server, idle and loaded.

One run starts a fresh managed server on its own port and measures, with the server's own `timings`:
a ~900-token prompt followed by a fixed-length generation (`ignore_eos`), idle and again beside one
CPU-bound process (`python -c 'while True: pass'`, started and killed here); the same generation after
a short prompt (each generated token attends to every token before it, so it is faster without the
long prompt); the `llama-bench -t 2 -p 512 -n 64` reference of the same build, with its generation
also at the long prompt's depth; and N grammar-constrained requests as psi1 sends them (the
engine's GBNF from `language.gbnf` over a typical excerpt of 11 image node types), each with a task of
its own so the server's prompt cache keeps growing as it does over many runs: their generation speed,
which the grammar slows, and the server's resident memory sampled along the way (`--constrained 300`
is the soak that checks the memory bound). The medians go into one report.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import httpx

from anysym.errors import BenchError
from anysym.services.llm.flags import ServerTuning
from anysym.services.llm.server import LocalLLM
from anysym.services.llm.timings import ServerTimings, parse_timings
from anysym.services.process import rss_bytes

__all__ = [
    "LLMBenchReport",
    "long_prompt",
    "parse_llama_bench",
    "parse_tuning",
    "render_report",
    "run_llm_bench",
]

GENERATED_TOKENS = 128
REFERENCE_THREADS = 2
"""`llama-bench -t 2`: the machine's cores, the reference the issue compares against."""
REQUEST_TIMEOUT_S = 600.0
BUSY_LOOP = "while True: pass"
GRAMMAR_CATALOG = Path(__file__).resolve().parent / "suites" / "catalogs" / "core_comfyui_0.0.1.json"
GRAMMAR_TYPES = [
    "LoadImage",
    "ImageInvert",
    "ImageScale",
    "ImageScaleBy",
    "ImageBlur",
    "ImageBlend",
    "ImageCrop",
    "ImageToMask",
    "ThresholdMask",
    "MaskToImage",
    "SaveImage",
]
"""A catalog excerpt as psi1 shows it for an image edit (the grammar is built over the types shown)."""
GRAMMAR_TASK = (
    "Write only the functions (workflow.add_node lines) of a ComfyUI workflow that loads photo{n}.png, "
    "inverts it, blurs it with radius {radius}, scales it to {width}x96 and saves it."
)
"""psi1's question; each constrained request fills in its own numbers, so no two prompts are equal."""
RSS_SAMPLES = 10
"""How many times the server's memory is read over the constrained requests."""
_FILLER = (
    "{i}. A node type takes typed inputs such as IMAGE, LATENT or AUDIO and returns typed outputs; "
    "links join an output of one function to an input of a later function with the same type.\n"
)

Progress = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class LLMBenchReport:
    """Medians of one `bench llm` run (tokens per second unless named otherwise)."""

    model: str
    command: list[str]
    env: dict[str, str]
    """Environment variables the server ran with (beside the command line)."""
    prompt_tokens: int
    idle_prompt_per_s: float
    idle_generated_per_s: float
    short_generated_per_s: float
    """Idle generation after a short prompt (comparable to llama-bench's `n64` at depth 0)."""
    loaded_prompt_per_s: float
    loaded_generated_per_s: float
    llama_bench_prompt_per_s: float | None
    llama_bench_generated_per_s: float | None
    llama_bench_deep_generated_per_s: float | None
    """llama-bench's `n64` at the depth of the server's long prompt (comparable to `idle_generated_per_s`)."""
    constrained_requests: int
    constrained_generated_per_s: float | None
    """Generation under the engine's grammar (psi1's functions), idle; None without constrained requests."""
    rss_start_bytes: int | None
    rss_after_bytes: int | None
    rss_samples: list[tuple[int, int]]
    """(constrained requests done, server RSS in bytes) along the way; the soak's memory curve."""

    @property
    def rss_peak_bytes(self) -> int | None:
        """The largest RSS read during the run."""
        readings = [b for b in (self.rss_start_bytes, self.rss_after_bytes) if b is not None]
        return max([*readings, *(b for _, b in self.rss_samples)], default=None)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"rss_peak_bytes": self.rss_peak_bytes}


def short_prompt(nonce: int) -> str:
    """A prompt of about 20 tokens whose first words differ per `nonce`."""
    return f"Request {nonce}. Count upwards from 1, one number per line."


def long_prompt(nonce: int, lines: int = 22) -> str:
    """A ~900-token prompt (22 lines) whose first line differs per `nonce`, so no prefix comes from cache."""
    body = "".join(_FILLER.format(i=i) for i in range(1, lines + 1))
    return f"Request {nonce}. Read these notes.\n{body}Now count upwards from 1, one number per line."


def parse_tuning(text: str, base: ServerTuning | None = None) -> ServerTuning:
    """Apply `key=value,key=value` overrides (ServerTuning field names) to `base`."""
    tuning = base or ServerTuning()
    kinds = {f.name: type(getattr(tuning, f.name)) for f in fields(tuning)}
    changes: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in kinds:
            raise BenchError(f"bad tuning {item!r}: use key=value with a key from {', '.join(kinds)}")
        try:
            changes[key] = kinds[key](value.strip())
        except ValueError as exc:
            raise BenchError(f"bad tuning {item!r}: {value!r} is not a {kinds[key].__name__}") from exc
    return replace(tuning, **changes)


def parse_llama_bench(text: str) -> tuple[float | None, float | None, float | None]:
    """Prompt, generation and deep generation (at a depth > 0) tokens/s from `llama-bench -o json`."""
    try:
        rows = json.loads(text)
    except ValueError as exc:
        raise BenchError(f"llama-bench printed no JSON ({text.strip()[:120]!r})") from exc

    def speed(prompt: bool, deep: bool) -> float | None:
        return next(
            (
                float(r["avg_ts"])
                for r in rows
                if bool(r.get("n_prompt")) == prompt
                and bool(r.get("n_gen")) != prompt
                and bool(r.get("n_depth")) == deep
            ),
            None,
        )

    return speed(prompt=True, deep=False), speed(prompt=False, deep=False), speed(prompt=False, deep=True)


@contextmanager
def busy_cpu() -> Iterator[None]:
    """Keep one CPU-bound process running beside the server for the duration."""
    process = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
    try:
        yield
    finally:
        process.kill()
        process.wait()


def _complete(http: httpx.Client, local: LocalLLM, body: dict[str, Any]) -> ServerTimings:
    body = {"model": local.spec.alias, "temperature": 0, "seed": 0, **body}
    try:
        response = http.post(f"{local.url}/chat/completions", json=body, timeout=REQUEST_TIMEOUT_S)
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise BenchError(f"the benchmark request failed: {exc}") from exc
    timings = parse_timings(answer)
    if response.status_code != 200 or timings is None:
        raise BenchError(f"the server answered {response.status_code} without timings: {response.text[:200]}")
    return timings


def _speed(
    http: httpx.Client,
    local: LocalLLM,
    runs: int,
    label: str,
    progress: Progress,
    *,
    first_nonce: int,
    prompt_of: Callable[[int], str] = long_prompt,
) -> list[ServerTimings]:
    samples = []
    for run in range(runs):
        prompt = prompt_of(first_nonce + run)
        body = {"messages": [{"role": "user", "content": prompt}], "max_tokens": GENERATED_TOKENS}
        sample = _complete(http, local, body | {"ignore_eos": True})
        progress(
            f"{label} {run + 1}/{runs}: prompt {sample.prompt_tokens} tok at {sample.prompt_per_s:.1f} "
            f"tok/s, generation {sample.generated_tokens} tok at {sample.generated_per_s:.1f} tok/s"
        )
        samples.append(sample)
    return samples


def grammar_task(index: int) -> str:
    """The `index`-th constrained request's task: psi1's question with numbers of its own."""
    return GRAMMAR_TASK.format(n=index, radius=1 + index % 7, width=64 + index)


def _constrained(
    http: httpx.Client, local: LocalLLM, requests: int, progress: Progress
) -> tuple[list[ServerTimings], list[tuple[int, int]]]:
    from anysym.language.catalog import Catalog
    from anysym.language.gbnf import build_grammar

    catalog = Catalog.from_object_info(json.loads(GRAMMAR_CATALOG.read_text(encoding="utf-8")))
    shown = catalog.subset(GRAMMAR_TYPES)
    grammar = build_grammar(shown, "declarative", part="components")
    system = f"You write ComfyUI workflows in A-Language. Node types: {', '.join(shown)}."
    every = max(1, requests // RSS_SAMPLES)
    pid = local.running_pid()
    samples, memory = [], []
    for index in range(requests):
        task = grammar_task(index)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": task}]
        body = {"messages": messages, "max_tokens": 160, "grammar": grammar, "seed": index}
        sample = _complete(http, local, body | {"temperature": 0.7})
        samples.append(sample)
        rss = rss_bytes(pid) if pid is not None and (index + 1) % every == 0 else None
        if rss is not None:
            memory.append((index + 1, rss))
        progress(
            f"constrained {index + 1}/{requests}: {sample.generated_tokens} tok at "
            f"{sample.generated_per_s:.1f} tok/s" + (f", server RSS {rss / 2**20:.0f} MiB" if rss else "")
        )
    return samples, memory


def run_llama_bench(
    local: LocalLLM, threads: int, depth: int, progress: Progress
) -> tuple[float | None, float | None, float | None]:
    """Run `llama-bench -t <threads> -p 512 -n 64 -d 0,<depth>` of the same build on the same model."""
    command = [str(local.bench_binary), "-m", str(local.model_path), "-t", str(threads)]
    command += ["-fa", "1" if local.tuning.flash_attn == "on" else "0", "-ub", str(local.tuning.ubatch)]
    command += ["-p", "512", "-n", "64", "-d", f"0,{depth}", "-r", "3", "-o", "json"]
    progress(f"reference: {' '.join(command[:1] + command[3:])}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=REQUEST_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise BenchError(f"llama-bench failed: {(done.stderr or done.stdout).strip()[-200:]}")
    return parse_llama_bench(done.stdout)


def run_llm_bench(
    local: LocalLLM, *, runs: int = 3, constrained: int = 10, progress: Progress = print
) -> LLMBenchReport:
    """Benchmark a fresh server of `local` (its own port; stopped afterwards) and return the medians."""
    if runs < 1 or constrained < 0:
        raise BenchError("--runs must be >= 1 and --constrained >= 0")
    progress(f"starting {local.spec.alias} on port {local.port}: {' '.join(local.command()[1:])}")
    local.stop()
    local.serve(timeout=180)
    try:
        pid = local.running_pid()
        rss_start = rss_bytes(pid) if pid is not None else None
        with httpx.Client() as http:
            _complete(http, local, {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4})
            idle = _speed(http, local, runs, "idle", progress, first_nonce=0)
            short = _speed(
                http,
                local,
                runs,
                "idle, short prompt",
                progress,
                first_nonce=2 * runs,
                prompt_of=short_prompt,
            )
            with busy_cpu():
                progress("one busy CPU process started beside the server")
                loaded = _speed(http, local, runs, "loaded", progress, first_nonce=runs)
            grammar_bound, rss_samples = _constrained(http, local, constrained, progress)
        rss_after = rss_bytes(pid) if pid is not None else None
    finally:
        local.stop()
    prompt_tokens = round(statistics.median(s.prompt_tokens for s in idle))
    bench_prompt, bench_generated, bench_deep = run_llama_bench(
        local, REFERENCE_THREADS, prompt_tokens, progress
    )
    return LLMBenchReport(
        model=local.spec.alias,
        command=local.command(),
        env=local.tuning.env(),
        prompt_tokens=prompt_tokens,
        idle_prompt_per_s=statistics.median(s.prompt_per_s for s in idle),
        idle_generated_per_s=statistics.median(s.generated_per_s for s in idle),
        short_generated_per_s=statistics.median(s.generated_per_s for s in short),
        loaded_prompt_per_s=statistics.median(s.prompt_per_s for s in loaded),
        loaded_generated_per_s=statistics.median(s.generated_per_s for s in loaded),
        llama_bench_prompt_per_s=bench_prompt,
        llama_bench_generated_per_s=bench_generated,
        llama_bench_deep_generated_per_s=bench_deep,
        constrained_requests=constrained,
        constrained_generated_per_s=(
            statistics.median(s.generated_per_s for s in grammar_bound) if grammar_bound else None
        ),
        rss_start_bytes=rss_start,
        rss_after_bytes=rss_after,
        rss_samples=rss_samples,
    )


def render_report(report: LLMBenchReport) -> str:
    """A small text table of the report."""

    def row(label: str, prompt: float | None, generated: float | None) -> str:
        cells = ("n/a" if v is None else f"{v:.1f}" for v in (prompt, generated))
        return f"  {label:<24}" + "".join(f"{cell:>12}" for cell in cells)

    def mib(value: int | None) -> str:
        return "n/a" if value is None else f"{value / 2**20:.0f} MiB"

    return "\n".join(
        [
            f"local LLM {report.model}: tokens/s (medians; prompt of {report.prompt_tokens} tokens)",
            f"  {'':<24}{'prompt':>12}{'generation':>12}",
            row("server, idle", report.idle_prompt_per_s, report.idle_generated_per_s),
            row("server, idle, short prompt", None, report.short_generated_per_s),
            row("server, 1 busy CPU", report.loaded_prompt_per_s, report.loaded_generated_per_s),
            row("server, engine grammar", None, report.constrained_generated_per_s),
            row(
                "llama-bench p512 / n64", report.llama_bench_prompt_per_s, report.llama_bench_generated_per_s
            ),
            row(f"llama-bench n64 @ d{report.prompt_tokens}", None, report.llama_bench_deep_generated_per_s),
            f"  RSS: {mib(report.rss_start_bytes)} at start, {mib(report.rss_after_bytes)} after "
            f"{report.constrained_requests} constrained requests, peak {mib(report.rss_peak_bytes)}",
        ]
    )
