"""finalize: build the `Result` and write result.json and the final flow files."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from anysym.graph.artifacts import RunDir
from anysym.graph.assemble import assemble_result
from anysym.graph.context import Context
from anysym.graph.state import State

__all__ = ["finalize"]


async def finalize(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Summarise the run into `state["result"]`."""
    result = assemble_result(state, runtime.context)
    if runtime.context.run_dir is not None:
        await asyncio.to_thread(RunDir(runtime.context.run_dir).write_result, result)
    return {"result": result}
