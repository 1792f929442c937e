"""The optional VLM judge, against a scripted OpenAI-compatible endpoint (httpx.MockTransport)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from anysym.bench.judge import VLMJudge
from anysym.bench.make_inputs import make_inputs
from anysym.bench.suites import Task
from anysym.executor.outputs import OutputFile

TASK = Task(id="inv", instruction="Invert photo.png.", inputs=["photo.png"])


def _endpoint(answer: str, seen: list[dict[str, Any]], status: int = 200) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(
            {
                "url": str(request.url),
                "auth": request.headers.get("authorization"),
                "body": json.loads(request.content),
            }
        )
        return httpx.Response(
            status, json={"choices": [{"message": {"role": "assistant", "content": answer}}]}
        )

    return httpx.MockTransport(handle)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    make_inputs(tmp_path)
    return tmp_path


async def test_verdict_prompt_and_images_are_sent(inputs: Path) -> None:
    seen: list[dict[str, Any]] = []
    client = httpx.AsyncClient(
        transport=_endpoint('Sure. {"resolved": true, "reason": "colours inverted"}', seen)
    )
    judge = VLMJudge(model="vlm-1", base_url="http://judge/v1/", api_key="k", client=client)
    verdict = await judge.judge(TASK, [OutputFile(path=str(inputs / "pattern.png"))], inputs)
    await judge.aclose()
    assert verdict.resolved is True and verdict.model == "vlm-1" and verdict.reason == "colours inverted"
    request = seen[0]
    assert request["url"] == "http://judge/v1/chat/completions" and request["auth"] == "Bearer k"
    assert request["body"]["model"] == "vlm-1" and request["body"]["temperature"] == 0
    parts = request["body"]["messages"][0]["content"]
    assert "Invert photo.png." in parts[0]["text"]
    images = [p for p in parts if p["type"] == "image_url"]
    assert len(images) == 2 and images[0]["image_url"]["url"].startswith("data:image/png;base64,")


async def test_negative_and_unparseable_answers(inputs: Path) -> None:
    output = [OutputFile(path=str(inputs / "photo.png"))]
    no = VLMJudge(
        model="m",
        base_url="http://j",
        client=httpx.AsyncClient(transport=_endpoint('{"resolved": false, "reason": "unchanged"}', [])),
    )
    assert (await no.judge(TASK, output, inputs)).resolved is False
    await no.aclose()
    vague = VLMJudge(
        model="m", base_url="http://j", client=httpx.AsyncClient(transport=_endpoint("maybe", []))
    )
    verdict = await vague.judge(TASK, output, inputs)
    await vague.aclose()
    assert verdict.resolved is None and "unparseable" in verdict.reason


async def test_failures_and_invisible_outputs_are_not_judged(inputs: Path, tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []
    broken = VLMJudge(
        model="m", base_url="http://j", client=httpx.AsyncClient(transport=_endpoint("", seen, 500))
    )
    verdict = await broken.judge(TASK, [OutputFile(path=str(inputs / "photo.png"))], inputs)
    assert verdict.resolved is None and "request failed" in verdict.reason
    mesh = tmp_path / "m.glb"
    mesh.write_bytes(b"glTF")
    verdict = await broken.judge(TASK, [OutputFile(path=str(mesh), kind="mesh")], inputs)
    await broken.aclose()
    assert verdict.resolved is None and "mesh outputs are not images" in verdict.reason and len(seen) == 1
