"""The harness with a fake runner: stage accounting, resume, variants, summaries and reports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from rich.console import Console

from anysym.bench.harness import RESULTS_FILE, BenchRun, run_bench
from anysym.bench.make_inputs import make_inputs
from anysym.bench.records import JudgeVerdict, ResultsStore, RunOutcome, TaskRecord
from anysym.bench.report import print_summary, write_reports
from anysym.bench.suites import Suite, Task
from anysym.bench.summary import summarise
from anysym.bench.variants import Variant, parse_variants
from anysym.errors import BenchError
from anysym.executor.outputs import OutputFile

INVERT_CHECK = {
    "kind": "image",
    "compare": {"op": "match", "expect": [{"op": "load", "input": "photo.png"}, {"op": "invert"}]},
}


def _suite() -> Suite:
    tasks = [
        Task(
            id=f"t{i}",
            instruction="invert photo.png",
            inputs=["photo.png"],
            category="cat" + str(i % 2),
            expected_outputs=[{"kind": "image"}],
            check=[INVERT_CHECK],
        )  # type: ignore[list-item]
        for i in range(4)
    ]
    return Suite(name="fake", tasks=tasks)


class FakeRunner:
    """Scripted outcomes: t0 correct, t1 wrong pixels, t2 valid but not executed, t3 crashes."""

    def __init__(self, inputs: Path, out: Path) -> None:
        self.inputs, self.out, self.calls = inputs, out, []  # type: ignore[var-annotated]

    async def run(self, task: Task, variant: Variant, *, run_index: int, inputs_dir: Path) -> RunOutcome:
        self.calls.append((variant.name, task.id, run_index))
        with Image.open(inputs_dir / "photo.png") as image:
            photo = np.asarray(image)
        path = self.out / f"{variant.syntax}_{task.id}_{run_index}.png"
        cost = {
            "attempts": 1,
            "llm_calls": 2,
            "input_tokens": 100,
            "output_tokens": 10,
            "llm_s": 0.5,
            "comfy_s": 0.2,
        }
        if task.id == "t0":
            Image.fromarray(255 - photo).save(path)
            return RunOutcome(
                stage="executed", status="success", outputs=[OutputFile(path=str(path))], **cost
            )
        if task.id == "t1":
            Image.fromarray(photo).save(path)
            return RunOutcome(stage="outputs", status="success", outputs=[OutputFile(path=str(path))], **cost)
        if task.id == "t2":
            Image.fromarray(255 - photo).save(path)  # a file exists, but the engine never executed
            return RunOutcome(stage="valid", status="failed", outputs=[OutputFile(path=str(path))], **cost)
        raise RuntimeError("engine exploded")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    inputs, outputs, results = tmp_path / "in", tmp_path / "outputs", tmp_path / "results"
    make_inputs(inputs)
    outputs.mkdir()
    return inputs, outputs, results


async def test_stages_come_from_the_engine_and_the_check(setup: tuple[Path, Path, Path]) -> None:
    inputs, outputs, results = setup
    plan = BenchRun(suite=_suite(), variants=[Variant()], out_dir=results, inputs_dir=inputs)
    records = {r.task_id: r for r in await run_bench(plan, FakeRunner(inputs, outputs))}
    assert records["t0"].stage == "resolved" and records["t0"].check_passed is True
    assert records["t1"].stage == "outputs" and records["t1"].check_passed is False
    assert records["t2"].stage == "valid" and records["t2"].check_passed is None
    assert records["t3"].stage == "none" and "engine exploded" in (records["t3"].error or "")
    assert records["t0"].llm_calls == 2 and records["t0"].input_tokens == 100
    assert records["t0"].overhead_s >= 0 and records["t0"].wall_s >= records["t0"].overhead_s
    assert records["t0"].judge.reason == "not judged"


async def test_resume_skips_finished_runs(setup: tuple[Path, Path, Path]) -> None:
    inputs, outputs, results = setup
    variants = parse_variants("declarative,dataflow", Variant())
    plan = BenchRun(suite=_suite(), variants=variants, out_dir=results, inputs_dir=inputs, runs=2, limit=2)
    first = FakeRunner(inputs, outputs)
    await run_bench(plan, first)
    assert len(first.calls) == 2 * 2 * 2
    lines = (results / RESULTS_FILE).read_text().splitlines()
    (results / RESULTS_FILE).write_text(
        "\n".join(lines[:-3]) + "\n" + lines[-3][:25]
    )  # interrupted mid-write
    second = FakeRunner(inputs, outputs)
    resumed: list[str] = []
    records = await run_bench(
        plan, second, on_record=lambda r, old: resumed.append(r.task_id) if old else None
    )
    assert len(second.calls) == 3 and len(resumed) == 5
    assert len(records) == 8 and len(ResultsStore(results / RESULTS_FILE).load()) == 8
    third = FakeRunner(inputs, outputs)
    await run_bench(plan, third)
    assert third.calls == []


async def test_concurrency_and_judge(setup: tuple[Path, Path, Path]) -> None:
    inputs, outputs, results = setup

    class Judge:
        async def judge(self, task: Task, files: list[OutputFile], inputs_dir: Path) -> JudgeVerdict:
            return JudgeVerdict(resolved=task.id == "t0", model="vlm", reason="looked")

    plan = BenchRun(suite=_suite(), variants=[Variant()], out_dir=results, inputs_dir=inputs, concurrency=3)
    records = {r.task_id: r for r in await run_bench(plan, FakeRunner(inputs, outputs), judge=Judge())}
    assert records["t0"].judge.resolved is True and records["t1"].judge.resolved is False
    assert records["t2"].judge.resolved is None  # not executed: never judged


async def test_summary_and_reports(setup: tuple[Path, Path, Path]) -> None:
    inputs, outputs, results = setup
    variants = parse_variants("declarative,pseudo+one-step", Variant())
    plan = BenchRun(suite=_suite(), variants=variants, out_dir=results, inputs_dir=inputs)
    records = await run_bench(plan, FakeRunner(inputs, outputs))
    summary = summarise(records, suite="fake", config={"model": "scripted"})
    group = summary.variants["declarative/two-stage/refine"]
    assert group.runs == 4
    assert group.pass_at_1["valid"] == 0.75 and group.pass_at_1["executed"] == 0.5
    assert group.pass_at_1["outputs"] == 0.5 and group.pass_at_1["resolved"] == 0.25
    assert summary.categories["declarative/two-stage/refine"]["cat0"].pass_at_1["resolved"] == 0.5
    paths = write_reports(summary, records, results)
    assert json.loads(paths[0].read_text())["variants"]["pseudo/one-step/refine"]["runs"] == 4
    rows = list(csv.DictReader(paths[1].read_text().splitlines()))
    assert len(rows) == 8 and {r["stage"] for r in rows} == {"resolved", "outputs", "valid", "none"}
    html = paths[2].read_text()
    assert (
        html.count("<svg") == 3
        and "<script" not in html
        and "<link" not in html
        and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    console = Console(record=True, width=200, file=io.StringIO())
    print_summary(summary, console)
    assert "pseudo/one-step/refine" in console.export_text()


def test_variant_specs() -> None:
    base = Variant(syntax="dataflow")
    assert [v.name for v in parse_variants(None, base)] == ["dataflow/two-stage/refine"]
    assert len(parse_variants("grid", base)) == 12
    assert [v.name for v in parse_variants("ablation", base)] == [
        "dataflow/two-stage/refine",
        "dataflow/one-step/refine",
        "dataflow/two-stage/no-refine",
    ]
    assert parse_variants("pseudo+one-step+no-refine", base)[0] == Variant(
        syntax="pseudo", one_step=True, refine=False
    )
    with pytest.raises(BenchError, match="unknown variant"):
        parse_variants("python", base)
    with pytest.raises(BenchError, match="modifier"):
        parse_variants("pseudo+fast", base)


def test_store_round_trip(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path / "r.jsonl")
    store.append(TaskRecord(variant="v", task_id="a", stage="parsed"))
    store.append(TaskRecord(variant="v", task_id="a", stage="valid"))
    assert store.load()[("v", "a", 0)].stage == "valid"


def test_node_search_and_docs_modifiers_name_the_variant() -> None:
    base = Variant()
    [off] = parse_variants("declarative+no-node-search+no-node-docs", base)
    assert (off.node_search, off.node_docs) == (False, False)
    assert off.name == "declarative/two-stage/refine/no-node-search"  # node docs are off by default
    [docs] = parse_variants("declarative+node-docs", base)
    assert docs.node_docs and docs.name == "declarative/two-stage/refine/node-docs"
    [on] = parse_variants("declarative+node-search", Variant(node_search=False))
    assert on.node_search and on.name == "declarative/two-stage/refine"


def test_every_switch_names_its_non_default_in_one_fixed_order() -> None:
    [both] = parse_variants("declarative+no-loose-links+all-examples+parameter-step", Variant())
    assert (both.loose_links, both.filter_examples, both.parameter_step) == (False, False, True)
    assert both.name == "declarative/two-stage/refine/all-examples/parameter-step/no-loose-links"
    [plain] = parse_variants("declarative+loose-links+filter-examples", Variant())
    assert plain == Variant() and plain.name == "declarative/two-stage/refine"


def test_summary_counts_what_refine_rescued() -> None:
    records = [
        TaskRecord(variant="v", task_id="a", failed_stages=[""]),  # first try passed
        TaskRecord(  # rescued by a local edit of the search
            variant="v", task_id="b", failed_stages=["verification", ""], attempt_stages=["psi2", "search"]
        ),
        TaskRecord(variant="v", task_id="c", failed_stages=["execute", "verification", "verification"]),
        TaskRecord(variant="v", task_id="d", failed_stages=["parse", ""]),  # rescued, never verified wrong
        TaskRecord(variant="v", task_id="e"),  # the engine raised: no attempts
    ]
    assert [r.rescued for r in records] == [None, True, False, True, None]
    group = summarise(records, suite="s").variants["v"]
    assert (group.first_failed, group.rescued, group.search_rescued) == (3, 2, 1)
    assert (group.verification_failed, group.verification_rescued) == (2, 1)
