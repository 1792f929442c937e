"""Suite schema, the shipped suites and the ComfyBench loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anysym.bench.suites import PAPER_CATEGORIES, Task, load_comfybench, load_suite, suite_catalog
from anysym.errors import BenchError
from anysym.language.syntax import parse

BENCH = Path(__file__).resolve().parents[2] / "bench"
SUITES = BENCH / "suites"


def test_cpu_suite_has_40_checked_tasks_up_to_long_compositions() -> None:
    suite = load_suite(SUITES / "cpu.json")
    assert len(suite.tasks) >= 40
    assert all(task.check for task in suite.tasks), "every CPU task needs a programmatic check"
    assert all(task.expected_outputs for task in suite.tasks)
    sizes = [task.functions or 0 for task in suite.tasks]
    assert min(sizes) <= 3 and max(sizes) >= 8


@pytest.mark.parametrize("suite_name", ["cpu", "fresh", "unseen", "heldout"])
def test_every_cpu_task_has_a_parseable_reference_solution(suite_name: str) -> None:
    suite = load_suite(SUITES / f"{suite_name}.json")
    assert all(task.check for task in suite.tasks)
    for task in suite.tasks:
        text = (SUITES / f"{suite_name}_solutions" / f"{task.id}.alang").read_text(encoding="utf-8")
        flow = parse(text, "declarative")
        assert len(flow.functions) == task.functions
        for name in task.inputs:
            assert any(name in map(str, f.params.values()) for f in flow.functions.values()), (task.id, name)


def test_task_rejects_checks_that_read_undeclared_inputs() -> None:
    with pytest.raises(ValueError, match="not among the task's inputs"):
        Task.model_validate(
            {
                "id": "t",
                "instruction": "invert",
                "inputs": [],
                "check": {
                    "kind": "image",
                    "compare": {"op": "match", "expect": [{"op": "load", "input": "a.png"}]},
                },
            }
        )


def test_unknown_step_parameters_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown"):
        Task.model_validate(
            {
                "id": "t",
                "instruction": "x",
                "inputs": ["a.png"],
                "check": {
                    "kind": "image",
                    "compare": {
                        "op": "match",
                        "expect": [{"op": "load", "input": "a.png"}, {"op": "invert", "k": 1}],
                    },
                },
            }
        )


def test_load_suite_reports_the_first_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"name": "x", "tasks": [{"id": "a", "instruction": "i"}, {"id": "a", "instruction": "j"}]})
    )
    with pytest.raises(BenchError, match="duplicate task id 'a'"):
        load_suite(path)
    path.write_text("{")
    with pytest.raises(BenchError, match="not JSON"):
        load_suite(path)


def test_comfybench_format_is_loaded() -> None:
    suite = load_comfybench(SUITES / "examples" / "comfybench_sample.json")
    by_id = {task.id: task for task in suite.tasks}
    assert list(by_id) == [
        "001_sitting_dog",
        "002_standing_cat_video",
        "003_cat_dog_merge",
        "004_dancing_video_restyle",
    ]
    dog, cat, merge, dance = by_id.values()
    assert dog.inputs == [] and dog.input_modalities == ["text"] and dog.output_modalities == ["image"]
    assert cat.inputs == ["standing_cat.jpg"] and cat.output_modalities == ["video"]
    assert cat.expected_outputs[0].kind == "video"
    assert merge.inputs == ["cat.png", "dog.png"] and merge.category == "complex"
    assert dance.input_modalities == ["video"] and dance.category == "creative"


def test_comfybench_list_form_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"name": "a", "instruction": "draw", "resource": None, "modality": "t2v"}]))
    suite = load_comfybench(path)
    assert suite.tasks[0].id == "a" and suite.tasks[0].output_modalities == ["video"]
    path.write_text(json.dumps([{"name": "a"}]))
    with pytest.raises(BenchError, match="no instruction"):
        load_comfybench(path)


def test_any2any_suite_covers_the_twelve_paper_categories() -> None:
    suite = load_suite(SUITES / "any2any.json")
    counts = {category: 0 for category in PAPER_CATEGORIES}
    for task in suite.tasks:
        counts[task.category] += 1
    assert all(count >= 10 for count in counts.values()), counts
    catalog = suite_catalog(suite)
    assert catalog is not None
    for task in suite.tasks:
        for name in task.key_functions:
            assert name in catalog, (task.id, name)
