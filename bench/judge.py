"""Optional resolve judge of the benchmark: the bench's adapter over `anysym.verify.judge`.

Only what a vision model can see is judged (images, and up to three frames of an animation). Audio and
mesh outputs are recorded as "not judged" with the reason, never silently counted; so is a judge that
fails or answers without a verdict, so one bad judge call never stops a benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx

from anysym.bench.records import JudgeVerdict
from anysym.bench.suites import Task
from anysym.errors import JudgeError
from anysym.executor.outputs import OutputFile
from anysym.verify.judge import JUDGE_PROMPT, JudgeConfig, VisionJudge, is_visible

__all__ = ["JUDGE_PROMPT", "VLMJudge"]


class VLMJudge:
    """Ask a vision-language model whether a run's outputs fulfil its task."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str,
        api_key: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout_s: float = 120.0,
    ) -> None:
        # No retries: a benchmark records a failing judge as "not judged" and moves on.
        config = JudgeConfig(base_url=base_url, model=model, api_key=api_key, timeout_s=timeout_s, retries=0)
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.prompt = JUDGE_PROMPT
        self._judge = VisionJudge(config, client=client)

    async def aclose(self) -> None:
        """Close the HTTP client the judge created (an injected one stays the caller's)."""
        await self._judge.aclose()

    async def judge(self, task: Task, outputs: Sequence[OutputFile], inputs_dir: Path) -> JudgeVerdict:
        """Return the model's verdict, or an unjudged verdict saying why it could not be asked."""
        if not any(is_visible(Path(o.path)) for o in outputs):
            kinds: list[str] = sorted({o.kind for o in outputs}) or ["no"]
            return JudgeVerdict(
                model=self.model, reason=f"not judged: {', '.join(kinds)} outputs are not images"
            )
        try:
            verdict = await self._judge.judge(
                task.instruction, [inputs_dir / name for name in task.inputs], [Path(o.path) for o in outputs]
            )
        except JudgeError as exc:
            return JudgeVerdict(model=self.model, reason=f"not judged: {exc}")
        return JudgeVerdict(resolved=verdict.passed, model=self.model, reason=verdict.reason)
