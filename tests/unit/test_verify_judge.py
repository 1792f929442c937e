"""The vision judge against a scripted OpenAI-compatible endpoint (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from PIL import Image

from anysym.errors import JudgeError
from anysym.verify.judge import (
    JUDGE_PROMPT,
    JudgeConfig,
    JudgeVerdict,
    VisionJudge,
    build_request,
    parse_verdict,
)

TASK = "Invert the colours of photo.png."
CONFIG = JudgeConfig(base_url="http://judge/v1/", model="vlm-1", api_key="sk-test")
Handler = Callable[[httpx.Request], httpx.Response]


def _reply(content: str) -> httpx.Response:
    return httpx.Response(200, json={"choices": [{"message": {"role": "assistant", "content": content}}]})


def _recording(responses: list[httpx.Response], seen: list[httpx.Request]) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]

    return handle


def _judge(handler: Handler, config: JudgeConfig = CONFIG) -> tuple[VisionJudge, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return VisionJudge(config, client=client, sleep=sleep), sleeps


def _image(path: Path, size: tuple[int, int], colour: str = "red") -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def _animation(path: Path, frames: int) -> Path:
    images = [Image.new("RGB", (64, 48), (i * 20, 0, 0)) for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=100, loop=0)
    return path


def _decode(url: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(url[len(prefix) :])))
    assert image.format == "PNG"
    return image


def _image_urls(request: httpx.Request) -> list[str]:
    parts = json.loads(request.content)["messages"][0]["content"]
    return [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]


async def test_request_wire_format(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    judge, _ = _judge(_recording([_reply('{"passed": true, "reason": "inverted"}')], seen))
    photo = _image(tmp_path / "photo.png", (1024, 256), "blue")
    outputs = [_image(tmp_path / "a.png", (300, 900), "red"), _image(tmp_path / "b.jpg", (64, 64), "lime")]
    verdict = await judge.judge(TASK, [photo], outputs)
    await judge.aclose()
    assert verdict == JudgeVerdict(passed=True, reason="inverted")
    (request,) = seen
    assert request.method == "POST" and request.url.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body["model"] == "vlm-1" and body["temperature"] == 0
    (message,) = body["messages"]
    assert message["role"] == "user"
    parts = message["content"]
    assert parts[0] == {
        "type": "text",
        "text": JUDGE_PROMPT.format(instruction=TASK, n_inputs=1, n_outputs=2),
    }
    assert [p["type"] for p in parts[1:]] == ["image_url"] * 3
    images = [_decode(url) for url in _image_urls(request)]
    assert all(max(image.size) <= 512 for image in images)
    assert images[0].size == (512, 128) and images[1].height == 512 and images[2].size == (64, 64)
    assert abs(images[1].width - 512 / 3) <= 1  # the aspect ratio survives the downscale
    dominant = [max(range(3), key=image.convert("RGB").getpixel((0, 0)).__getitem__) for image in images]
    assert dominant == [2, 0, 1]  # blue input, then the red and the green (lossy JPEG) output


async def test_no_authorization_without_api_key(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    config = JudgeConfig(base_url="http://judge", model="m")
    judge, _ = _judge(_recording([_reply('{"passed": false, "reason": "no"}')], seen), config)
    await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    assert "authorization" not in seen[0].headers and seen[0].url.path == "/chat/completions"


async def test_animated_webp_input_becomes_three_frames(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    judge, _ = _judge(_recording([_reply('{"passed": true, "reason": "ok"}')], seen))
    clip = _animation(tmp_path / "clip.webp", frames=7)
    await judge.judge(TASK, [clip], [_image(tmp_path / "o.png", (8, 8))])
    urls = _image_urls(seen[0])
    assert len(urls) == 4
    reds = [_decode(url).convert("RGB").getpixel((0, 0))[0] for url in urls[:3]]
    assert reds == sorted(reds) and reds[0] < 10 and reds[-1] > 110  # first, middle, last frame
    assert "first 3 image(s)" in json.loads(seen[0].content)["messages"][0]["content"][0]["text"]


async def test_max_images_shares_the_budget(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    config = JudgeConfig(base_url="http://judge", model="m", max_images=4)
    judge, _ = _judge(_recording([_reply('{"passed": true, "reason": "ok"}')], seen), config)
    inputs = [_image(tmp_path / f"i{n}.png", (8, 8), "blue") for n in range(5)]
    outputs = [_image(tmp_path / f"o{n}.png", (8, 8), "red") for n in range(5)]
    await judge.judge(TASK, inputs, outputs)
    colours = [_decode(url).convert("RGB").getpixel((0, 0)) for url in _image_urls(seen[0])]
    assert colours == [(0, 0, 255)] * 2 + [(255, 0, 0)] * 2


async def test_audio_only_outputs_are_not_judged(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    judge, _ = _judge(_recording([_reply("unused")], seen))
    audio = tmp_path / "song.flac"
    audio.write_bytes(b"fLaC")
    verdict = await judge.judge(TASK, [_image(tmp_path / "i.png", (8, 8))], [audio])
    assert verdict == JudgeVerdict(passed=None, reason="no visible output to judge") and not seen


@pytest.mark.parametrize(
    ("answer", "passed", "reason"),
    [
        ('{"passed": true, "reason": "colours inverted"}', True, "colours inverted"),
        ('{"passed": false, "reason": "unchanged"}', False, "unchanged"),
        ('```json\n{\n  "passed": true,\n  "reason": "looks right"\n}\n```', True, "looks right"),
        ('Looking at it {closely}: {"passed": false, "reason": "blank"} is my verdict.', False, "blank"),
        ('{"resolved": true, "reason": "old key"}', True, "old key"),
    ],
)
def test_parse_verdict(answer: str, passed: bool, reason: str) -> None:
    assert parse_verdict(answer) == JudgeVerdict(passed=passed, reason=reason)


def test_build_request_orders_inputs_before_outputs() -> None:
    body = build_request("m", TASK, ["data:in"], ["data:o1", "data:o2"])
    urls = [p["image_url"]["url"] for p in body["messages"][0]["content"][1:]]
    assert urls == ["data:in", "data:o1", "data:o2"]


async def test_server_error_is_retried(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    responses = [httpx.Response(500, text="boom"), _reply('{"passed": true, "reason": "fine"}')]
    judge, sleeps = _judge(_recording(responses, seen))
    verdict = await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    assert verdict.passed is True and len(seen) == 2 and sleeps == [0.5]


def _assert_one_line(error: JudgeError, *words: str) -> None:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message
    assert all(word in message for word in words), message


async def test_persistent_server_error_gives_up_after_two_retries(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    judge, sleeps = _judge(_recording([httpx.Response(503, text="busy\nlater")], seen))
    with pytest.raises(JudgeError) as caught:
        await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    assert len(seen) == 3 and sleeps == [0.5, 1.0]
    _assert_one_line(caught.value, "HTTP 503", "logs")


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (httpx.Response(401, json={"error": "bad key"}), ("HTTP 401", "API key")),
        (httpx.Response(200, text="<html>not an API</html>"), ("not JSON", "--judge-base-url")),
        (httpx.Response(200, json={"choices": []}), ("no choices", "--judge-model")),
        (_reply("I think it is probably fine."), ("no verdict", "--judge-model")),
        (_reply('{"reason": "forgot the verdict"}'), ("no verdict",)),
    ],
)
async def test_failures_are_not_retried(
    tmp_path: Path, response: httpx.Response, words: tuple[str, ...]
) -> None:
    seen: list[httpx.Request] = []
    judge, sleeps = _judge(_recording([response], seen))
    with pytest.raises(JudgeError) as caught:
        await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    assert len(seen) == 1 and not sleeps
    _assert_one_line(caught.value, *words)


async def test_connection_refused(tmp_path: Path) -> None:
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    judge, sleeps = _judge(refuse)
    with pytest.raises(JudgeError) as caught:
        await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    assert len(calls) == 3 and sleeps == [0.5, 1.0]
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    _assert_one_line(caught.value, "cannot reach http://judge/v1/chat/completions", "--judge-base-url")


async def test_a_trickling_answer_ends_at_the_request_deadline(tmp_path: Path) -> None:
    """Each byte arrives well within httpx's per-read timeout; only the whole answer is too slow."""

    async def trickle() -> AsyncIterator[bytes]:
        for _ in range(200):
            await asyncio.sleep(0.02)
            yield b" "

    async def slow_body(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())

    config = replace(CONFIG, timeout_s=0.3)
    judge = VisionJudge(config, client=httpx.AsyncClient(transport=httpx.MockTransport(slow_body)))
    with pytest.raises(JudgeError) as caught:
        await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    _assert_one_line(caught.value, "did not finish its answer within 0.3s", "--judge-base-url")


async def test_timeout_is_not_retried(tmp_path: Path) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    judge, sleeps = _judge(slow)
    with pytest.raises(JudgeError) as caught:
        await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    assert not sleeps
    _assert_one_line(caught.value, "within 120s")


async def test_unreadable_output_image(tmp_path: Path) -> None:
    judge, _ = _judge(_recording([_reply("unused")], []))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(JudgeError) as caught:
        await judge.judge(TASK, [], [broken])
    _assert_one_line(caught.value, "broken.png")


async def test_own_client_is_closed_injected_one_is_not() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: _reply("")))
    await VisionJudge(CONFIG, client=client).aclose()
    assert not client.is_closed
    await client.aclose()
    own = VisionJudge(CONFIG)
    await own.aclose()
    assert own._client.is_closed


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        JudgeConfig(base_url="http://j", model="m", max_images=0)


async def test_invalid_base_url(tmp_path: Path) -> None:
    judge = VisionJudge(JudgeConfig(base_url="http://", model="m"))
    with pytest.raises(JudgeError) as caught:
        await judge.judge(TASK, [], [_image(tmp_path / "o.png", (8, 8))])
    await judge.aclose()
    _assert_one_line(caught.value, "--judge-base-url")
