"""psi2's prompt repeats psi1's context, so the LLM server reads only the new step from its cache."""

from __future__ import annotations

from pathlib import Path

from anysym.graph.api import agenerate
from anysym.graph.deps import Deps
from anysym.graph.testing import FakeExecution, ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog

PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"
TASK = "Invert the colours of photo.png, scale it by 0.5 and save it"
STEP_1 = "Step 1 of 2."
STEP_2 = "Step 2 of 2."

# ImageScaleBy is chosen although other types come before it in psi1's excerpt.
PSI1 = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("half", "ImageScaleBy", {"upscale_method": "area", "scale_by": 0.5})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})
```"""
PSI2 = """```python
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "half", "image")
workflow.connect("half", "IMAGE", "save", "images")
```"""


async def _prompts(catalog: Catalog, tmp_path: Path, *, shared_prefix: bool) -> tuple[str, str]:
    llm = ScriptedLLM([PSI1, PSI2])
    deps = Deps(llm=llm, catalog=catalog, executor=ScriptedExecutor([FakeExecution()]))
    await agenerate(
        TASK, [PHOTO], deps=deps, shared_prefix=shared_prefix, verify=False, run_dir=tmp_path / "run"
    )
    (stage1, psi1), (stage2, psi2) = llm.prompts[:2]
    assert (stage1, stage2) == ("psi1", "psi2")
    return psi1, psi2


async def test_psi2_repeats_psi1_up_to_the_step_instruction(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    psi1, psi2 = await _prompts(snapshot_catalog, tmp_path, shared_prefix=True)
    assert psi2.split(STEP_2)[0] == psi1.split(STEP_1)[0]


async def test_without_it_psi1_functions_come_first_in_psi2_excerpt(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    psi1, psi2 = await _prompts(snapshot_catalog, tmp_path, shared_prefix=False)
    assert psi2.split(STEP_2)[0] != psi1.split(STEP_1)[0]
    excerpt = psi2.split("Available functions")[1]
    assert excerpt.index("- ImageScaleBy(") < excerpt.index("- ImageInvert(")
