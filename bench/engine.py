"""The adapter from the inference engine (`anysym.graph.api.agenerate`) to the harness's `TaskRunner`.

`EngineRunner.run` calls the engine once per task run with the variant's switches (syntax, stages,
refinement, decoding) and converts its `Result` into a `RunOutcome` (`outcome_from_result`). A typed
engine failure (`AnysymError`: the LLM or ComfyUI keeps failing) becomes a run with a one-line error, so
the other tasks still run. `EngineRunner.session()` opens the default services (LLM, ComfyUI and its
catalog, the reference-program index) once for the whole benchmark when no `Deps` were injected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from anysym.bench.records import RunOutcome
from anysym.bench.suites import Task
from anysym.bench.variants import Variant
from anysym.errors import AnysymError, BenchError
from anysym.graph.api import agenerate
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import STAGES_REACHED, Result
from anysym.language.syntax import Syntax
from anysym.llm.settings import LLMSettings
from anysym.retriever.settings import RetrievalSettings
from anysym.settings import Paths

__all__ = ["EngineConfig", "EngineRunner", "error_line", "outcome_from_result", "variant_options"]

_PARSED = STAGES_REACHED[STAGES_REACHED.index("parsed") :]


@dataclass(frozen=True, kw_only=True)
class EngineConfig:
    """Options shared by every run: model endpoint, ComfyUI servers, where run directories go."""

    model: str | None = None
    base_url: str | None = None
    servers: tuple[str, ...] = ()
    runs_dir: Path | None = None
    execute: bool = True
    execute_timeout_s: float = 600.0
    use_key_functions: bool = False
    paths: Paths | None = None
    """The anysym home (default `Paths.from_env`); used to open the default services."""
    llm_settings: LLMSettings | None = None
    """The chat model's endpoint settings (default: from `model`/`base_url`, else the managed local LLM)."""
    retrieval: RetrievalSettings | None = None
    """The index store and embedding (default: the embedded store, the offline embedding)."""
    context_options: dict[str, Any] = field(default_factory=dict)
    """Further `Context` fields for every run (`--set`); never one a variant or the bench itself sets."""

    def __post_init__(self) -> None:
        owned = {*variant_options(Variant()), *_BENCH_OWNED}
        clash = sorted(set(self.context_options) & owned)
        if clash:
            raise BenchError(
                f"--set {', '.join(clash)}: the variants and the bench's own options set these; use a "
                "--variants modifier or the bench option instead"
            )


_BENCH_OWNED = ("execute", "execute_timeout_s", "model", "base_url", "run_dir", "outputs_dir")
"""Context fields the bench sets from its own options (`--no-execute`, `--model`, ...) and run layout."""


def variant_options(variant: Variant) -> dict[str, Any]:
    """The `Context` fields a variant sets, by name (a count it leaves as None is not set)."""
    counts = {"max_catalog_entries": variant.catalog_entries, "k": variant.examples}
    return {
        "syntax": cast(Syntax, variant.syntax),  # checked by parse_variants
        "one_step": variant.one_step,
        "refine": variant.refine,
        "verify": variant.verify,
        "task_repairs": variant.task_repairs,
        "loose_links": variant.loose_links,
        "search_budget": Context().search_budget if variant.search else 0,
        "sequence_edits": variant.sequence_edits,
        "copied_steps": variant.copied_steps,
        "crop_check": variant.crop_check,
        "shared_prefix": variant.shared_prefix,
        "continued_chat": variant.continued_chat,
        "vary_examples": variant.vary_examples,
        "neutral_example": variant.neutral_example,
        "brief_descriptions": variant.brief_descriptions,
        "compact_signatures": variant.compact_signatures,
        "modality_name_matches": variant.modality_name_matches,
        "node_k": 3 if variant.node_search else 0,
        "node_docs": variant.node_docs,
        "example_values": variant.example_values,
        "refine_in_steps": variant.refine_in_steps,
        "refine_fresh_examples": variant.fresh_examples,
        "rerank_examples": variant.rerank,
        "filter_examples": variant.filter_examples,
        "match_example_inputs": variant.match_inputs,
        "parameter_step": variant.parameter_step,
        "candidates": variant.candidates,
        **{name: value for name, value in counts.items() if value is not None},
    }


class EngineRunner:
    """Run tasks through the real inference engine, with injected `deps` or the default services."""

    def __init__(self, config: EngineConfig, *, deps: Deps | None = None) -> None:
        self.config = config
        self.deps = deps

    @asynccontextmanager
    async def session(self, variants: Sequence[Variant] = ()) -> AsyncIterator[EngineRunner]:
        """Open the default services once (unless `deps` were injected) and check the variants fit them.

        Raises `BenchError` when a variant forces constrained decoding but the endpoint ignores grammars.
        """
        if self.deps is not None:
            _check_decoding(self.deps, variants)
            yield self
            return
        from anysym.graph.defaults import open_default_deps

        config = self.config
        paths = config.paths or Paths.default()
        settings = config.llm_settings or LLMSettings().overridden(
            model=config.model, base_url=config.base_url
        )
        async with open_default_deps(
            paths,
            llm_settings=settings,
            servers=config.servers or None,
            execute=config.execute,
            retrieval=config.retrieval,
        ) as deps:
            _check_decoding(deps, variants)
            self.deps = deps
            try:
                yield self
            finally:
                self.deps = None

    async def run(self, task: Task, variant: Variant, *, run_index: int, inputs_dir: Path) -> RunOutcome:
        """Generate and execute one task; engine failures become an outcome, never an exception."""
        inputs = [inputs_dir / name for name in task.inputs]
        missing = [str(path) for path in inputs if not path.is_file()]
        if missing:
            return RunOutcome(error=f"input files missing: {', '.join(missing)}")
        config = self.config
        run_dir = None
        if config.runs_dir is not None:
            run_dir = config.runs_dir / variant.name.replace("/", "_") / f"{task.id}_{run_index}"
        try:
            result = await agenerate(
                task.instruction,
                inputs,
                deps=self.deps,
                key_functions=task.key_functions if config.use_key_functions else (),
                **{**config.context_options, **variant_options(variant)},  # a variant's count wins
                execute=config.execute,
                execute_timeout_s=config.execute_timeout_s,
                constrained=variant.constrained,
                model=config.model,
                base_url=config.base_url,
                servers=list(config.servers) or None,
                run_dir=run_dir,
                paths=config.paths,
                llm_settings=config.llm_settings,
            )
        except AnysymError as exc:
            return RunOutcome(
                status="error",
                error=error_line(exc),
                run_dir=_str(run_dir),
                constrained=self._constrained(variant),
            )
        return outcome_from_result(result, constrained=self._constrained(variant))

    def _constrained(self, variant: Variant) -> bool | None:
        if variant.constrained is not None:
            return variant.constrained
        return None if self.deps is None else self.deps.grammar is not None


def outcome_from_result(result: Result, *, constrained: bool | None = None) -> RunOutcome:
    """Convert the engine's `Result` (stage, attempts, LLM calls per stage, outputs, timings, flow).

    The own-overhead share is left to the harness (wall time minus LLM and ComfyUI time), so the three
    parts add up to the measured wall time of the run.
    """
    attempts = result.attempts
    flow = result.texts.get(result.syntax)
    return RunOutcome(
        stage=result.stage or "none",
        status=result.status,
        attempts=len(attempts),
        llm_calls=len(result.llm_calls),
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        llm_s=result.timings.llm_s,
        comfy_s=result.timings.comfy_s,
        outputs=list(result.outputs),
        flow=flow if flow is not None else (result.flow.to_json() if result.flow else None),
        error=result.error,
        run_dir=_str(result.run_dir),
        llm_usage=list(result.llm_calls),
        first_parsed=attempts[0].stage_reached in _PARSED if attempts else None,
        parsed_attempts=sum(1 for a in attempts if a.stage_reached in _PARSED),
        failed_stages=[a.failed_stage or "" for a in attempts],
        attempt_stages=[a.stage for a in attempts],
        constrained=constrained,
    )


def error_line(exc: BaseException) -> str:
    """One line naming the error class and its first message line."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else 'no message'}"


def _check_decoding(deps: Deps, variants: Sequence[Variant]) -> None:
    forced = [v.name for v in variants if v.decoding == "constrained"]
    if forced and deps.grammar is None:
        raise BenchError(
            f"variant(s) {', '.join(forced)} need constrained decoding, but the chat endpoint was not "
            "detected to honour grammars; use the managed local LLM or drop the constrained variants"
        )


def _str(path: Any) -> str | None:
    return None if path is None else str(path)
