"""ComfyUI quirks the repairs handle, proven on the REAL local ComfyUI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from PIL import Image

from anysym.executor.job import JobResult
from anysym.language.catalog import Catalog
from anysym.language.syntax import parse, render
from anysym.repair.flow_repairs import repair

RunFlow = Callable[..., Awaitable[JobResult]]

ALPHA_AS_CHANNEL = """\
logo = LoadImage(image="logo.png")
alpha = ImageToMask(image=logo.IMAGE, channel="alpha")
gray = MaskToImage(mask=alpha.MASK)
save = SaveImage(images=gray.IMAGE, filename_prefix="anysym_alpha_quirk")
"""


async def test_a_loaded_pictures_alpha_fails_as_a_channel_and_runs_once_repaired(
    run_flow: RunFlow, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    picture = Image.new("RGBA", (32, 16), (0, 0, 0, 0))
    picture.paste((200, 30, 30, 255), (0, 0, 16, 16))  # left half opaque, right half transparent
    picture.save(logo)
    failed = await run_flow(ALPHA_AS_CHANNEL, inputs={"logo.png": logo}, syntax="dataflow")
    assert not failed.success
    assert any("index 3 is out of bounds" in d.message for d in failed.diagnostics)

    repaired, notes = repair(parse(ALPHA_AS_CHANNEL, "dataflow"), comfy_catalog)
    assert notes
    job = await run_flow(render(repaired, "dataflow"), inputs={"logo.png": logo}, syntax="dataflow")
    assert job.success, [d.message for d in job.diagnostics]
    with Image.open(job.outputs[0].path) as out:
        gray = out.convert("L")
        assert gray.getpixel((4, 8)) == 255 and gray.getpixel((28, 8)) == 0  # opaque white, transparent black
