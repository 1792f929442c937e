"""`anysym bench engine`: the inference engine's own overhead per task and its prompt sizes per stage.

The LLM and ComfyUI are scripted (zero seconds), so the wall time of `agenerate` is the engine's own work:
LangGraph scheduling, checkpointing, prompt building, extraction, parsing, repairs, validation, compilation
to the API format, result assembly (and, with `--artifacts`, the run directory and SQLite checkpoints).
Token counts are approximate: characters / 4 (no tokenizer download).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PIL import Image

from anysym.graph.api import agenerate
from anysym.graph.deps import Deps
from anysym.graph.testing import FakeHit, FakeProgram, ScriptedExecutor, ScriptedLLM, StaticRetriever
from anysym.inference.prompting import approx_tokens
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.syntax import Syntax, parse, render

__all__ = ["EngineBench", "run_engine_bench", "twenty_function_flow"]

_STEPS: tuple[tuple[str, dict[str, int | float]], ...] = (
    ("ImageInvert", {}),
    ("ImageBlur", {"blur_radius": 2, "sigma": 1.0}),
    ("ImageSharpen", {"sharpen_radius": 1, "sigma": 1.0, "alpha": 1.0}),
)
_EXAMPLES = ("blur_photo", "invert_photo", "sharpen_detail")


@dataclass(frozen=True)
class EngineBench:
    """Measured numbers: overhead per task (ms) and approximate prompt tokens per stage."""

    tasks: int
    functions: int
    median_ms: float
    p90_ms: float
    prompt_tokens: dict[str, int]

    def render(self) -> str:
        """Render a short report."""
        stages = ", ".join(f"{k} {v}" for k, v in self.prompt_tokens.items())
        return (
            f"engine overhead for a {self.functions}-function flow over {self.tasks} tasks: "
            f"median {self.median_ms:.1f} ms, p90 {self.p90_ms:.1f} ms (target < 50 ms median)\n"
            f"prompt size per stage (approx. tokens = chars/4, user + system prompt): {stages}"
        )


def twenty_function_flow(n: int = 20) -> Flow:
    """Return a chain LoadImage -> (n-2) image filters -> SaveImage."""
    functions = {"photo": Function(type="LoadImage", params={"image": "photo.png"})}
    links = []
    previous = "photo"
    for i in range(n - 2):
        node_type, params = _STEPS[i % len(_STEPS)]
        name = f"step{i:02d}"
        functions[name] = Function(type=node_type, params=dict(params))
        links.append(Link(source=previous, output="IMAGE", target=name, input="image"))
        previous = name
    functions["save"] = Function(type="SaveImage", params={"filename_prefix": "bench"})
    links.append(Link(source=previous, output="IMAGE", target="save", input="images"))
    return Flow.build(functions, links)


def _answers(flow: Flow, syntax: Syntax) -> tuple[str, str, str]:
    """Return psi1's and psi2's answers and the complete program (what refine answers)."""
    components = render(Flow(functions=flow.functions), syntax)
    full = f"```python\n{render(flow, syntax)}```"
    if syntax == "declarative":
        links = "\n".join(line for line in full.splitlines() if line.startswith("workflow.connect"))
        return f"```python\n{components}```", f"```python\n{links}\n```", full
    return f"```python\n{components}```", full, full


def _retriever() -> StaticRetriever:
    root = resources.files("anysym.bench") / "suites" / "cpu_solutions"
    hits = []
    for name in _EXAMPLES:
        flow = parse((root / f"{name}.alang").read_text(encoding="utf-8"), "declarative")
        hits.append(FakeHit(FakeProgram(name, name.replace("_", " "), f"reference program {name}", flow)))
    return StaticRetriever(hits)


def _catalog() -> Catalog:
    path = resources.files("anysym.bench") / "suites" / "catalogs" / "core_comfyui_0.0.1.json"
    return Catalog.load(Path(str(path)))


async def _measure(tasks: int, functions: int, syntax: Syntax, artifacts: bool, image: Path) -> EngineBench:
    catalog, retriever = _catalog(), _retriever()
    flow = twenty_function_flow(functions)
    psi1, psi2, full = _answers(flow, syntax)
    broken = psi2.replace("```python\n", "```python\n@@@ broken\n", 1)
    samples: list[float] = []
    prompts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(tasks + 1):
            refine_round = index == 0
            llm = ScriptedLLM([psi1, broken, full] if refine_round else [psi1, psi2])
            deps = Deps(llm=llm, catalog=catalog, retriever=retriever, executor=ScriptedExecutor([]))
            run_dir = Path(tmp) / f"run{index}" if artifacts else None
            started = time.perf_counter()
            result = await agenerate(
                "Invert, blur and sharpen photo.png six times",
                [image],
                deps=deps,
                syntax=syntax,
                run_dir=run_dir,
            )
            elapsed = time.perf_counter() - started
            if result.status != "succeeded":
                raise RuntimeError(f"benchmark flow failed: {result.error}")
            if refine_round:
                system = approx_tokens(_system(syntax))
                prompts = {stage: approx_tokens(user) + system for stage, user in llm.prompts}
            elif index > 1:
                samples.append(elapsed)
    ordered = sorted(samples)
    return EngineBench(
        tasks=len(samples),
        functions=functions,
        median_ms=statistics.median(ordered) * 1000,
        p90_ms=ordered[int(0.9 * (len(ordered) - 1))] * 1000,
        prompt_tokens=prompts,
    )


def _system(syntax: Syntax) -> str:
    from anysym.inference.prompting import system_prompt

    return system_prompt(syntax)


def run_engine_bench(
    *, tasks: int = 30, functions: int = 20, syntax: Syntax = "declarative", artifacts: bool = False
) -> EngineBench:
    """Run the benchmark (the first task, with one refine round, measures prompts and is not timed)."""
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "photo.png"
        Image.new("RGB", (320, 240), (40, 90, 160)).save(image)
        return asyncio.run(_measure(tasks + 1, functions, syntax, artifacts, image))
