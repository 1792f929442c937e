"""LLM access: settings from the environment, the exact ChatOpenAI request, retries and usage."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import httpx2
import openai
import pytest
from langchain_core.language_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from anysym.errors import LLMError
from anysym.llm.chat import MAX_ANSWER_CHARS, Completion, LLMClient, is_transient, make_chat_model
from anysym.llm.settings import LLMSettings
from anysym.llm.usage import summarize_usage, token_usage

URL = "http://llm.invalid/v1"


def _reply(body: dict[str, Any], content: str = 'workflow.add_node("a", "X", {})') -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "c1",
            "object": "chat.completion",
            "created": 1,
            "model": body["model"],
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 17, "completion_tokens": 9, "total_tokens": 26},
        },
    )


class Recorder:
    """A MockTransport handler that keeps every request body and answers from a script."""

    def __init__(self, *statuses: int) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []
        self.statuses = list(statuses)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        self.headers.append(request.headers)
        status = self.statuses.pop(0) if self.statuses else 200
        if status == -1:
            raise httpx.ConnectError("connection refused", request=request)
        if status != 200:
            return httpx.Response(status, json={"error": {"message": f"status {status}"}})
        return _reply(body)


def _client(recorder: Recorder, settings: LLMSettings, retries: int = 3) -> tuple[LLMClient, list[float]]:
    model = make_chat_model(
        settings,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return LLMClient(model, max_retries=retries, backoff_s=0.5, sleep=sleep), waits


MESSAGES = [SystemMessage("you write programs"), HumanMessage("invert photo.png")]


async def test_request_pins_model_messages_sampling_limits_and_grammar() -> None:
    recorder = Recorder()
    settings = LLMSettings(base_url=URL, model="qwen2.5-coder-0.5b", seed=7, max_tokens=300)
    client, _ = _client(recorder, settings)
    completion = await client.complete(MESSAGES, stage="infer_components", grammar='root ::= "x"')
    assert recorder.bodies == [
        {
            "model": "qwen2.5-coder-0.5b",
            "messages": [
                {"role": "system", "content": "you write programs"},
                {"role": "user", "content": "invert photo.png"},
            ],
            "stream": False,
            "temperature": 0.0,
            "seed": 7,
            "max_completion_tokens": 300,
            "max_tokens": 300,
            "grammar": 'root ::= "x"',
        }
    ]
    assert recorder.headers[0]["authorization"] == "Bearer local"
    assert completion == Completion(
        text='workflow.add_node("a", "X", {})',
        input_tokens=17,
        output_tokens=9,
        seconds=completion.seconds,
        stage="infer_components",
        model="qwen2.5-coder-0.5b",
    )


async def test_no_grammar_key_without_grammar_and_real_key_is_sent() -> None:
    recorder = Recorder()
    client, _ = _client(recorder, LLMSettings(base_url=URL, model="m", api_key="sk-test"))
    await client.complete(MESSAGES, stage="refine")
    assert "grammar" not in recorder.bodies[0]
    assert recorder.bodies[0]["max_tokens"] == 1024
    assert recorder.headers[0]["authorization"] == "Bearer sk-test"


def test_openai_itself_gets_only_max_completion_tokens() -> None:
    model = make_chat_model(LLMSettings(base_url="https://api.openai.com/v1", model="gpt-4o-mini"))
    assert model.extra_body is None
    assert model.max_retries == 0


async def test_transport_errors_are_retried_with_exponential_backoff() -> None:
    recorder = Recorder(-1, 503, 429)
    client, waits = _client(recorder, LLMSettings(base_url=URL, model="m"))
    completion = await client.complete(MESSAGES, stage="refine")
    assert completion.output_tokens == 9
    assert len(recorder.bodies) == 4
    assert waits == [0.5, 1.0, 2.0]


async def test_retries_exhausted_raise_one_line_llm_error() -> None:
    recorder = Recorder(-1, -1, -1)
    client, waits = _client(recorder, LLMSettings(base_url=URL, model="m"), retries=2)
    with pytest.raises(LLMError) as caught:
        await client.complete(MESSAGES, stage="infer_topology")
    assert len(recorder.bodies) == 3
    assert waits == [0.5, 1.0]
    assert "\n" not in str(caught.value)
    assert "after 3 attempts" in str(caught.value)
    assert isinstance(caught.value.__cause__, openai.APIConnectionError)


@pytest.mark.parametrize("status", [400, 401, 404])
async def test_client_errors_fail_at_once(status: int) -> None:
    recorder = Recorder(status)
    client, waits = _client(recorder, LLMSettings(base_url=URL, model="m"))
    with pytest.raises(LLMError, match=f"HTTP {status}"):
        await client.complete(MESSAGES, stage="refine")
    assert len(recorder.bodies) == 1
    assert waits == []


COMPLETION_HEAD = b'{"id": "x", "object": "chat.completion", "created": 1, "model": "m", '


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html>bad gateway</html>", "text/html"),
        (b"<html>bad gateway</html>", "application/json"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (COMPLETION_HEAD + b'"choices": []}', "application/json"),
        (b'{"id": "x", "choices": null}', "application/json"),
        (COMPLETION_HEAD + b'"choices": [{"index": 0}]}', "application/json"),
    ],
)  # fmt: skip
async def test_a_200_that_is_not_a_chat_completion_is_retried_then_one_line(
    body: bytes, content_type: str
) -> None:
    calls: list[httpx.Request] = []

    def garbage(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    model = make_chat_model(
        LLMSettings(base_url=URL, model="m"),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(garbage)),
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = LLMClient(model, max_retries=2, backoff_s=0.5, sleep=sleep)
    with pytest.raises(LLMError) as caught:
        await client.complete(MESSAGES, stage="infer_components")
    assert len(calls) == 3 and waits == [0.5, 1.0]
    message = str(caught.value)
    assert "\n" not in message and "not a chat completion" in message and "infer_components" in message


async def test_a_request_beyond_its_deadline_is_retried_then_one_line() -> None:
    class Trickling(FakeListChatModel):
        async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(30)  # a body that never completes, however fast each byte comes

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = LLMClient(Trickling(responses=["x"]), max_retries=1, backoff_s=0.5, deadline_s=0.05, sleep=sleep)
    with pytest.raises(LLMError, match=r"did not finish the psi1 request within 0.05 s \(2 attempt"):
        await client.complete(MESSAGES, stage="psi1")
    assert waits == [0.5]


async def test_an_endless_answer_is_cut_to_the_answer_limit() -> None:
    client = LLMClient(FakeListChatModel(responses=["x = A()\n" * 100_000]))
    completion = await client.complete(MESSAGES, stage="psi1")
    assert len(completion.text) == MAX_ANSWER_CHARS


async def test_other_exceptions_are_bugs_and_propagate() -> None:
    class Broken(FakeListChatModel):
        async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
            raise KeyError("bug")

    with pytest.raises(KeyError):
        await LLMClient(Broken(responses=["x"])).complete(MESSAGES, stage="refine")


def test_transient_classification() -> None:
    request = httpx2.Request("POST", URL)  # openai 3.x builds its errors from httpx2 objects
    assert is_transient(openai.APITimeoutError(request=request))
    assert is_transient(httpx.ReadTimeout("slow", request=httpx.Request("POST", URL)))
    bad = openai.BadRequestError("bad", response=httpx2.Response(400, request=request), body=None)
    assert not is_transient(bad)


async def test_fake_chat_models_work_and_usage_falls_back_to_response_metadata() -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2}
    message = AIMessage("prog", response_metadata={"token_usage": usage})
    client = LLMClient(GenericFakeChatModel(messages=iter([message])))
    completion = await client.complete(MESSAGES, stage="refine", grammar='root ::= "prog"')
    assert (completion.text, completion.input_tokens, completion.output_tokens) == ("prog", 5, 2)
    assert completion.model == "GenericFakeChatModel"
    assert token_usage(AIMessage("x")) == (0, 0)


def test_summarize_usage_per_stage() -> None:
    records = [
        Completion(text="", input_tokens=10, output_tokens=4, seconds=2.0, stage="a", model="m"),
        Completion(text="", input_tokens=5, output_tokens=6, seconds=3.0, stage="b", model="m"),
        Completion(text="", input_tokens=1, output_tokens=4, seconds=2.0, stage="a", model="m"),
    ]
    totals = summarize_usage(records)
    assert list(totals) == ["a", "b"]
    assert (totals["a"].calls, totals["a"].input_tokens, totals["a"].output_tokens) == (2, 11, 8)
    assert totals["a"].output_tokens_per_s == 2.0


def test_settings_from_env_and_overrides() -> None:
    env = {"ANYSYM_LLM_BASE_URL": "http://h:1/v1", "ANYSYM_LLM_MODEL": "big", "OPENAI_API_KEY": "k"}
    settings = LLMSettings.from_env(env, model="flag-model", base_url=None, max_tokens=50)
    assert (settings.base_url, settings.model, settings.api_key) == ("http://h:1/v1", "flag-model", "k")
    assert settings.max_tokens == 50 and settings.is_configured
    default = LLMSettings.from_env({})
    assert (default.base_url, default.model, default.is_configured) == (None, "qwen2.5-coder-0.5b", False)
    with pytest.raises(TypeError, match="unknown LLM settings"):
        LLMSettings.from_env({}, modle="x")
    chosen = LLMSettings(api_key="k").overridden(model="qwen2.5-coder-1.5b", base_url=None)
    assert (chosen.model, chosen.base_url, chosen.api_key) == ("qwen2.5-coder-1.5b", None, "k")
    with pytest.raises(ValueError):
        LLMSettings(max_tokens=0)
