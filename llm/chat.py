"""The chat model: a `ChatOpenAI` factory and `LLMClient`, which retries transport errors and records usage.

```
model = make_chat_model(LLMSettings(base_url="http://127.0.0.1:8765/v1"))
client = LLMClient(model, max_retries=3, backoff_s=1.0)
completion = await client.complete(messages, stage="infer_components", grammar=gbnf)
```
`LLMClient` works with any LangChain `BaseChatModel`, so tests inject scripted fakes. Transport problems
(connection refused/reset, timeouts, HTTP 429 and 5xx, LangChain's `ModelError`s that say they are
retryable) and an OpenAI endpoint's HTTP 200 that is not a chat completion are retried; a 400 or an
auth error is the caller's fault and fails at once. Either way the caller sees one `LLMError` with a
one-line message; any other exception is a bug and propagates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import httpx
import openai
from langchain_core.exceptions import ModelError
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from anysym.errors import LLMError
from anysym.llm.settings import LLMSettings
from anysym.llm.usage import token_usage

__all__ = [
    "LOCAL_API_KEY",
    "SAMPLE_TEMPERATURE",
    "Completion",
    "LLMClient",
    "is_transient",
    "make_chat_model",
]

SAMPLE_TEMPERATURE = 0.8
"""Temperature of an alternative answer (`complete(..., sample=n)`, n > 0): varied enough that a small
model leaves the program it copied, yet still mostly well-formed."""
MAX_ANSWER_CHARS = 100_000
"""Longest answer kept (about 25,000 tokens, far beyond any program): an endpoint that ignores
`max_tokens` once sent 5 MB, which every later prompt and the run directory then carried."""
LOCAL_API_KEY = "local"
"""Sent to keyless servers: the OpenAI client refuses to start without some key."""
_OPENAI_HOSTS = ("api.openai.com",)

Sleep = Callable[[float], Awaitable[None]]

MALFORMED_ANSWER_ERRORS = (ValueError, LookupError, TypeError, AttributeError)
"""What the OpenAI client and LangChain raise on an HTTP 200 whose body is not a chat completion
(measured: JSONDecodeError and ValueError for non-JSON or a JSON list, IndexError for `"choices": []`,
TypeError for `"choices": null`, AttributeError for a choice without a message)."""


def make_chat_model(
    settings: LLMSettings,
    *,
    http_client: httpx.Client | None = None,
    http_async_client: httpx.AsyncClient | None = None,
) -> ChatOpenAI:
    """Build the `ChatOpenAI` for `settings` (no retries inside: `LLMClient` retries).

    Some OpenAI-compatible servers (llama-cpp-python's) ignore `max_completion_tokens` (what ChatOpenAI
    sends for `max_tokens`), so non-OpenAI endpoints also get `max_tokens` in the request body. openai
    3.x talks through `httpx2`; pass real `httpx` clients (e.g. with a `MockTransport`) to intercept
    requests in tests.
    """
    extra_body = None if _is_openai(settings.base_url) else {"max_tokens": settings.max_tokens}
    return ChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        api_key=SecretStr(settings.api_key or LOCAL_API_KEY),
        temperature=settings.temperature,
        seed=settings.seed,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout_s,
        max_retries=0,
        extra_body=extra_body,
        http_client=http_client,
        http_async_client=http_async_client,
    )


def _is_openai(base_url: str | None) -> bool:
    return base_url is None or (urlparse(base_url).hostname or "") in _OPENAI_HOSTS


@dataclass(frozen=True, kw_only=True)
class Completion:
    """One answer of the chat model with what it cost."""

    text: str
    input_tokens: int
    output_tokens: int
    seconds: float
    stage: str
    model: str


def is_transient(error: BaseException) -> bool:
    """Whether `error` is a transport failure worth retrying (connection, timeout, 429, 5xx)."""
    if isinstance(error, openai.APIConnectionError | openai.RateLimitError | openai.InternalServerError):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    if isinstance(error, ModelError):  # LangChain's provider-neutral errors say it themselves
        return error.is_retryable
    return isinstance(error, httpx.TransportError)


class LLMClient:
    """Calls a chat model with bounded retries on transport errors and returns `Completion`s.

    **Usage**: `await LLMClient(model, max_retries=3, backoff_s=1.0).complete(messages, stage="refine")`.
    The n-th retry waits `backoff_s * 2**(n-1)` seconds through the injected `sleep`.
    """

    def __init__(
        self,
        model: BaseChatModel,
        *,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        deadline_s: float | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_retries < 0 or backoff_s < 0 or (deadline_s is not None and deadline_s <= 0):
            raise ValueError("max_retries and backoff_s must be >= 0, deadline_s > 0")
        self.model = model
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.deadline_s = deadline_s
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings: LLMSettings, **model_options: Any) -> LLMClient:
        """Build the client and its `ChatOpenAI` from settings (`model_options` go to the factory)."""
        return cls(
            make_chat_model(settings, **model_options),
            max_retries=settings.max_retries,
            backoff_s=settings.backoff_s,
            deadline_s=settings.timeout_s,
        )

    @property
    def model_name(self) -> str:
        """The model name the wrapped chat model sends (its class name for fakes)."""
        return str(getattr(self.model, "model_name", None) or type(self.model).__name__)

    async def complete(
        self, messages: Sequence[BaseMessage], *, stage: str, grammar: str | None = None, sample: int = 0
    ) -> Completion:
        """Return the model's answer to `messages`; `grammar` (GBNF) constrains decoding.

        The grammar travels as `extra_body={"grammar": ...}` (a llama.cpp server extension),
        merged with the model's own `extra_body`. `sample=0` decodes with the configured settings;
        `sample=n > 0` asks for the n-th alternative answer, drawn at `SAMPLE_TEMPERATURE` with seed n
        (reproducible, and a server that caches prompts reads the shared prompt only once).
        Raises `LLMError` when the call keeps failing.
        """
        kwargs: dict[str, Any] = {"temperature": SAMPLE_TEMPERATURE, "seed": sample} if sample > 0 else {}
        if grammar is not None:
            own = getattr(self.model, "extra_body", None) or {}
            kwargs["extra_body"] = {**own, "grammar": grammar}
        attempt = 0
        while True:
            started = time.perf_counter()
            failure: Exception
            try:
                async with asyncio.timeout(self.deadline_s):
                    answer = await self.model.ainvoke(list(messages), **kwargs)
            except (openai.OpenAIError, httpx.HTTPError, ModelError) as exc:
                if not is_transient(exc):
                    raise LLMError(_describe(exc, stage, self.model_name, attempt + 1, final=True)) from exc
                failure, message = exc, _describe(exc, stage, self.model_name, attempt + 1, final=False)
            except TimeoutError as exc:
                # the whole request, not one read: a server trickling its body never trips a read timeout
                failure = exc
                message = (
                    f"the LLM endpoint did not finish the {stage} request within {self.deadline_s:g} s "
                    f"({attempt + 1} attempt(s)); a slow CPU needs a longer --llm-timeout"
                )
            except MALFORMED_ANSWER_ERRORS as exc:
                # A 200 whose body is not a chat completion (an HTML error page, `"choices": []`) surfaces
                # from the OpenAI client's parsing as one of these; from any other model they are bugs.
                if not isinstance(self.model, ChatOpenAI):
                    raise
                failure, message = exc, _malformed(exc, stage, self.model_name, attempt + 1)
            else:
                input_tokens, output_tokens = token_usage(answer)
                return Completion(
                    text=_text(answer.content)[:MAX_ANSWER_CHARS],
                    input_tokens=input_tokens,
                    output_tokens=output_tokens,
                    seconds=time.perf_counter() - started,
                    stage=stage,
                    model=str(answer.response_metadata.get("model_name") or self.model_name),
                )
            if attempt >= self.max_retries:
                raise LLMError(message) from failure
            await self._sleep(self.backoff_s * 2**attempt)
            attempt += 1


def _text(content: str | list[str | dict[str, Any]]) -> str:
    if isinstance(content, str):
        return content
    parts = [p if isinstance(p, str) else str(p.get("text", "")) for p in content]
    return "".join(parts)


def _malformed(error: Exception, stage: str, model: str, attempts: int) -> str:
    detail = " ".join(str(error).split())[:160] or type(error).__name__
    return (
        f"the LLM endpoint answered the {stage} request for model {model!r} {attempts} times with something "
        f"that is not a chat completion ({type(error).__name__}: {detail}); check that the base URL is an "
        "OpenAI-compatible /v1 endpoint"
    )


def _describe(error: Exception, stage: str, model: str, attempts: int, *, final: bool) -> str:
    detail = " ".join(str(error).split())[:240] or type(error).__name__
    if isinstance(error, openai.APIStatusError):
        what = f"HTTP {error.status_code}: {detail}"
    else:
        what = f"{type(error).__name__}: {detail}"
    if final:
        hint = "check the model name, API key and request options"
        return f"the LLM endpoint rejected the {stage} request for model {model!r} ({what}); {hint}"
    return (
        f"the LLM endpoint failed for the {stage} request after {attempts} attempts ({what}); "
        "check that the server is up (`anysym llm status`) or set ANYSYM_LLM_BASE_URL"
    )
