"""`build_graph(deps)`: the state machine retrieve -> psi1 -> psi2 -> compile -> execute -> verify -> refine.

```
START -> retrieve -> (infer_components -> infer_topology | infer_flow) -> compile
compile -> review (interrupt) -> execute | compile      compile -> execute | search | refine | finalize
execute -> verify | search | refine | finalize      verify -> search | refine | finalize
search -> compile | refine | finalize      refine -> compile
finalize -> END
```
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import RetryPolicy

from anysym.errors import ComfyConnectionError
from anysym.graph.artifacts import RunDir
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.routes import (
    route_after_compile,
    route_after_components,
    route_after_execute,
    route_after_refine,
    route_after_review,
    route_after_search,
    route_after_verify,
    route_inference,
)
from anysym.graph.state import InputState, State
from anysym.nodes.compile import compile_flow
from anysym.nodes.execute import execute
from anysym.nodes.finalize import finalize
from anysym.nodes.infer_components import infer_components
from anysym.nodes.infer_flow import infer_flow
from anysym.nodes.infer_topology import infer_topology
from anysym.nodes.refine import refine
from anysym.nodes.retrieve import retrieve
from anysym.nodes.review import review
from anysym.nodes.search import search
from anysym.nodes.verify import verify

__all__ = ["GRAPH_NAME", "build_graph", "compile_graph", "recursion_limit", "run_config"]

GRAPH_NAME = "anysym"
"""The name of the compiled graph (LangGraph Studio, traces)."""


class _Node(Protocol):
    def __call__(self, state: State, *, runtime: Runtime[Context]) -> Awaitable[dict[str, Any]]: ...


_EXECUTE_RETRY = RetryPolicy(max_attempts=3, initial_interval=1.0, retry_on=ComfyConnectionError)


def build_graph(deps: Deps) -> StateGraph[State, Context, InputState, State]:
    """Return the uncompiled graph builder; compile it yourself or embed it as a subgraph."""
    builder = StateGraph(State, context_schema=Context, input_schema=InputState, output_schema=State)
    builder.add_node("retrieve", _instrument("retrieve", retrieve, deps))
    builder.add_node("infer_components", _instrument("infer_components", infer_components, deps))
    builder.add_node("infer_topology", _instrument("infer_topology", infer_topology, deps))
    builder.add_node("infer_flow", _instrument("infer_flow", infer_flow, deps))
    builder.add_node("compile", _instrument("compile", compile_flow, deps))
    builder.add_node("review", _instrument("review", review))
    builder.add_node("execute", _instrument("execute", execute, deps), retry_policy=_EXECUTE_RETRY)
    builder.add_node("verify", _instrument("verify", verify, deps))
    builder.add_node("search", _instrument("search", search, deps))
    builder.add_node("refine", _instrument("refine", refine, deps))
    builder.add_node("finalize", _instrument("finalize", finalize))
    builder.add_edge(START, "retrieve")
    builder.add_conditional_edges("retrieve", route_inference)
    builder.add_conditional_edges("infer_components", route_after_components)
    builder.add_edge("infer_topology", "compile")
    builder.add_edge("infer_flow", "compile")
    builder.add_conditional_edges("compile", route_after_compile)
    builder.add_conditional_edges("review", route_after_review)
    builder.add_conditional_edges("execute", route_after_execute)
    builder.add_conditional_edges("verify", route_after_verify)
    builder.add_conditional_edges("search", route_after_search)
    builder.add_conditional_edges("refine", route_after_refine)
    builder.add_edge("finalize", END)
    return builder


def compile_graph(
    deps: Deps, *, checkpointer: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[State, Context, InputState, State]:
    """Build and compile the graph (a checkpointer is needed for review interrupts and resume)."""
    return build_graph(deps).compile(checkpointer=checkpointer, name=GRAPH_NAME)


def _instrument(name: str, node: Callable[..., Awaitable[dict[str, Any]]], deps: Deps | None = None) -> _Node:
    async def run(state: State, *, runtime: Runtime[Context]) -> dict[str, Any]:
        log = structlog.get_logger("anysym.graph").bind(node=name)
        log.debug("node_started")
        started = time.perf_counter()
        update = await (node(state, runtime, deps=deps) if deps is not None else node(state, runtime))
        if runtime.context.run_dir is not None:
            await asyncio.to_thread(RunDir(runtime.context.run_dir).record, update)
        seconds = time.perf_counter() - started
        log.info("node_finished", seconds=round(seconds, 3), **_summary(update))
        return {**update, "node_s": seconds}

    run.__name__ = name
    run.__qualname__ = name
    return run


def _summary(update: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for attempt in update.get("attempts", []):
        summary.update(
            attempt=attempt.index,
            stage=attempt.stage,
            reached=attempt.stage_reached,
            failed=attempt.failed_stage,
        )
        summary["diagnostics"] = [d.render() for d in attempt.diagnostics if d.is_error][:3]
    for call in update.get("llm_calls", []):
        summary.update(input_tokens=call.input_tokens, output_tokens=call.output_tokens)
    if "examples" in update:
        summary["examples"] = [e.id for e in update["examples"]]
    if update.get("suggested_types"):
        summary["suggested_types"] = update["suggested_types"]
    return summary


_STEPS_PER_ROUND = 12
"""Graph steps of one inference round without search (refine or psi1, psi2, compile, execute, verify...)."""
_STEPS_PER_EDIT = 4
"""Graph steps of one local edit: search, compile, execute, verify."""


def recursion_limit(context: Context) -> int:
    """LangGraph's step limit for a run: above what the budgets allow, so it is a backstop only.

    Every round (the first answer and each refine) may be followed by `search_budget` local edits: a
    fixed limit of 60 cut a 1.5B run of `before_after` off with a GraphRecursionError and no result.
    """
    rounds = context.max_refinements + 1
    return 20 + rounds * (_STEPS_PER_ROUND + _STEPS_PER_EDIT * (context.search_budget + 1))


def run_config(run_id: str, context: Context) -> RunnableConfig:
    """The LangGraph config of one run: its checkpoint thread, its step limit, and its id in traces."""
    return {
        "configurable": {"thread_id": run_id},
        "recursion_limit": recursion_limit(context),
        "metadata": {"anysym_run_id": run_id},
    }
