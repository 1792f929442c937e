"""finalize: build the run's `Result` (`RunDir.record` writes it and the final flow files)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.assemble import assemble_result
from anysym.graph.context import Context
from anysym.graph.state import State

__all__ = ["finalize"]


async def finalize(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Summarise the run into `state["result"]`."""
    return {"result": assemble_result(state, runtime.context)}
