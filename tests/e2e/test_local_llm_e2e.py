"""End to end, fully offline: the whole graph with the REAL embedded local LLM and the REAL local ComfyUI.

Three model-free tasks. Every run must end in a well-formed `Result` (written to its run directory);
a task whose reference program is retrieved must execute and save the image its check describes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from anysym.graph.api import agenerate, generate
from anysym.graph.result import STAGES_REACHED, Result
from anysym.services.comfy.server import LocalComfy
from anysym.services.llm.server import LocalLLM
from anysym.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.integration]

START_TIMEOUT_S = 300.0
PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"


@dataclass(frozen=True)
class Case:
    task: str
    reference: str
    """The reference program that solves the task; when retrieved, the run must succeed."""
    check: Callable[[Image.Image, Image.Image], None]


def _inverted_256(output: Image.Image, photo: Image.Image) -> None:
    assert output.size == (256, 256)
    expected = ImageChops.invert(photo.convert("RGB").resize((256, 256), Image.Resampling.BILINEAR))
    difference = ImageStat.Stat(ImageChops.difference(output.convert("RGB"), expected)).mean
    assert max(difference) < 8, difference  # bilinear kernels differ slightly between PIL and torch


def _at_most_8_colours(output: Image.Image, photo: Image.Image) -> None:
    assert output.size == photo.size
    colours = output.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) <= 8, len(colours or [])


def _blurred(output: Image.Image, photo: Image.Image) -> None:
    assert output.size == photo.size
    edges = ImageStat.Stat(ImageChops.difference(output.convert("L"), photo.convert("L"))).mean[0]
    assert 0 < edges < 40, edges  # changed, but still the same picture


CASES = [
    Case("Invert the colors of photo.png and scale it to 256x256", "invert_and_resize", _inverted_256),
    Case("Reduce photo.png to at most 8 colours without dithering", "posterize_colors", _at_most_8_colours),
    Case("Blur photo.png with a Gaussian blur of radius 4 and sigma 2", "blur_image", _blurred),
]


@pytest.fixture(scope="module")
def paths() -> Iterator[Paths]:
    """The machine's anysym home with the local LLM and ComfyUI served (stopping only what it started).

    The engine would start them itself, but a server started by a throwaway manager object warns
    "subprocess still running" when that object is collected, which fails the test run.
    """
    paths = Paths.from_env(os.environ)
    llm, comfy = LocalLLM(paths), LocalComfy(paths)
    if not llm.runtime_installed or not llm.model_path.is_file():
        pytest.fail("the local LLM is not installed: run ./scripts/setup.sh (or `anysym llm install`)")
    if not comfy.is_installed:
        pytest.fail("the local ComfyUI is not installed: run ./scripts/setup.sh (or `anysym comfy install`)")
    llm_before, comfy_started = llm.running_pid(), not comfy.status().running
    llm.serve(timeout=START_TIMEOUT_S)  # restarts a server of another model (`--model`) with the default
    llm_started = llm.running_pid() != llm_before
    comfy.serve(timeout=START_TIMEOUT_S)
    try:
        yield paths
    finally:
        if comfy_started:
            comfy.stop()
        if llm_started:
            llm.stop()


def _well_formed(result: Result, run_dir: Path) -> None:
    assert result.status in ("succeeded", "failed"), result.error
    assert result.attempts, "every run compiles at least one attempt"
    assert [call.stage for call in result.llm_calls][:2] == ["psi1", "psi2"]
    assert all(call.input_tokens > 0 and call.output_tokens > 0 for call in result.llm_calls)
    assert result.stage in STAGES_REACHED
    assert result.timings.llm_s > 0 and result.timings.total_s >= result.timings.llm_s
    # k=3 programs at most; the example filter leaves out those doing another job (each task here has one
    # that does its job)
    assert 0 < len(result.examples) <= 3
    saved = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
    assert saved["status"] == result.status and len(saved["attempts"]) == len(result.attempts)
    if result.status == "failed":
        assert result.error and "\n" not in result.error
        assert result.attempts[-1].diagnostics, "a failed run says what went wrong"


@pytest.mark.parametrize("case", CASES, ids=[case.reference for case in CASES])
async def test_task_runs_offline_end_to_end(case: Case, paths: Paths, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    result = await agenerate(case.task, [PHOTO], paths=paths, run_dir=run_dir)
    _well_formed(result, run_dir)
    if case.reference not in result.examples:
        return  # a well-formed Result is all that is promised without the right reference program
    assert result.status == "succeeded", f"{result.error} (examples {result.examples})"
    assert result.stage == "outputs" and result.outputs
    output = result.outputs[0].path
    assert output.is_file() and output.is_relative_to(run_dir / "outputs")
    with Image.open(output) as image, Image.open(PHOTO) as photo:
        case.check(image, photo)


def test_generate_twice_in_one_process(paths: Paths, tmp_path: Path) -> None:
    """Each `generate` runs its own event loop: nothing may stay bound to the first one."""
    task = "Invert the colors of photo.png and scale it to 256x256"
    first = generate(task, [PHOTO], paths=paths, run_dir=tmp_path / "first")
    second = generate(task, [PHOTO], paths=paths, run_dir=tmp_path / "second")
    assert first.status == second.status == "succeeded"
    # Not the same text: greedy decoding on llama-server is not reproducible across requests (prompt-cache
    # reuse changes the numerics), and a first answer that fails verification is repaired by search.
    assert first.flow is not None and second.flow is not None
