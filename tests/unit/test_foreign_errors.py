"""Every exception class httpx, openai, LangChain, websockets, sqlite3, PIL and json define ends in a typed
AnysymError at each boundary that meets it (ComfyUI, the LLM, the judge, checkpoints, pictures, programs).

In the spirit of httpx's own test that each transport exception is mapped: the classes are enumerated
from the installed libraries, so a new one in an upgrade fails here until it is mapped.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import httpx
import httpx2
import openai
import pytest
from langchain_core.exceptions import ModelError
from langchain_core.language_models import FakeListChatModel
from langchain_core.messages import HumanMessage
from websockets.datastructures import Headers
from websockets.exceptions import WebSocketException
from websockets.http11 import Response

from anysym.errors import AnysymError, CheckpointError, ComfyConnectionError, ComfyError, LLMError
from anysym.executor.client import ComfyClient
from anysym.executor.events import EventStream
from anysym.graph.runs import open_checkpointer
from anysym.llm.chat import LLMClient

URL = "http://comfy.test/system_stats"


def _subclasses(root: type[BaseException], package: str | None = None) -> list[type[BaseException]]:
    """`root` and every subclass defined in `package` (default: `root`'s own; openai's subclass httpx's)."""
    package = package or root.__module__.split(".")[0]
    return sorted({c for c in _tree(root) if c.__module__.split(".")[0] == package}, key=lambda c: c.__name__)


def _tree(root: type[BaseException]) -> list[type[BaseException]]:
    found = [root]
    for sub in root.__subclasses__():
        found += _tree(sub)
    return found


def _httpx_error(cls: type[BaseException]) -> BaseException:
    request = httpx.Request("GET", URL)
    if cls is httpx.HTTPStatusError:
        return cls("boom", request=request, response=httpx.Response(500, request=request))
    try:
        return cls("boom", request=request)  # type: ignore[call-arg]
    except TypeError:
        return cls("boom")


@pytest.mark.parametrize("cls", _subclasses(httpx.HTTPError), ids=lambda cls: cls.__name__)
async def test_every_httpx_error_from_comfyui_is_a_comfy_error(cls: type[BaseException]) -> None:
    error = _httpx_error(cls)

    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as http:
        with pytest.raises(ComfyError) as caught:
            await ComfyClient("http://comfy.test", http=http).system_stats()
    assert "\n" not in str(caught.value)


def _openai_error(cls: type[BaseException]) -> BaseException | None:
    request = httpx2.Request("POST", "http://llm.test/v1/chat/completions")
    attempts: list[dict[str, Any]] = [
        {"request": request},
        {"message": "boom", "response": httpx2.Response(500, request=request), "body": None},
        {"message": "boom", "request": request, "body": None},
        {},
    ]
    for kwargs in attempts:
        try:
            return cls(**kwargs)
        except TypeError:
            continue
    try:
        return cls("boom")
    except TypeError:
        return None  # needs arguments only the SDK itself builds (a completion object): raised by it alone


@pytest.mark.parametrize("cls", _subclasses(openai.OpenAIError), ids=lambda cls: cls.__name__)
async def test_every_openai_error_from_the_llm_is_an_llm_error(cls: type[BaseException]) -> None:
    error = _openai_error(cls)
    if error is None:
        pytest.skip(f"{cls.__name__} cannot be built outside the SDK")

    class Failing(FakeListChatModel):
        async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
            raise error

    async def no_wait(_: float) -> None:
        return None

    client = LLMClient(Failing(responses=["x"]), max_retries=1, sleep=no_wait)
    with pytest.raises(LLMError) as caught:
        await client.complete([HumanMessage("hi")], stage="psi1")
    assert isinstance(caught.value, AnysymError) and "\n" not in str(caught.value)


def _websocket_error(cls: type[BaseException]) -> BaseException | None:
    """An instance built the way websockets builds it, or None (its message needs a real response)."""
    response = Response(403, "Forbidden", Headers())
    guesses = ((), (None, None), (10, 5), ("boom",), ("boom", "boom"), (response,), ("Host", "bad", "x", 0))
    for args in guesses:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # deprecated signatures do not count
                error = cls(*args)
                str(error)
        except Exception:  # noqa: BLE001  a wrong guess at the signature
            continue
        return error
    return None


class _FailingSocket:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def recv(self) -> str | bytes:
        raise self.error

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> _FailingSocket:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize("cls", _subclasses(WebSocketException), ids=lambda cls: cls.__name__)
async def test_every_websockets_error_mid_run_is_a_closed_connection(cls: type[BaseException]) -> None:
    error = _websocket_error(cls)
    if error is None:
        pytest.skip(f"{cls.__name__} needs arguments only websockets builds")
    async with EventStream("ws://comfy.test/ws", lambda _url: _FailingSocket(error)) as stream:
        with pytest.raises(ComfyConnectionError) as caught:
            await stream.next(timeout=1.0)
    assert "\n" not in str(caught.value)


async def test_a_bug_behind_the_websocket_is_not_taken_for_a_closed_connection() -> None:
    """A closed socket falls back to /history polling; a programming error must surface instead."""
    async with EventStream("ws://comfy.test/ws", lambda _url: _FailingSocket(KeyError("x"))) as stream:
        with pytest.raises(KeyError):
            await stream.next(timeout=1.0)


@pytest.mark.parametrize("cls", _subclasses(sqlite3.Error), ids=lambda cls: cls.__name__)
async def test_every_sqlite3_error_of_a_run_is_a_checkpoint_error(
    cls: type[BaseException], tmp_path: Path
) -> None:
    run_dir = tmp_path / "run-1"
    with pytest.raises(CheckpointError) as caught:
        async with open_checkpointer(run_dir):
            raise cls("disk I/O error")  # as the saver raises it mid-run
    assert "\n" not in str(caught.value) and "run-1" in str(caught.value)
    assert "anysym rerun run-1" in str(caught.value)


def test_a_bug_inside_a_checkpointed_run_is_not_taken_for_a_checkpoint_error(tmp_path: Path) -> None:
    async def run() -> None:
        async with open_checkpointer(tmp_path / "run-2"):
            raise KeyError("a bug")

    with pytest.raises(KeyError):
        asyncio.run(run())


@pytest.mark.parametrize("cls", _subclasses(httpx.HTTPError), ids=lambda cls: cls.__name__)
async def test_every_httpx_error_from_the_judge_is_a_judge_error(
    cls: type[BaseException], tmp_path: Path
) -> None:
    from anysym.errors import JudgeError
    from anysym.verify.judge import JudgeConfig, VisionJudge

    error = _httpx_error(cls)

    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    async def no_wait(_: float) -> None:
        return None

    from PIL import Image

    picture = tmp_path / "out.png"
    Image.new("RGB", (8, 8)).save(picture)
    config = JudgeConfig(base_url="http://judge.test/v1", model="vlm", retries=1)
    client = httpx.AsyncClient(transport=httpx.MockTransport(fail))
    judge = VisionJudge(config, client=client, sleep=no_wait)
    try:
        with pytest.raises(JudgeError) as caught:
            await judge.judge("invert the picture", [], [picture])
    finally:
        await judge.aclose()
    assert "\n" not in str(caught.value)


def _pil_errors() -> list[type[BaseException]]:
    from PIL import Image

    Image.init()  # every format plugin, so their own error classes are defined too
    # PdfParser's error comes from writing PDFs: PIL cannot open a PDF as a picture.
    return [c for c in _subclasses(BaseException, package="PIL") if c.__name__ != "PdfFormatError"]


@pytest.mark.parametrize("cls", _pil_errors(), ids=lambda cls: cls.__name__)
def test_every_pil_error_reading_a_picture_is_a_media_error(
    cls: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    from anysym.errors import MediaError
    from anysym.verify.pictures import open_picture

    def broken(*args: object, **kwargs: object) -> Image.Image:
        raise cls("boom")

    monkeypatch.setattr(Image, "open", broken)
    with pytest.raises(MediaError) as caught, open_picture(tmp_path / "photo.png"):
        pass
    assert "\n" not in str(caught.value) and "photo.png" in str(caught.value)


def test_every_json_error_of_a_program_is_a_one_line_alang_error() -> None:
    from anysym.errors import ALangError
    from anysym.language.source_text import load_json

    classes = _subclasses(ValueError, package="json")
    assert classes == [json.JSONDecodeError]  # a new class in an upgrade must be mapped here first
    for text in ('{"a": ', "[" * 200_000 + "]" * 200_000):
        with pytest.raises(ALangError) as caught:
            load_json(text)
        assert "\n" not in caught.value.message


@pytest.mark.parametrize("cls", _subclasses(ModelError), ids=lambda cls: cls.__name__)
async def test_every_langchain_model_error_is_an_llm_error_retried_when_it_says_so(
    cls: type[ModelError],
) -> None:
    # Any chat model may be injected; LangChain's provider-neutral errors must end like openai's do.
    calls: list[int] = []

    class Failing(FakeListChatModel):
        async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            raise cls("boom")

    async def no_wait(_: float) -> None:
        return None

    client = LLMClient(Failing(responses=["x"]), max_retries=2, sleep=no_wait)
    with pytest.raises(LLMError) as caught:
        await client.complete([HumanMessage("hi")], stage="psi1")
    assert "\n" not in str(caught.value)
    assert len(calls) == (3 if cls.is_retryable else 1)
