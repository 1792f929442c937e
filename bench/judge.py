"""Optional resolve judge: a vision-capable OpenAI-compatible chat model grades a run's images.

Only what a vision model can see is judged (images, and up to three frames of an animation). Audio and
mesh outputs are recorded as "not judged" with the reason, never silently counted.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from anysym.bench.records import JudgeVerdict, OutputFile
from anysym.bench.suites import Task

__all__ = ["JUDGE_PROMPT", "VLMJudge"]

JUDGE_PROMPT = """You grade the result of an automated image/video generation workflow.

Task given to the workflow:
{instruction}

The first {n_inputs} image(s) are the task's input files; the remaining {n_outputs} image(s) are what \
the workflow produced (frames of one animation are consecutive). Decide whether the produced output \
fulfils the task: the requested content, edit, size relation and style. Be strict: an output that \
ignores part of the task, is blank, or is only noise does not fulfil it.

Answer with one JSON object and nothing else: {{"resolved": true or false, "reason": "<one sentence>"}}"""

_VISIBLE = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
_MAX_SIDE = 512


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
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s))
        self.prompt = JUDGE_PROMPT

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def judge(self, task: Task, outputs: Sequence[OutputFile], inputs_dir: Path) -> JudgeVerdict:
        """Return the model's verdict, or an unjudged verdict saying why it could not be asked."""
        visible = [Path(o.path) for o in outputs if Path(o.path).suffix.lower() in _VISIBLE]
        if not visible:
            kinds = sorted({o.kind for o in outputs}) or ["no"]
            return JudgeVerdict(
                model=self.model, reason=f"not judged: {', '.join(kinds)} outputs are not images"
            )
        input_images = [inputs_dir / n for n in task.inputs if Path(n).suffix.lower() in _VISIBLE]
        input_urls = [url for path in input_images if path.is_file() for url in _data_urls(path)]
        output_urls = [url for path in visible for url in _data_urls(path)]
        text = self.prompt.format(
            instruction=task.instruction, n_inputs=len(input_urls), n_outputs=len(output_urls)
        )
        content: list[dict[str, Any]] = [{"type": "text", "text": text}]
        content += [{"type": "image_url", "image_url": {"url": url}} for url in input_urls + output_urls]
        body = {"model": self.model, "temperature": 0, "messages": [{"role": "user", "content": content}]}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = await self._client.post(
                f"{self.base_url}/chat/completions", json=body, headers=headers
            )
            response.raise_for_status()
            answer = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            return JudgeVerdict(model=self.model, reason=f"not judged: judge request failed ({exc})")
        return _verdict(str(answer), self.model)


def _verdict(answer: str, model: str) -> JudgeVerdict:
    match = re.search(r"\{.*\}", answer, flags=re.DOTALL)
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("resolved"), bool):
            return JudgeVerdict(
                resolved=data["resolved"], model=model, reason=str(data.get("reason", ""))[:300]
            )
    return JudgeVerdict(model=model, reason=f"not judged: unparseable answer {answer[:120]!r}")


def _data_urls(path: Path) -> list[str]:
    """PNG data URLs of an image, or of the first, middle and last frame of an animation."""
    with Image.open(path) as image:
        frames = int(getattr(image, "n_frames", 1))
        picks = sorted({0, frames // 2, frames - 1}) if frames > 1 else [0]
        urls = []
        for index in picks:
            image.seek(index)
            frame = image.convert("RGB")
            frame.thumbnail((_MAX_SIDE, _MAX_SIDE))
            buffer = io.BytesIO()
            frame.save(buffer, format="PNG")
            urls.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))
        return urls
