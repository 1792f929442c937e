"""retrieve: the top-k reference programs for the task, and node types for each of its steps."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps, NodeSearch
from anysym.graph.state import Example, State
from anysym.language.catalog import Catalog, InputSpec
from anysym.language.defaults import default_for
from anysym.language.flow import Flow, ParamValue
from anysym.language.io_nodes import working_types
from anysym.language.syntax import render
from anysym.language.validate_values import is_file_input
from anysym.task.facts import retrieval_query, task_steps
from anysym.verify.flow_walk import file_inputs

__all__ = ["hide_values", "loads_files", "off_task", "rerank", "retrieve", "search_steps", "suggest_types"]

_CANDIDATES = 3
"""Programs fetched per wanted example when reranking by node evidence."""
_SIMILARITY_WEIGHT = 1.0
"""How much the whole-task similarity (cosine, ~0.2-0.7) counts beside the node evidence (0-~2)."""


async def retrieve(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Find similar reference programs and, per task step, node types (none without a retriever)."""
    context = runtime.context
    steps: list[list[str]] = []
    if deps.nodes is not None and context.node_k > 0:
        steps = await asyncio.to_thread(search_steps, deps.nodes, state["task"], context.node_k)
    suggested = suggest_types(steps)
    found = {"suggested_types": suggested, "step_types": steps}
    if deps.retriever is None or context.k <= 0:
        return {"examples": [], "aside_types": [], **found}
    choosing = (bool(suggested) and (context.rerank_examples or context.filter_examples)) or (
        context.match_example_inputs
    )
    wanted = context.k * _CANDIDATES if choosing else context.k
    hits = await asyncio.to_thread(deps.retriever.retrieve, retrieval_query(state["task"]), wanted)
    examples = []
    for hit in hits:
        flow = hit.program.flow()
        if context.match_example_inputs and loads_files(flow, deps.catalog) != bool(state["inputs"]):
            continue
        if not context.example_values:
            flow = hide_values(flow, deps.catalog)
        examples.append(
            Example(
                id=hit.program.id,
                title=hit.program.title,
                description=hit.program.description,
                text=render(flow, context.syntax),
                node_types=tuple(flow.node_types()),
                score=float(hit.score),
            )
        )
    aside: list[str] = []
    if suggested and context.filter_examples:
        dropped = [ex for ex in examples[: context.k] if off_task(ex, suggested, deps.catalog)]
        aside = list(dict.fromkeys(name for ex in dropped for name in ex.node_types))
        examples = [ex for ex in examples if not off_task(ex, suggested, deps.catalog)]
    if suggested and context.rerank_examples:
        examples = rerank(examples, suggested)
    examples = examples[: context.k]
    return {"examples": examples, "aside_types": aside, **found}


def loads_files(flow: Flow, catalog: Catalog) -> bool:
    """Whether a program loads an input file.

    A program that loads none cannot do the job of a task given files ("give me the negative of
    portrait.png" retrieved the plain-canvas program first, and the 0.5B wrote EmptyImage), and one that
    loads files misleads a task that has none ("a plain red picture" became a threshold of photo.png).
    """
    return any(True for _ in file_inputs(flow, catalog))


def off_task(example: Example, suggested: Sequence[str], catalog: Catalog) -> bool:
    """Whether most of a program's working node types were found by no node search of the task.

    Whole-task similarity put the threshold-mask program first for "invert the colours" and the
    model-upscaling one first for "sharpen": the small model then copies a program that does another
    job. A program doing part of the job (invert and resize, for "invert") keeps at least half of
    its working types among the found ones and stays.
    """
    working = working_types(example.node_types, catalog)
    return 2 * len(working - set(suggested)) > len(working)


def rerank(examples: list[Example], suggested: list[str]) -> list[Example]:
    """Order programs by how many of the task steps' node types they use, then by similarity.

    Whole-task similarity alone put the texture-upscaling program first for "sharpen texture.png" and
    a blur program first for "blend two photos evenly"; the small model then copied it. A program that
    contains the node each step's search found first does the job's parts. Each suggested type counts
    1/(1 + its rank); a type every program has (SaveImage for "save it") adds the same to each.
    """
    weight = {name: 1.0 / (1 + rank) for rank, name in enumerate(suggested)}

    def evidence(example: Example) -> float:
        return sum(weight.get(name, 0.0) for name in set(example.node_types))

    return sorted(examples, key=lambda ex: -round(evidence(ex) + _SIMILARITY_WEIGHT * ex.score, 6))


def hide_values(flow: Flow, catalog: Catalog) -> Flow:
    """`flow` with every literal reset to its input's default (model and input file names kept).

    The ablation of copied values: an example then shows which functions and links do the job, and the
    values can only come from the task and the signatures.
    """
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        if spec is None:
            continue
        params = {name: _hidden(spec.inputs.get(name), value) for name, value in function.params.items()}
        flow = flow.with_params(function_id, params)
    return flow


def _hidden(spec: InputSpec | None, value: ParamValue) -> ParamValue:
    if spec is None or spec.is_model_file or is_file_input(spec):
        return value
    known, default = default_for(spec)
    return default if known else value


def search_steps(nodes: NodeSearch, task: str, k: int) -> list[list[str]]:
    """The node types found for the whole task, then for each of its steps, best first (k each).

    The whole task is searched as well as each step: a step split in the wrong place still has the
    task's own best matches.
    """
    queries = list(dict.fromkeys([task, *task_steps(task)]))
    return [[hit.name for hit in nodes.retrieve_nodes(query, k)] for query in queries]


def suggest_types(ranked: Sequence[Sequence[str]]) -> list[str]:
    """The types `search_steps` found as one list: each search's best hit first, then the rest by rank."""
    deepest = max((len(names) for names in ranked), default=0)
    by_rank = [names[rank] for rank in range(deepest) for names in ranked if rank < len(names)]
    return list(dict.fromkeys(by_rank))
