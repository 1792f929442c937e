"""Model-free flows written in A-Language, run on the real local ComfyUI; pixels checked with numpy/Pillow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from anysym.executor.job import JobResult

RunFlow = Callable[..., Awaitable[JobResult]]
Pixels = NDArray[np.int16]

RED, GREEN, BLUE, YELLOW = (220, 30, 30), (30, 200, 30), (0, 0, 255), (240, 230, 20)


def save(path: Path, pixels: NDArray[np.uint8], mode: str = "RGB") -> Path:
    Image.fromarray(pixels, mode).save(path)
    return path


def solid(width: int, height: int, colour: tuple[int, int, int]) -> NDArray[np.uint8]:
    return np.tile(np.array(colour, dtype=np.uint8), (height, width, 1))


def quadrants(width: int, height: int) -> NDArray[np.uint8]:
    """Four solid quadrants (interiors survive any interpolation unchanged)."""
    image = solid(width, height, RED)
    image[: height // 2, width // 2 :] = GREEN
    image[height // 2 :, : width // 2] = BLUE
    image[height // 2 :, width // 2 :] = YELLOW
    return image


def noise(width: int, height: int, seed: int) -> NDArray[np.uint8]:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def pixels(path: Path) -> Pixels:
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int16)


def outputs_of(result: JobResult, function_id: str) -> list[Path]:
    assert result.success, [d.render() for d in result.diagnostics]
    paths = [o.path for o in result.outputs if o.function_id == function_id]
    assert all(p.parent.name == function_id and p.is_file() for p in paths)
    return paths


def close(actual: Pixels, expected: NDArray[np.floating] | Pixels, tolerance: int = 1) -> None:
    """Equal up to SaveImage's float->uint8 truncation (one level)."""
    assert actual.shape == np.shape(expected)
    assert int(np.abs(actual - np.asarray(expected)).max()) <= tolerance


async def test_load_invert_scale_blend_save(run_flow: RunFlow, tmp_path: Path) -> None:
    photo = save(tmp_path / "quads.png", quadrants(64, 48))
    tint = save(tmp_path / "blue.png", solid(32, 32, BLUE))
    result = await run_flow(
        """
        workflow.add_node("photo", "LoadImage", {"image": "quads.png"})
        workflow.add_node("tint", "LoadImage", {"image": "blue.png"})
        workflow.add_node("negative", "ImageInvert", {})
        workflow.add_node("bigger", "ImageScale", {"upscale_method": "bilinear", "width": 128, "height": 96})
        workflow.add_node("mix", "ImageBlend", {"blend_factor": 0.25, "blend_mode": "normal"})
        workflow.add_node("result", "SaveImage", {"filename_prefix": "exec_blend"})
        workflow.connect("photo", "IMAGE", "negative", "image")
        workflow.connect("negative", "IMAGE", "bigger", "image")
        workflow.connect("bigger", "IMAGE", "mix", "image1")
        workflow.connect("tint", "IMAGE", "mix", "image2")
        workflow.connect("mix", "IMAGE", "result", "images")
        """,
        inputs={"quads.png": photo, "blue.png": tint},
    )
    [out] = outputs_of(result, "result")
    got = pixels(out)
    assert got.shape == (96, 128, 3)
    expected_quadrants = 0.75 * (255 - quadrants(2, 2).astype(np.float64)) + 0.25 * np.array(BLUE)
    centres = got[[24, 24, 72, 72], [32, 96, 32, 96]].reshape(2, 2, 3)
    close(centres, expected_quadrants)
    interior = got[4:44, 4:60]  # the whole top-left quadrant, away from the interpolated seams
    close(interior, np.broadcast_to(expected_quadrants[0, 0], interior.shape))
    assert result.timings.submit_to_start_s is not None


async def test_composite_with_a_mask(run_flow: RunFlow, tmp_path: Path) -> None:
    background = save(tmp_path / "bg.png", solid(64, 64, RED))
    patch = save(tmp_path / "patch.png", solid(32, 32, GREEN))
    mask = np.zeros((32, 32), dtype=np.uint8)
    mask[:, :16] = 255
    mask_file = save(tmp_path / "mask.png", np.stack([mask] * 3, axis=-1))
    result = await run_flow(
        """
        workflow.add_node("bg", "LoadImage", {"image": "bg.png"})
        workflow.add_node("patch", "LoadImage", {"image": "patch.png"})
        workflow.add_node("stencil", "LoadImageMask", {"image": "mask.png", "channel": "red"})
        workflow.add_node("paste", "ImageCompositeMasked", {"x": 8, "y": 16, "resize_source": false})
        workflow.add_node("out", "SaveImage", {"filename_prefix": "exec_composite"})
        workflow.connect("bg", "IMAGE", "paste", "destination")
        workflow.connect("patch", "IMAGE", "paste", "source")
        workflow.connect("stencil", "MASK", "paste", "mask")
        workflow.connect("paste", "IMAGE", "out", "images")
        """,
        inputs={"bg.png": background, "patch.png": patch, "mask.png": mask_file},
    )
    expected = solid(64, 64, RED)
    expected[16:48, 8:24] = GREEN
    close(pixels(outputs_of(result, "out")[0]), expected.astype(np.int16))


async def test_pad_for_outpaint_gives_image_and_mask(run_flow: RunFlow, tmp_path: Path) -> None:
    source = noise(40, 24, seed=1)
    photo = save(tmp_path / "scene.png", source)
    result = await run_flow(
        """
        workflow.add_node("scene", "LoadImage", {"image": "scene.png"})
        workflow.add_node("pad", "ImagePadForOutpaint", {"left": 16, "top": 8, "bottom": 24, "feathering": 0})
        workflow.add_node("mask_view", "MaskToImage", {})
        workflow.add_node("padded", "SaveImage", {"filename_prefix": "exec_pad"})
        workflow.add_node("mask", "SaveImage", {"filename_prefix": "exec_pad_mask"})
        workflow.connect("scene", "IMAGE", "pad", "image")
        workflow.connect("pad", "IMAGE", "padded", "images")
        workflow.connect("pad", "MASK", "mask_view", "mask")
        workflow.connect("mask_view", "IMAGE", "mask", "images")
        """,
        inputs={"scene.png": photo},
    )
    expected = np.full((24 + 8 + 24, 40 + 16, 3), 127, dtype=np.int16)
    expected[8:32, 16:56] = source
    close(pixels(outputs_of(result, "padded")[0]), expected)
    expected_mask = np.full(expected.shape, 255, dtype=np.int16)
    expected_mask[8:32, 16:56] = 0
    close(pixels(outputs_of(result, "mask")[0]), expected_mask)


async def test_crop_is_an_exact_slice(run_flow: RunFlow, tmp_path: Path) -> None:
    source = noise(80, 60, seed=2)
    result = await run_flow(
        """
        workflow.add_node("src", "LoadImage", {"image": "noise.png"})
        workflow.add_node("cut", "ImageCrop", {"width": 30, "height": 20, "x": 25, "y": 13})
        workflow.add_node("keep", "SaveImage", {"filename_prefix": "exec_crop"})
        workflow.connect("src", "IMAGE", "cut", "image")
        workflow.connect("cut", "IMAGE", "keep", "images")
        """,
        inputs={"noise.png": save(tmp_path / "noise.png", source)},
    )
    assert np.array_equal(pixels(outputs_of(result, "keep")[0]), source[13:33, 25:55])


async def test_batch_saves_one_file_per_image(run_flow: RunFlow, tmp_path: Path) -> None:
    first, second = noise(24, 16, seed=3), noise(24, 16, seed=4)
    result = await run_flow(
        """
        workflow.add_node("one", "LoadImage", {"image": "one.png"})
        workflow.add_node("two", "LoadImage", {"image": "two.png"})
        workflow.add_node("stack", "ImageBatch", {})
        workflow.add_node("twice", "RepeatImageBatch", {"amount": 2})
        workflow.add_node("frames", "SaveImage", {"filename_prefix": "exec_batch"})
        workflow.connect("one", "IMAGE", "stack", "image1")
        workflow.connect("two", "IMAGE", "stack", "image2")
        workflow.connect("stack", "IMAGE", "twice", "image")
        workflow.connect("twice", "IMAGE", "frames", "images")
        """,
        inputs={"one.png": save(tmp_path / "one.png", first), "two.png": save(tmp_path / "two.png", second)},
    )
    files = outputs_of(result, "frames")
    assert len(files) == 4 and len({f.name for f in files}) == 4
    got = [pixels(f) for f in sorted(files)]
    for image, expected in zip(got, [first, second, first, second], strict=True):
        assert np.array_equal(image, expected)


async def test_rerunning_the_same_flow_still_downloads_outputs(run_flow: RunFlow, tmp_path: Path) -> None:
    text = """
    workflow.add_node("blank", "EmptyImage", {"width": 16, "height": 8, "batch_size": 1, "color": 255})
    workflow.add_node("save", "SaveImage", {"filename_prefix": "exec_rerun"})
    workflow.connect("blank", "IMAGE", "save", "images")
    """
    first, second = await run_flow(text), await run_flow(text)
    assert len(outputs_of(first, "save")) == len(outputs_of(second, "save")) == 1
    assert outputs_of(first, "save")[0] != outputs_of(second, "save")[0]
    blue = np.broadcast_to(np.array([0, 0, 255]), (8, 16, 3)).astype(np.int16)
    close(pixels(outputs_of(second, "save")[0]), blue)
