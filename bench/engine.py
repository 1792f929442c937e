"""The adapter from the inference engine (`anysym.graph.api.agenerate`) to the harness's `TaskRunner`.

`EngineRunner.run` calls the engine once per task run with the variant's switches and converts its
`Result` into a `RunOutcome`. All knowledge of the `Result` shape lives in `outcome_from_result`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anysym.bench.records import ENGINE_STAGES, OutputFile, RunOutcome, Stage
from anysym.bench.suites import Task
from anysym.bench.variants import Variant
from anysym.errors import BenchError

__all__ = ["EngineConfig", "EngineRunner", "ensure_engine", "outcome_from_result"]


@dataclass(frozen=True, kw_only=True)
class EngineConfig:
    """Options shared by every run: model endpoint, ComfyUI servers, where run directories go."""

    model: str | None = None
    base_url: str | None = None
    servers: tuple[str, ...] = ()
    runs_dir: Path | None = None
    execute: bool = True
    use_key_functions: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


class EngineRunner:
    """Run tasks through the real inference engine (a dependency bundle may inject a chat model)."""

    def __init__(self, config: EngineConfig, *, deps: Any = None) -> None:
        self.config = config
        self.deps = deps

    async def run(self, task: Task, variant: Variant, *, run_index: int, inputs_dir: Path) -> RunOutcome:
        """Generate and execute one task; engine errors become an outcome, never an exception."""
        api = _engine_api()
        inputs = [inputs_dir / name for name in task.inputs]
        missing = [str(path) for path in inputs if not path.is_file()]
        if missing:
            return RunOutcome(error=f"input files missing: {', '.join(missing)}")
        options: dict[str, Any] = {
            "syntax": variant.syntax,
            "one_step": variant.one_step,
            "refine": variant.refine,
            "execute": self.config.execute,
            **self.config.extra,
        }
        for name, value in (
            ("model", self.config.model),
            ("base_url", self.config.base_url),
            ("servers", list(self.config.servers) or None),
            ("key_functions", task.key_functions if self.config.use_key_functions else None),
            ("deps", self.deps),
        ):
            if value:
                options[name] = value
        if self.config.runs_dir is not None:
            options["run_dir"] = (
                self.config.runs_dir / variant.name.replace("/", "_") / f"{task.id}_{run_index}"
            )
        result = await api.agenerate(task.instruction, inputs=inputs, **options)
        return outcome_from_result(result, syntax=variant.syntax)


def ensure_engine() -> None:
    """Raise `BenchError` now (not once per task) when the inference engine cannot be imported."""
    _engine_api()


def _engine_api() -> Any:
    try:
        return importlib.import_module("anysym.graph.api")
    except ImportError as exc:
        raise BenchError(f"the inference engine is not available ({exc}); reinstall anysym") from exc


def outcome_from_result(result: Any, *, syntax: str = "declarative") -> RunOutcome:
    """Convert the engine's `Result` (status, stage, attempts, LLM calls, outputs, timings, flow)."""
    stage = str(_get(result, "stage", "none") or "none")
    calls = list(_get(result, "llm_calls", []) or [])
    timings = _get(result, "timings", None)
    flow = _get(result, "flow", None) or _get(result, "final_flow", None)
    attempts = _get(result, "attempts", 0)
    error = _get(result, "error", None)
    return RunOutcome(
        stage=_stage(stage),
        status=str(_get(result, "status", "error")),
        attempts=len(attempts) if isinstance(attempts, list | tuple) else int(attempts or 0),
        llm_calls=len(calls),
        input_tokens=sum(int(_get(c, "input_tokens", 0) or 0) for c in calls),
        output_tokens=sum(int(_get(c, "output_tokens", 0) or 0) for c in calls),
        llm_s=float(_get(timings, "llm_s", None) or sum(float(_get(c, "seconds", 0) or 0) for c in calls)),
        comfy_s=float(_get(timings, "comfy_s", 0.0) or 0.0),
        overhead_s=_optional_float(_get(timings, "overhead_s", None)),
        outputs=[
            OutputFile(
                path=str(_get(o, "path", "")),
                kind=str(_get(o, "kind", "image") or "image"),
                function_id=str(_get(o, "function_id", "") or ""),
            )
            for o in _get(result, "outputs", []) or []
        ],
        flow=_render(flow, syntax),
        error=None if error is None else str(error),
        run_dir=None if _get(result, "run_dir", None) is None else str(_get(result, "run_dir", None)),
    )


def _get(obj: Any, name: str, default: Any) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _stage(value: str) -> Stage:
    for stage in ENGINE_STAGES:
        if value == stage:
            return stage
    return "none"


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _render(flow: Any, syntax: str) -> str | None:
    if flow is None:
        return None
    if isinstance(flow, str):
        return flow
    try:
        from anysym.language.syntax import render

        return render(flow, syntax)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a flow that cannot be rendered is still recorded as JSON
        to_json = getattr(flow, "to_json", None)
        return str(to_json()) if callable(to_json) else str(flow)
