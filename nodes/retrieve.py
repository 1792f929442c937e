"""retrieve: the top-k reference programs for the task, rendered in the run's syntax."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Example, State
from anysym.language.syntax import render

__all__ = ["retrieve"]


async def retrieve(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Find similar reference programs (none when there is no retriever or k is 0)."""
    context = runtime.context
    if deps.retriever is None or context.k <= 0:
        return {"examples": []}
    hits = await asyncio.to_thread(deps.retriever.retrieve, state["task"], context.k)
    examples = []
    for hit in hits:
        flow = hit.program.flow()
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
    return {"examples": examples}
