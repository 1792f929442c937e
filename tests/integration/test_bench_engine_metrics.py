"""The benchmark's metrics on the REAL local ComfyUI with a scripted chat model answering known programs.

A correct program is executed and resolved; a program that runs but does the wrong thing is executed and
not resolved; an invalid program is never executed; an engine that raises a typed error is recorded and
the benchmark goes on; a rerun resumes without a single new LLM call.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from langchain_core.messages import BaseMessage

from anysym.bench.engine import EngineConfig, EngineRunner
from anysym.bench.harness import BenchRun, run_bench
from anysym.bench.make_inputs import make_inputs
from anysym.bench.records import TaskRecord
from anysym.bench.suites import load_suite
from anysym.bench.summary import summarise
from anysym.bench.variants import Variant
from anysym.errors import LLMError
from anysym.executor.client import ComfyClient
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.deps import Deps
from anysym.graph.testing import FakeCompletion, ScriptedLLM
from anysym.language.catalog import Catalog

SUITES = Path(__file__).resolve().parents[2] / "bench" / "suites"
SUITE = load_suite(SUITES / "cpu.json")
VARIANT = Variant(syntax="declarative", one_step=True, refine=False)


def _program(task_id: str) -> str:
    return f"```python\n{(SUITES / 'cpu_solutions' / f'{task_id}.alang').read_text()}```"


class TaskRoutedLLM:
    """One `ScriptedLLM` per task, chosen by the task instruction in the prompt (order-independent)."""

    def __init__(self, scripts: dict[str, ScriptedLLM]) -> None:
        self.scripts = scripts
        self.instructions = {task.instruction: task.id for task in SUITE.tasks if task.id in scripts}

    async def complete(
        self, messages: Sequence[BaseMessage], *, stage: str, grammar: str | None = None, sample: int = 0
    ) -> FakeCompletion:
        """Delegate to the script of the task whose instruction the prompt contains."""
        user = str(messages[-1].content)
        task_ids = [task_id for text, task_id in self.instructions.items() if text in user]
        assert len(task_ids) == 1, f"cannot tell the task from the prompt: {user[:300]}"
        return await self.scripts[task_ids[0]].complete(messages, stage=stage, grammar=grammar, sample=sample)

    def calls(self) -> int:
        """Prompts received over every task."""
        return sum(len(script.prompts) for script in self.scripts.values())


async def _bench(deps: Deps, out: Path, inputs: Path, *, retry_errors: bool = False) -> dict[str, TaskRecord]:
    plan = BenchRun(
        suite=SUITE,
        variants=[VARIANT],
        out_dir=out,
        inputs_dir=inputs,
        task_ids=["invert_photo", "resize_photo", "upscale_texture", "blur_photo"],
        retry_errors=retry_errors,
    )
    runner = EngineRunner(EngineConfig(runs_dir=out / "runs", execute_timeout_s=900.0), deps=deps)
    async with runner.session(plan.variants):
        records = await run_bench(plan, runner)
    return {record.task_id: record for record in records}


async def test_metrics_resume_and_errors_on_real_comfyui(
    comfy_server: Any, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    make_inputs(inputs)
    scripts = {
        "invert_photo": ScriptedLLM([_program("invert_photo")]),
        # runs fine on ComfyUI, but inverts instead of resizing to 128x96
        "resize_photo": ScriptedLLM([_program("invert_photo")]),
        # not a program: a node type the catalog lacks and an unterminated call
        "upscale_texture": ScriptedLLM(['```python\nworkflow.add_node("up", "NoSuchUpscaler", {\n```']),
        "blur_photo": ScriptedLLM([LLMError("the chat endpoint keeps failing: connection refused")]),
    }
    llm = TaskRoutedLLM(scripts)
    async with httpx.AsyncClient() as http:
        executor = ComfyExecutor(ComfyClient(comfy_server.url, http=http))
        deps = Deps(llm=llm, catalog=comfy_catalog, executor=executor)
        records = await _bench(deps, out, inputs)

        right, wrong, invalid, raised = (
            records[t] for t in ("invert_photo", "resize_photo", "upscale_texture", "blur_photo")
        )
        assert right.stage == "resolved" and right.check_passed is True, right
        assert right.comfy_s > 0 and all(Path(o.path).is_file() for o in right.outputs)
        assert wrong.reached("executed") and wrong.stage == "outputs", wrong
        assert wrong.check_passed is False and not wrong.reached("resolved")
        assert not invalid.reached("executed") and invalid.outputs == [] and invalid.first_parsed is False
        assert invalid.status == "failed" and invalid.error
        assert raised.status == "error" and raised.stage == "none"
        # A service error keeps the run for `anysym resume`, and the message says so.
        assert raised.error.startswith("LLMError: the chat endpoint keeps failing: connection refused")
        assert "anysym resume" in raised.error
        for record in (right, wrong, invalid):
            assert [u.stage for u in record.llm_usage] == ["one_step"] and record.output_tokens > 0

        summary = summarise(list(records.values()), suite=SUITE.name).variants[VARIANT.name]
        assert summary.pass_at_1["executed"] == 0.5 and summary.pass_at_1["resolved"] == 0.25
        assert summary.first_parse == round(2 / 3, 4)
        assert summary.llm_stages["one_step"].calls == 3

        calls = llm.calls()
        again = await _bench(deps, out, inputs)
        assert llm.calls() == calls, "resume must not call the model for finished tasks"
        assert {k: r.model_dump() for k, r in again.items()} == {
            k: r.model_dump() for k, r in records.items()
        }

        scripts["blur_photo"].answers.append(_program("blur_photo"))
        retried = await _bench(deps, out, inputs, retry_errors=True)
        assert llm.calls() == calls + 1, "--retry-errors redoes only the run whose engine raised"
        assert retried["blur_photo"].stage == "resolved" and retried["blur_photo"].error is None
