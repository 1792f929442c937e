"""search on the REAL local ComfyUI: a wrong flow that runs is rejected and a local edit passes, no refine."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import httpx
import pytest
from PIL import Image, ImageDraw

from anysym.executor.client import ComfyClient
from anysym.graph.api import agenerate
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.deps import Deps
from anysym.graph.result import Attempt, Result
from anysym.graph.testing import KeywordNodeSearch, ScriptedLLM
from anysym.language.catalog import Catalog

# A model upscaler (x4) copied from the retrieved program for "scale by a factor of 2".
MODEL_UPSCALE = """```python
source = LoadImage(image="texture.png")
upscaler = UpscaleModelLoader(model_name="tiny_compact_x4.safetensors")
upscaled = ImageUpscaleWithModel(upscale_model=upscaler.UPSCALE_MODEL, image=source.IMAGE)
save = SaveImage(images=upscaled, filename_prefix="anysym_search_test")
```"""
# The grown mask computed and thrown away: the saver is fed the loaded file.
MASK_UNSAVED = """```python
disc = LoadImage(image="mask.png")
channel = ImageToMask(image=disc.IMAGE, channel="red")
grown = GrowMask(mask=channel.MASK, expand=8, tapered_corners=True)
save = SaveImage(images=disc.IMAGE, filename_prefix="anysym_search_test")
```"""


async def _run(
    comfy_server: object,
    catalog: Catalog,
    task: str,
    files: list[Path],
    answer: str,
    searched: list[str],
    syntax: Literal["dataflow", "declarative"] = "dataflow",
) -> tuple[Result, ScriptedLLM]:
    llm = ScriptedLLM([answer])
    nodes = KeywordNodeSearch({word: searched for word in ("scale", "grow", "mask")})
    async with httpx.AsyncClient() as http:
        executor = ComfyExecutor(ComfyClient(comfy_server.url, http=http))  # type: ignore[attr-defined]
        deps = Deps(llm=llm, catalog=catalog, executor=executor, nodes=nodes)
        result = await agenerate(
            task,
            files,
            deps=deps,
            syntax=syntax,
            one_step=True,
            max_refinements=0,
            execute_timeout_s=900.0,
        )
    return result, llm


def _fixed_by_search(result: Result, llm: ScriptedLLM, complaint: str) -> Attempt:
    """The first answer failed verification with `complaint`; a search edit passed it, without refine."""
    first, *edits = result.attempts
    assert first.failed_stage == "verification"
    assert any(complaint in d.message for d in first.diagnostics if d.is_error)
    assert edits[-1].stage == "search" and edits[-1].verification == "verified"
    assert result.status == "succeeded" and len(llm.prompts) == 1  # no refine
    return edits[-1]


async def test_a_copied_model_upscaler_is_swapped_for_the_searched_scale_node(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    texture = tmp_path / "texture.png"
    image = Image.new("RGB", (24, 16), (10, 10, 10))
    image.putpixel((0, 0), (250, 250, 250))
    image.save(texture)
    task = "Upscale texture.png by a factor of 2 with nearest-neighbour (nearest-exact) sampling."
    result, llm = await _run(
        comfy_server, comfy_catalog, task, [texture], MODEL_UPSCALE, ["ImageUpscaleWithModel", "ImageScaleBy"]
    )
    _fixed_by_search(result, llm, "96x64")
    assert result.flow is not None and "upscaler" not in result.flow.functions
    assert result.flow.functions["upscaled"].params["scale_by"] == 2.0
    with Image.open(result.outputs[0].path) as out:
        assert out.size == (48, 32)
        rgb = out.convert("RGB")
        assert rgb.getpixel((1, 1)) == (250, 250, 250) and rgb.getpixel((2, 2)) == (10, 10, 10)  # nearest


async def test_an_unsaved_mask_is_saved_through_a_converter(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    mask = tmp_path / "mask.png"
    disc = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(disc).ellipse((24, 24, 40, 40), fill=255)
    disc.save(mask)
    task = "Grow the white disc of mask.png (red channel) by 8 pixels and save the grown mask as an image."
    result, _ = await _run(
        comfy_server, comfy_catalog, task, [mask], MASK_UNSAVED, ["GrowMask", "ImageToMask", "MaskToImage"]
    )
    assert result.attempts[0].failed_stage == "verification"
    assert result.attempts[-1].stage == "search" and result.verification == "verified"
    assert result.flow is not None and "MaskToImage" in result.flow.node_types()
    with Image.open(result.outputs[0].path) as out:
        gray = out.convert("L")
        assert gray.getpixel((32, 32)) == 255 and gray.getpixel((32, 19)) == 255  # grown past the disc's edge
        assert gray.getpixel((2, 2)) == 0


# The layer linked as the base: the blend takes portrait's size, the task keeps photo's.
BASE_SWAPPED = """```python
photo = LoadImage(image="photo.png")
portrait = LoadImage(image="portrait.png")
blend = ImageBlend(image1=portrait.IMAGE, image2=photo.IMAGE, blend_factor=0.7, blend_mode="screen")
save = SaveImage(images=blend.IMAGE, filename_prefix="anysym_search_test")
```"""
# Two pictures of one size, linked in the order the task names them: only the wording tells the base.
OVERLAY_SWAPPED = """```python
pattern = LoadImage(image="pattern.png")
photo = LoadImage(image="photo.png")
blend = ImageBlend(image1=pattern.IMAGE, image2=photo.IMAGE, blend_factor=0.6, blend_mode="overlay")
save = SaveImage(images=blend.IMAGE, filename_prefix="anysym_search_test")
```"""


@pytest.mark.parametrize(
    ("answer", "top", "top_size", "task", "complaint"),
    [
        (
            BASE_SWAPPED,
            "portrait",
            (32, 40),
            "Screen-blend portrait.png over photo.png with factor 0.7; keep the size of photo.png.",
            "64x48",
        ),
        (
            OVERLAY_SWAPPED,
            "pattern",
            (64, 48),
            "Overlay pattern.png on photo.png with blend factor 0.6 (overlay mode).",
            "pattern.png goes on top of photo.png",
        ),
    ],
)
async def test_a_blend_with_the_top_picture_as_its_base_gets_its_pictures_swapped(
    comfy_server: object,
    comfy_catalog: Catalog,
    tmp_path: Path,
    answer: str,
    top: str,
    top_size: tuple[int, int],
    task: str,
    complaint: str,
) -> None:
    photo, layer = tmp_path / "photo.png", tmp_path / f"{top}.png"
    Image.new("RGB", (64, 48), (40, 80, 120)).save(photo)
    Image.new("RGB", top_size, (200, 200, 20)).save(layer)
    result, llm = await _run(comfy_server, comfy_catalog, task, [photo, layer], answer, ["ImageBlend"])
    _fixed_by_search(result, llm, complaint)  # by the operand swap or the blamed base's relink
    assert result.flow is not None
    assert {(link.source, link.input) for link in result.flow.links_into("blend")} == {
        ("photo", "image1"),
        (top, "image2"),
    }
    with Image.open(result.outputs[0].path) as out:
        assert out.size == (64, 48)


# The 1.5B's layered blend: blend1 takes blend2 while blend2 takes blend1 (twice); two files unused.
CYCLE = """```python
workflow.add_node("source", "LoadImage", {"image": "photo.png"})
workflow.add_node("pattern", "LoadImage", {"image": "pattern.png"})
workflow.add_node("texture", "LoadImage", {"image": "texture.png"})
workflow.add_node("blend1", "ImageBlend", {"blend_factor": 0.4, "blend_mode": "normal"})
workflow.add_node("blend2", "ImageBlend", {"blend_factor": 0.5, "blend_mode": "multiply"})
workflow.add_node("save", "SaveImage", {"filename_prefix": "anysym_search_test"})
workflow.connect("source", "IMAGE", "blend1", "image1")
workflow.connect("blend2", "IMAGE", "blend1", "image2")
workflow.connect("blend1", "IMAGE", "blend2", "image1")
workflow.connect("blend1", "IMAGE", "blend2", "image2")
workflow.connect("blend2", "IMAGE", "save", "images")
```"""


async def test_a_cycle_is_broken_with_the_unused_files(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    files = [tmp_path / name for name in ("photo.png", "pattern.png", "texture.png")]
    for path, colour in zip(files, [(200, 200, 200), (100, 0, 0), (0, 0, 255)], strict=True):
        Image.new("RGB", (32, 24), colour).save(path)
    task = (
        "Blend pattern.png over photo.png with factor 0.4, then multiply-blend texture.png over that "
        "with factor 0.5."
    )
    result, llm = await _run(
        comfy_server, comfy_catalog, task, files, CYCLE, ["ImageBlend"], syntax="declarative"
    )
    first, *edits = result.attempts
    assert first.failed_stage == "validate"
    assert any(d.kind.value == "cycle" for d in first.diagnostics)
    assert edits[-1].stage == "search" and edits[-1].verification == "verified"
    assert any("formed a cycle" in note for note in edits[-1].repairs)
    assert result.status == "succeeded" and len(llm.prompts) == 1  # no refine
    sources = {link.source for link in edits[-1].flow.links}  # type: ignore[union-attr]
    assert {"source", "pattern", "texture"} <= sources
