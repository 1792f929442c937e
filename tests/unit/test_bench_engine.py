"""The engine adapter: decoding reaches `agenerate`, typed engine errors become one-line run errors, the
`Result` conversion, default-service checks, and task selection."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from anysym.bench.engine import EngineConfig, EngineRunner, outcome_from_result
from anysym.bench.harness import BenchRun, run_bench
from anysym.bench.records import RunOutcome
from anysym.bench.suites import Suite, Task
from anysym.bench.variants import Variant
from anysym.errors import BenchError, ComfyConnectionError, LLMError
from anysym.graph.deps import Deps
from anysym.graph.result import Attempt, LLMCall, OutputFile, Result, Timings
from anysym.graph.testing import ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog
from anysym.language.gbnf import build_grammar
from anysym.language.syntax import parse

PROGRAM = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("invert", "ImageInvert")
workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})
workflow.connect("photo", "IMAGE", "invert", "image")
workflow.connect("invert", "IMAGE", "save", "images")
```"""
TASK = Task(id="invert", instruction="Invert photo.png", inputs=["photo.png"], category="adjust")
ONE_STEP = Variant(one_step=True, refine=False)


def _deps(catalog: Catalog, answers: list[str | BaseException], *, grammar: bool = True) -> Deps:
    return Deps(
        llm=ScriptedLLM(answers),
        catalog=catalog,
        executor=ScriptedExecutor([]),
        grammar=build_grammar if grammar else None,
    )


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "photo.png").write_bytes(b"png")
    return folder


@pytest.mark.parametrize(
    ("decoding", "grammar_sent", "recorded"),
    [("constrained", True, True), ("free", False, False), ("auto", True, True)],
)
async def test_the_variants_decoding_reaches_the_model(
    snapshot_catalog: Catalog, inputs: Path, decoding: str, grammar_sent: bool, recorded: bool
) -> None:
    deps = _deps(snapshot_catalog, [PROGRAM])
    variant = Variant(one_step=True, refine=False, decoding=decoding)  # type: ignore[arg-type]
    outcome = await EngineRunner(EngineConfig(), deps=deps).run(TASK, variant, run_index=0, inputs_dir=inputs)
    llm = deps.llm
    assert isinstance(llm, ScriptedLLM)
    assert [g is not None for g in llm.grammars] == [grammar_sent]
    assert outcome.constrained is recorded and outcome.stage == "outputs" and outcome.first_parsed is True


async def test_auto_without_a_grammar_builder_is_recorded_as_free(
    snapshot_catalog: Catalog, inputs: Path
) -> None:
    deps = _deps(snapshot_catalog, [PROGRAM], grammar=False)
    outcome = await EngineRunner(EngineConfig(), deps=deps).run(
        TASK, ONE_STEP, run_index=0, inputs_dir=inputs
    )
    assert outcome.constrained is False and [u.stage for u in outcome.llm_usage] == ["one_step"]


async def test_forced_constrained_decoding_without_grammar_support_stops_before_any_task(
    snapshot_catalog: Catalog,
) -> None:
    runner = EngineRunner(EngineConfig(), deps=_deps(snapshot_catalog, [], grammar=False))
    with pytest.raises(BenchError, match="honour grammars"):
        async with runner.session([ONE_STEP, Variant(decoding="constrained")]):
            pass
    async with runner.session([ONE_STEP, Variant(decoding="free")]) as opened:
        assert opened is runner


@pytest.mark.parametrize(
    "error",
    [LLMError("endpoint down\nretried 3 times"), ComfyConnectionError("cannot reach http://127.0.0.1:1")],
)
async def test_typed_engine_errors_become_one_line_outcomes_and_the_benchmark_goes_on(
    snapshot_catalog: Catalog, inputs: Path, tmp_path: Path, error: Exception
) -> None:
    deps = _deps(snapshot_catalog, [error, PROGRAM])
    other = TASK.model_copy(update={"id": "again"})
    suite = Suite(name="s", tasks=[TASK, other])
    plan = BenchRun(suite=suite, variants=[ONE_STEP], out_dir=tmp_path / "out", inputs_dir=inputs)
    records = {r.task_id: r for r in await run_bench(plan, EngineRunner(EngineConfig(), deps=deps))}
    first = str(error).splitlines()[0]
    assert records["invert"].error == f"{type(error).__name__}: {first}"
    assert records["invert"].status == "error" and records["invert"].stage == "none"
    assert records["invert"].constrained is True  # auto with a grammar builder
    assert records["again"].stage == "outputs" and records["again"].error is None


def test_outcome_from_result_reads_every_field(snapshot_catalog: Catalog, tmp_path: Path) -> None:
    flow = parse(PROGRAM.strip("`").removeprefix("python\n"), "declarative")
    result = Result(
        task="t",
        status="failed",
        syntax="dataflow",
        stage="executed",
        flow=flow,
        texts={"dataflow": "the dataflow text", "declarative": "x"},
        attempts=(
            Attempt(index=0, stage="psi2", text="?", failed_stage="parse", stage_reached="extracted"),
            Attempt(index=1, stage="refine", text="ok", flow=flow, stage_reached="executed"),
        ),
        llm_calls=(
            LLMCall(stage="psi1", input_tokens=10, output_tokens=3, seconds=1.5),
            LLMCall(stage="psi2", input_tokens=20, output_tokens=5, seconds=2.0),
            LLMCall(stage="refine", input_tokens=30, output_tokens=7, seconds=0.5),
        ),
        outputs=(OutputFile(function_id="save", path=tmp_path / "a.png", kind="image"),),
        timings=Timings(total_s=9.0, llm_s=4.0, comfy_s=2.5, overhead_s=2.5),
        run_dir=tmp_path,
        error="failed at outputs: nothing saved",
    )
    outcome = outcome_from_result(result, constrained=True)
    assert outcome == RunOutcome(
        stage="executed",
        status="failed",
        attempts=2,
        llm_calls=3,
        input_tokens=60,
        output_tokens=15,
        llm_s=4.0,
        comfy_s=2.5,
        overhead_s=None,
        outputs=outcome.outputs,
        flow="the dataflow text",
        error="failed at outputs: nothing saved",
        run_dir=str(tmp_path),
        llm_usage=outcome.llm_usage,
        first_parsed=False,
        parsed_attempts=1,
        failed_stages=["parse", ""],
        attempt_stages=["psi2", "refine"],
        constrained=True,
    )
    assert [(o.path, o.function_id) for o in outcome.outputs] == [(tmp_path / "a.png", "save")]
    assert [(u.stage, u.seconds, u.output_tokens) for u in outcome.llm_usage] == [
        ("psi1", 1.5, 3),
        ("psi2", 2.0, 5),
        ("refine", 0.5, 7),
    ]
    empty = outcome_from_result(Result(task="t", status="failed"))
    assert (empty.stage, empty.first_parsed, empty.flow, empty.attempts) == ("none", None, None, 0)


def test_task_selection_keeps_suite_order_and_rejects_unknown_ids(tmp_path: Path) -> None:
    tasks = [TASK.model_copy(update={"id": name}) for name in ("a", "b", "c", "d")]
    suite = Suite(name="s", tasks=tasks)

    def plan(**options: object) -> BenchRun:
        return BenchRun(suite=suite, variants=[ONE_STEP], out_dir=tmp_path, inputs_dir=tmp_path, **options)  # type: ignore[arg-type]

    assert [t.id for t in plan(task_ids=["d", "b"]).tasks()] == ["b", "d"]
    assert [t.id for t in plan(task_ids=["d", "b", "a"], limit=2).tasks()] == ["a", "b"]
    assert [t.id for t in plan(limit=3).tasks()] == ["a", "b", "c"]
    with pytest.raises(BenchError, match="unknown task id.*zz"):
        plan(task_ids=["a", "zz"])


def _shown_signatures(deps: Deps) -> int:
    """How many catalog lines the one prompt of a scripted run showed."""
    assert isinstance(deps.llm, ScriptedLLM)
    [(_, prompt)] = deps.llm.prompts
    return len(prompt.split("Available functions", 1)[1].split("\n\n", 1)[0].splitlines()) - 1


def test_set_options_reach_every_run(snapshot_catalog: Catalog, inputs: Path) -> None:
    def catalog_lines(config: EngineConfig, variant: Variant = ONE_STEP) -> int:
        deps = _deps(snapshot_catalog, [PROGRAM])
        asyncio.run(EngineRunner(config, deps=deps).run(TASK, variant, run_index=0, inputs_dir=inputs))
        return _shown_signatures(deps)

    set_three = EngineConfig(context_options={"max_catalog_entries": 3})
    assert catalog_lines(set_three) == 3
    assert catalog_lines(EngineConfig()) > 3
    assert catalog_lines(set_three, replace(ONE_STEP, catalog_entries=5)) == 5  # the variant's count wins
