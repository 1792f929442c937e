"""Node-type recall of the prompt: do the node types of each task's reference solution reach the prompt?

The model can only choose node types its prompt's catalog excerpt shows (decoding is constrained to
them), so a solution type missing from the excerpt makes the task unsolvable before the LLM is asked.
This runs the engine's own retrieve step and excerpt selection (no LLM) for every task of a suite with
reference solutions (`<suite>_solutions/<task id>.alang`) and reports, per task, the solution types the
psi1 prompt shows and misses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel

from anysym.bench.suites import Suite
from anysym.errors import BenchError
from anysym.graph.context import Context
from anysym.graph.deps import Deps, NodeSearch, Retriever
from anysym.graph.state import State
from anysym.inference.prompting import shown_types
from anysym.language.catalog import Catalog
from anysym.language.syntax import parse
from anysym.nodes.retrieve import retrieve

__all__ = ["NodeRecall", "TaskRecall", "node_recall", "solutions_dir"]


class TaskRecall(BaseModel):
    """One task: its solution's node types, and those the prompt did not show."""

    task_id: str
    solution_types: list[str]
    missing: list[str]
    shown: int


class NodeRecall(BaseModel):
    """Recall over a suite: the share of solution node types shown, and of tasks with all shown."""

    label: str
    type_recall: float
    task_recall: float
    mean_shown: float
    tasks: list[TaskRecall]


class _NoLLM:
    """The recall measurement never asks the model."""

    async def complete(
        self, messages: Any, *, stage: str, grammar: str | None = None, sample: int = 0
    ) -> Any:
        raise BenchError("node recall does not call the LLM")


def solutions_dir(suite: Suite) -> Path:
    """Where a suite keeps its reference solutions (`cpu.json` -> `cpu_solutions/`)."""
    if suite.source is None:
        raise BenchError(f"suite {suite.name} has no file, so no reference solutions")
    return suite.source.parent / f"{suite.source.stem}_solutions"


async def node_recall(
    suite: Suite,
    inputs_dir: Path,
    *,
    catalog: Catalog,
    retriever: Retriever | None,
    nodes: NodeSearch | None,
    context: Context,
    label: str,
) -> NodeRecall:
    """Measure the psi1 prompt's node-type recall over every task that has a reference solution."""
    deps = Deps(llm=_NoLLM(), catalog=catalog, retriever=retriever, nodes=nodes)
    root = solutions_dir(suite)
    results: list[TaskRecall] = []
    for task in suite.tasks:
        solution = root / f"{task.id}.alang"
        if not solution.is_file():
            continue
        wanted = parse(solution.read_text(encoding="utf-8"), "declarative").node_types()
        state: State = {
            "task": task.instruction,
            "inputs": [str(inputs_dir / name) for name in task.inputs],
            "key_functions": [],
        }
        state.update(await retrieve(state, Runtime(context=context), deps=deps))  # type: ignore[typeddict-item]
        shown = set(shown_types(state, context, deps))
        missing = [name for name in dict.fromkeys(wanted) if name not in shown]
        results.append(
            TaskRecall(
                task_id=task.id, solution_types=list(dict.fromkeys(wanted)), missing=missing, shown=len(shown)
            )
        )
    if not results:
        raise BenchError(f"no reference solutions for suite {suite.name} in {root}")
    return _summary(label, results)


def _summary(label: str, results: Sequence[TaskRecall]) -> NodeRecall:
    wanted = sum(len(r.solution_types) for r in results)
    found = wanted - sum(len(r.missing) for r in results)
    return NodeRecall(
        label=label,
        type_recall=found / wanted if wanted else 1.0,
        task_recall=sum(1 for r in results if not r.missing) / len(results),
        mean_shown=sum(r.shown for r in results) / len(results),
        tasks=list(results),
    )
