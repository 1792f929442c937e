"""The vision judge: an OpenAI-compatible chat model with image input grades a run against its task.

In the style of ComfyBench's judge: the instruction, the task's input images and the produced images
(or up to three frames of an animation) go into one chat message; the model answers with one JSON
object `{"passed": ..., "reason": ...}`. Only what a vision model can see is judged: when a run
produced nothing visible (audio, meshes, latents) the verdict is "not judged" and no request is made.

**Usage**

    judge = VisionJudge(JudgeConfig(base_url="http://localhost:8080/v1", model="qwen2.5-vl"))
    verdict = await judge.judge("Invert photo.png.", [Path("photo.png")], [Path("out.png")])
    await judge.aclose()
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from anysym.errors import JudgeError, MediaError
from anysym.verify.pictures import open_picture

__all__ = [
    "JUDGE_PROMPT",
    "MAX_SIDE",
    "VISIBLE_SUFFIXES",
    "JudgeConfig",
    "JudgeVerdict",
    "VisionJudge",
    "build_request",
    "data_urls",
    "is_visible",
    "parse_verdict",
    "reply_text",
]

JUDGE_PROMPT = """You grade the result of an automated image/video generation workflow.

Task given to the workflow:
{instruction}

The first {n_inputs} image(s) are the task's input files; the remaining {n_outputs} image(s) are what \
the workflow produced (frames of one animation are consecutive). Decide whether the produced output \
fulfils the task: the requested content, edit, size relation and style. Be strict: an output that \
ignores part of the task, is blank, or is only noise does not fulfil it.

Answer with one JSON object and nothing else: {{"passed": true or false, "reason": "<one sentence>"}}"""

VISIBLE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
"""File kinds a vision model is shown; everything else (audio, meshes, latents) is not visible."""
MAX_SIDE = 512
"""Longest side, in pixels, of every image sent (keeps requests small and models' context bounded)."""
_VERDICT_KEYS = ("passed", "resolved")  # "resolved" is what the bench's first prompt asked for
_MAX_REASON = 300
_BACKOFF_S = 0.5

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class JudgeConfig:
    """Where the judge lives and how much it is shown.

    Attributes:
        base_url: the OpenAI-compatible API root (the part before `/chat/completions`, e.g. `.../v1`).
        model: the vision model's name at that endpoint.
        api_key: sent as a bearer token when set.
        timeout_s: the limit of one request, its whole answer included.
        max_images: images per request, input images and output images/frames together.
        retries: extra attempts after a connection error or a 5xx answer (backoff doubles from 0.5 s).
    """

    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 120.0
    max_images: int = 8
    retries: int = 2

    def __post_init__(self) -> None:
        if self.max_images < 1:
            raise ValueError(f"max_images must be at least 1, not {self.max_images}")
        if self.retries < 0:
            raise ValueError(f"retries must not be negative, not {self.retries}")

    @property
    def url(self) -> str:
        """The chat-completions endpoint."""
        return f"{self.base_url.rstrip('/')}/chat/completions"


@dataclass(frozen=True)
class JudgeVerdict:
    """The judge's answer on one run.

    Attributes:
        passed: whether the outputs fulfil the task; None when not judged (nothing visible).
        reason: the model's one-sentence reason, or why nothing was judged.
    """

    passed: bool | None
    reason: str


class VisionJudge:
    """Ask a vision-language model whether a run's outputs fulfil its task."""

    def __init__(
        self, config: JudgeConfig, *, client: httpx.AsyncClient | None = None, sleep: Sleep = asyncio.sleep
    ) -> None:
        """Create a judge; an injected `client` stays the caller's to close, `sleep` paces retries."""
        self.config = config
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_s))
        self._sleep = sleep

    async def aclose(self) -> None:
        """Close the HTTP client if this judge created it."""
        if self._owns_client:
            await self._client.aclose()

    async def judge(self, task: str, inputs: Sequence[Path], outputs: Sequence[Path]) -> JudgeVerdict:
        """Return the model's verdict on `outputs` for `task`, shown after the visible `inputs`.

        Raises:
            JudgeError: the endpoint failed, or its reply held no verdict.
        """
        input_urls, output_urls = await asyncio.to_thread(
            _pick_images, inputs, outputs, self.config.max_images
        )
        if not output_urls:
            return JudgeVerdict(passed=None, reason="no visible output to judge")
        body = build_request(self.config.model, task, input_urls, output_urls)
        return parse_verdict(reply_text(await self._post(body)))

    async def _post(self, body: dict[str, Any]) -> httpx.Response:
        """POST with bounded retries on connection errors and 5xx; any failure becomes a JudgeError."""
        url, attempts, timeout_s = self.config.url, self.config.retries + 1, self.config.timeout_s
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        for attempt in range(1, attempts + 1):
            try:
                async with asyncio.timeout(timeout_s):  # the whole exchange: a trickled body too
                    response = await self._client.post(url, json=body, headers=headers, timeout=timeout_s)
            except TimeoutError as exc:
                raise JudgeError(
                    f"judge request failed: {url} did not finish its answer within {timeout_s:g}s; "
                    "check --judge-base-url or allow the judge more time"
                ) from exc
            except httpx.NetworkError as exc:
                if attempt < attempts:
                    await self._sleep(_BACKOFF_S * 2 ** (attempt - 1))
                    continue
                raise _transport_error(exc, url, attempts, timeout_s) from exc
            except httpx.HTTPError as exc:  # timeouts and protocol errors: retrying would not help
                raise _transport_error(exc, url, attempts, timeout_s) from exc
            except httpx.InvalidURL as exc:
                raise JudgeError(f"judge URL {url!r} is invalid ({exc}); check --judge-base-url") from exc
            if response.status_code >= 500 and attempt < attempts:
                await self._sleep(_BACKOFF_S * 2 ** (attempt - 1))
                continue
            _raise_for_status(response, attempts)
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")


def is_visible(path: Path) -> bool:
    """Whether a vision model can be shown this file (by suffix)."""
    return path.suffix.lower() in VISIBLE_SUFFIXES


def data_urls(path: Path) -> list[str]:
    """PNG data URLs (at most MAX_SIDE px a side) of an image, or of 3 frames spread over an animation.

    Raises:
        JudgeError: the file cannot be read as an image.
    """
    try:
        with open_picture(path) as image:
            frames = int(getattr(image, "n_frames", 1))
            picks = sorted({0, frames // 2, frames - 1})
            return [_frame_url(image, index) for index in picks]
    except MediaError as exc:
        raise JudgeError(f"{exc}; the judge is shown only images") from exc


def build_request(
    model: str, task: str, input_urls: Sequence[str], output_urls: Sequence[str]
) -> dict[str, Any]:
    """The chat-completions body: the prompt text, then the input images, then the output images."""
    text = JUDGE_PROMPT.format(instruction=task, n_inputs=len(input_urls), n_outputs=len(output_urls))
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    content += [{"type": "image_url", "image_url": {"url": url}} for url in [*input_urls, *output_urls]]
    return {"model": model, "temperature": 0, "messages": [{"role": "user", "content": content}]}


def reply_text(response: httpx.Response) -> str:
    """The assistant text of a chat-completions response.

    Raises:
        JudgeError: the body is not JSON or has no first choice with a message.
    """
    try:
        data = response.json()
    except ValueError as exc:
        raise JudgeError(
            f"judge reply from {response.request.url} is not JSON ({_snippet(response.text)}); "
            "check --judge-base-url points at an OpenAI-compatible API"
        ) from exc
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        raise JudgeError(
            f"judge reply has no choices ({_snippet(response.text)}); "
            "check --judge-model names a model the endpoint serves"
        )
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise JudgeError(
            f"judge reply has no message text ({_snippet(response.text)}); "
            "check --judge-model is a chat model"
        )
    return content


def parse_verdict(text: str) -> JudgeVerdict:
    """The first JSON object in `text` carrying a boolean `passed` (or the old `resolved`).

    Fenced blocks and prose around the object are tolerated.

    Raises:
        JudgeError: no such object is in the text.
    """
    for data in _json_objects(text):
        for key in _VERDICT_KEYS:
            passed = _as_bool(data.get(key))
            if passed is not None:
                reason = " ".join(str(data.get("reason", "")).split())
                return JudgeVerdict(passed=passed, reason=reason[:_MAX_REASON])
    raise JudgeError(
        f"judge reply holds no verdict (unparseable answer {_snippet(text)}); "
        'check --judge-model follows the instruction to answer {"passed": ..., "reason": ...}'
    )


def _pick_images(inputs: Sequence[Path], outputs: Sequence[Path], budget: int) -> tuple[list[str], list[str]]:
    """Data URLs of visible inputs and outputs within `budget`; contested, inputs get at most half."""
    input_urls = list(islice(_urls(p for p in inputs if is_visible(p) and p.is_file()), budget))
    output_urls = list(islice(_urls(p for p in outputs if is_visible(p)), budget))
    n_out = min(len(output_urls), budget - min(len(input_urls), budget // 2))
    n_in = min(len(input_urls), budget - n_out)
    return input_urls[:n_in], output_urls[:n_out]


def _urls(paths: Iterable[Path]) -> Iterator[str]:
    for path in paths:
        yield from data_urls(path)


def _frame_url(image: Image.Image, index: int) -> str:
    image.seek(index)
    frame = image.convert("RGB")
    frame.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _transport_error(exc: httpx.HTTPError, url: str, attempts: int, timeout_s: float) -> JudgeError:
    if isinstance(exc, httpx.TimeoutException):
        return JudgeError(
            f"judge request failed: no answer from {url} within {timeout_s:g}s; "
            "check --judge-base-url or allow the judge more time"
        )
    if isinstance(exc, httpx.NetworkError):
        return JudgeError(
            f"judge request failed: cannot reach {url} ({type(exc).__name__}) after {attempts} "
            "attempt(s); check --judge-base-url and that the judge server is running"
        )
    return JudgeError(f"judge request failed: {type(exc).__name__} for {url}; check --judge-base-url")


def _raise_for_status(response: httpx.Response, attempts: int) -> None:
    status, url = response.status_code, response.request.url
    if status < 400:
        return
    if status in (401, 403):
        hint = "check the judge API key"
    elif status == 404:
        hint = "check --judge-base-url (the API root, e.g. .../v1) and --judge-model"
    elif status >= 500:
        hint = f"the judge server failed {attempts} time(s); check its logs"
    else:
        hint = "check --judge-model accepts image input"
    raise JudgeError(f"judge request failed: HTTP {status} from {url} ({_snippet(response.text)}); {hint}")


def _json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every JSON object that starts at some `{` in `text`, in order."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            data, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            yield data
        start = text.find("{", start + 1)


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _snippet(text: str, limit: int = 120) -> str:
    """A one-line, bounded repr of a body or answer for error messages."""
    return repr(" ".join(text.split())[:limit])
