"""Output checks: reference pipelines recomputed from the inputs decide pass or fail."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from anysym.bench.checks import run_checks
from anysym.bench.checkspec import ImageCheck, LatentCheck
from anysym.bench.make_inputs import INPUT_FILES, make_inputs
from anysym.bench.suites import Task


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("inputs")
    make_inputs(directory)
    return directory


def _check(spec: dict[str, object]) -> ImageCheck:
    return ImageCheck.model_validate(spec)


def _save(array: np.ndarray, path: Path) -> Path:
    Image.fromarray(array.astype(np.uint8)).save(path)
    return path


def test_make_inputs_is_deterministic(tmp_path: Path, inputs: Path) -> None:
    make_inputs(tmp_path)
    for name in INPUT_FILES:
        assert (tmp_path / name).read_bytes() == (inputs / name).read_bytes()
    with Image.open(inputs / "logo.png") as logo:
        assert logo.mode == "RGBA"


def test_invert_match_passes_for_inverted_and_fails_for_original(tmp_path: Path, inputs: Path) -> None:
    photo = np.asarray(Image.open(inputs / "photo.png"))
    check = _check(
        {
            "width": 256,
            "height": 192,
            "compare": {"op": "match", "expect": [{"op": "load", "input": "photo.png"}, {"op": "invert"}]},
        }
    )
    good = _save(255 - photo, tmp_path / "good.png")
    assert run_checks([check], [good], inputs).passed
    outcome = run_checks([check], [inputs / "photo.png"], inputs)
    assert not outcome.passed and "mean abs error" in outcome.details[0]


def test_size_and_mode_are_checked(tmp_path: Path, inputs: Path) -> None:
    small = _save(np.zeros((10, 20, 3)), tmp_path / "small.png")
    outcome = run_checks([_check({"width": 256, "height": 192, "mode": "RGBA"})], [small], inputs)
    assert not outcome.passed
    assert "width 20 != 256" in outcome.details[0] and "mode RGB != RGBA" in outcome.details[0]


def test_blur_and_sharpen_are_told_apart(tmp_path: Path, inputs: Path) -> None:
    texture = Image.open(inputs / "texture.png")
    blurred = texture.filter(ImageFilter.GaussianBlur(2)).save(tmp_path / "blur.png")
    sharpened = texture.filter(ImageFilter.UnsharpMask(2, 200, 0)).save(tmp_path / "sharp.png")
    assert blurred is None and sharpened is None
    expect = [{"op": "load", "input": "texture.png"}]
    blur_check = _check({"compare": {"op": "blurred", "expect": expect}})
    sharp_check = _check({"compare": {"op": "sharpened", "expect": expect}})
    assert run_checks([blur_check], [tmp_path / "blur.png"], inputs).passed
    assert not run_checks([blur_check], [tmp_path / "sharp.png"], inputs).passed
    assert run_checks([sharp_check], [tmp_path / "sharp.png"], inputs).passed
    assert not run_checks([sharp_check], [inputs / "texture.png"], inputs).passed


def test_blur_reference_matches_comfyui_kernel_definition(tmp_path: Path, inputs: Path) -> None:
    check = _check(
        {
            "compare": {
                "op": "match",
                "expect": [{"op": "load", "input": "photo.png"}, {"op": "blur", "radius": 4, "sigma": 2.0}],
                "max_mae": 2,
            }
        }
    )
    assert not run_checks([check], [inputs / "photo.png"], inputs).passed


def test_edges_check_accepts_an_edge_map_and_rejects_the_photo(tmp_path: Path, inputs: Path) -> None:
    photo = np.asarray(Image.open(inputs / "photo.png").convert("L"), dtype=np.float32)
    grad = np.hypot(*np.gradient(photo))
    edges = np.where(grad > 20, 255, 0)
    edge_map = _save(np.repeat(edges[:, :, None], 3, axis=2), tmp_path / "edges.png")
    check = _check({"compare": {"op": "edges", "expect": [{"op": "load", "input": "photo.png"}]}})
    assert run_checks([check], [edge_map], inputs).passed
    assert not run_checks([check], [inputs / "photo.png"], inputs).passed


def test_checks_are_assigned_to_distinct_outputs_in_any_order(tmp_path: Path, inputs: Path) -> None:
    photo = np.asarray(Image.open(inputs / "photo.png"))
    pattern = np.asarray(Image.open(inputs / "pattern.png"))
    a = _save(255 - pattern, tmp_path / "a.png")
    b = _save(255 - photo, tmp_path / "b.png")
    checks = [
        _check({"compare": {"op": "match", "expect": [{"op": "load", "input": name}, {"op": "invert"}]}})
        for name in ("photo.png", "pattern.png")
    ]
    assert run_checks(checks, [a, b], inputs).passed
    assert not run_checks(checks, [b], inputs).passed
    assert not run_checks(checks, [b, b], inputs).passed


def test_frames_of_an_animation_are_counted(tmp_path: Path, inputs: Path) -> None:
    frame = Image.open(inputs / "photo.png")
    other = Image.open(inputs / "pattern.png")
    frame.save(tmp_path / "anim.webp", save_all=True, append_images=[other, frame, other], lossless=True)
    check = _check(
        {"frames": 4, "compare": {"op": "match", "expect": [{"op": "load", "input": "photo.png"}]}}
    )
    assert run_checks([check], [tmp_path / "anim.webp"], inputs).passed
    assert not run_checks([check], [inputs / "photo.png"], inputs).passed


def test_latent_shape_is_read_from_the_safetensors_header(tmp_path: Path, inputs: Path) -> None:
    header = json.dumps({"latent_tensor": {"dtype": "F32", "shape": [2, 4, 24, 32], "data_offsets": [0, 0]}})
    path = tmp_path / "x.latent"
    path.write_bytes(struct.pack("<Q", len(header)) + header.encode())
    assert run_checks([LatentCheck(shape=[2, 4, 24, 32])], [path], inputs).passed
    assert not run_checks([LatentCheck(shape=[1, 4, 24, 32])], [path], inputs).passed
    assert not run_checks([LatentCheck(shape=[2, 4, 24, 32])], [inputs / "photo.png"], inputs).passed


def test_every_cpu_task_fails_on_an_unchanged_input(inputs: Path, tmp_path: Path) -> None:
    suite = json.loads((Path(__file__).resolve().parents[2] / "bench" / "suites" / "cpu.json").read_text())
    gray = _save(np.full((64, 64, 3), 128), tmp_path / "gray.png")
    for raw in suite["tasks"]:
        task = Task.model_validate(raw)
        wrong = [inputs / name for name in task.inputs] or [gray]
        assert not run_checks(task.check, wrong[:1], inputs).passed, task.id
