"""verify against the REAL local ComfyUI: a flow that runs but is wrong is rejected, then refined."""

from __future__ import annotations

from pathlib import Path

import httpx
from PIL import Image

from anysym.executor.client import ComfyClient
from anysym.graph.api import agenerate
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.deps import Deps
from anysym.graph.testing import ScriptedLLM
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind

# The kind of mistake small models make: the reference program's resize copied into an invert task.
COPIED_RESIZE = """```python
photo = LoadImage(image="photo.png")
inverted = ImageInvert(image=photo.IMAGE)
resized = ImageScale(image=inverted, upscale_method="bilinear", width=96, height=96, crop="disabled")
save = SaveImage(images=resized, filename_prefix="anysym_verify_test")
```"""
RIGHT = """```python
photo = LoadImage(image="photo.png")
inverted = ImageInvert(image=photo.IMAGE)
save = SaveImage(images=inverted, filename_prefix="anysym_verify_test")
```"""


async def test_a_wrong_flow_that_runs_fails_verification_and_is_refined(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (200, 40, 10)).save(photo)
    llm = ScriptedLLM([COPIED_RESIZE, RIGHT])
    async with httpx.AsyncClient() as http:
        executor = ComfyExecutor(ComfyClient(comfy_server.url, http=http))  # type: ignore[attr-defined]
        deps = Deps(llm=llm, catalog=comfy_catalog, executor=executor)
        result = await agenerate(
            "Invert the colours of photo.png",
            [photo],
            deps=deps,
            syntax="dataflow",
            one_step=True,
            run_dir=tmp_path / "run",
            execute_timeout_s=900.0,
        )
    first, second = result.attempts
    assert first.failed_stage == "verification" and first.verification == "failed"
    problem = next(d for d in first.diagnostics if d.kind is DiagnosticKind.VERIFICATION_FAILED)
    assert problem.function == "resized" and "96x96" in problem.message and "64x48" in problem.message
    assert problem.render() in llm.prompts[1][1]  # refine saw the observed and expected sizes
    assert second.failed_stage is None and second.verification == "verified"
    assert result.status == "succeeded" and result.verification == "verified"
    with Image.open(result.outputs[0].path) as out:
        assert out.size == (64, 48)
        pixel = out.convert("RGB").getpixel((0, 0))
        assert isinstance(pixel, tuple)
        assert all(abs(a - b) <= 1 for a, b in zip(pixel, (55, 215, 245), strict=True))  # inverted


async def test_without_verify_the_wrong_flow_ends_the_run(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (200, 40, 10)).save(photo)
    async with httpx.AsyncClient() as http:
        executor = ComfyExecutor(ComfyClient(comfy_server.url, http=http))  # type: ignore[attr-defined]
        deps = Deps(llm=ScriptedLLM([COPIED_RESIZE]), catalog=comfy_catalog, executor=executor)
        result = await agenerate(
            "Invert the colours of photo.png",
            [photo],
            deps=deps,
            syntax="dataflow",
            one_step=True,
            verify=False,
            execute_timeout_s=900.0,
        )
    assert result.status == "succeeded" and result.verification is None and len(result.attempts) == 1
