"""The engine against the REAL local ComfyUI: a runtime execution error is refined into a run that works."""

from __future__ import annotations

from pathlib import Path

import httpx

from anysym.executor.client import ComfyClient
from anysym.graph.api import agenerate
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.deps import Deps
from anysym.graph.testing import ScriptedLLM
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind

# ImageBlur pads by the radius with reflection: a radius wider than the 8x8 image fails at run time only.
CRASHES = """```python
img = EmptyImage(width=8, height=8, batch_size=1, color=0)
blur = ImageBlur(image=img, blur_radius=31, sigma=1.0)
save = SaveImage(images=blur, filename_prefix="anysym_engine_test")
```"""
WORKS = CRASHES.replace("blur_radius=31", "blur_radius=2")


async def test_execution_error_from_real_comfyui_is_refined(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path
) -> None:
    llm = ScriptedLLM([CRASHES, WORKS])
    async with httpx.AsyncClient() as http:
        executor = ComfyExecutor(ComfyClient(comfy_server.url, http=http))  # type: ignore[attr-defined]
        deps = Deps(llm=llm, catalog=comfy_catalog, executor=executor)
        result = await agenerate(
            "Make a tiny black image and blur it",
            deps=deps,
            syntax="dataflow",
            one_step=True,
            run_dir=tmp_path / "run",
            execute_timeout_s=900.0,  # the shared server may be busy with other jobs
        )
    assert [a.failed_stage for a in result.attempts] == ["execute", None], result.attempts
    crash = result.attempts[0].diagnostics[0]
    assert crash.kind is DiagnosticKind.EXECUTION_ERROR and crash.function == "blur"
    assert crash.render() in llm.prompts[1][1]
    assert result.status == "succeeded" and result.stage == "outputs"
    assert result.outputs and all(o.path.is_file() for o in result.outputs)
    assert result.timings.comfy_s > 0
