"""Grammar support detection: known local server, probe once per endpoint, off when the probe fails."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from anysym.llm.probe import PROBE_ANSWER, GrammarProbe
from anysym.llm.settings import LLMSettings


def _server(answer: str | None, calls: list[dict[str, object]]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        if answer is None:
            return httpx.Response(400, json={"error": {"message": "unknown field grammar"}})
        choice = {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
        return httpx.Response(200, json={"choices": [choice]})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_grammar_honoured_is_detected_once_per_endpoint() -> None:
    calls: list[dict[str, object]] = []
    probe = GrammarProbe(http_client=_server(PROBE_ANSWER, calls))
    settings = LLMSettings(base_url="http://gpu:8000/v1", model="m")
    assert probe.supports(settings) and probe.supports(settings)
    assert len(calls) == 1
    assert PROBE_ANSWER in str(calls[0]["grammar"]) and calls[0]["model"] == "m"


def test_ignored_or_rejected_grammar_means_off() -> None:
    calls: list[dict[str, object]] = []
    assert not GrammarProbe(http_client=_server("hello", calls)).supports(LLMSettings(base_url="http://a/v1"))
    assert not GrammarProbe(http_client=_server(None, calls)).supports(LLMSettings(base_url="http://b/v1"))
    assert len(calls) == 2


def test_known_local_server_needs_no_probe_and_no_endpoint_means_off() -> None:
    calls: list[dict[str, object]] = []
    probe = GrammarProbe(known={"http://127.0.0.1:8765/v1/"}, http_client=_server("x", calls))
    assert probe.supports(LLMSettings(base_url="http://127.0.0.1:8765/v1"))
    assert not probe.supports(LLMSettings(base_url=None))
    assert calls == []


def test_unreachable_endpoint_means_off() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    probe = GrammarProbe(http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    assert not probe.supports(LLMSettings(base_url="http://down/v1"))


def test_an_endpoint_trickling_its_answer_counts_as_unsupported_at_the_deadline() -> None:
    """Each byte arrives within httpx's per-read timeout; only the whole exchange is too slow."""
    answer = json.dumps({"choices": [{"message": {"content": PROBE_ANSWER}}]}).encode()

    def trickle() -> Iterator[bytes]:
        for byte in answer:
            time.sleep(0.02)
            yield bytes([byte])

    def slow_body(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())

    probe = GrammarProbe(http_client=httpx.Client(transport=httpx.MockTransport(slow_body)))
    started = time.monotonic()
    assert not probe.supports(LLMSettings(base_url="http://slow/v1"), timeout_s=0.3)
    assert time.monotonic() - started < 1.5  # the whole answer would take over a second
