"""The ComfyUI executor of the graph: `run_prompt` on a `ComfyClient` (see `anysym.executor.job`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anysym.executor.client import ComfyClient
from anysym.executor.job import JobResult, run_prompt

__all__ = ["ComfyExecutor"]


class ComfyExecutor:
    """Runs API prompts on one ComfyUI server; 400s and runtime errors come back as diagnostics."""

    def __init__(self, client: ComfyClient) -> None:
        self.client = client

    async def run(
        self, prompt: Mapping[str, Any], *, inputs: Mapping[str, Path], out_dir: Path, timeout: float
    ) -> JobResult:
        """Upload `inputs`, queue `prompt`, wait at most `timeout` seconds, download the outputs."""
        return await run_prompt(self.client, dict(prompt), inputs=inputs, out_dir=out_dir, timeout=timeout)
