"""The parameter step: psi1's values are set again from the task by a prompt without examples."""

from __future__ import annotations

from pathlib import Path

from anysym.graph.api import agenerate
from anysym.graph.deps import Deps
from anysym.graph.testing import (
    FakeHit,
    FakeProgram,
    KeywordNodeSearch,
    ScriptedExecutor,
    ScriptedLLM,
    StaticRetriever,
)
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PHOTO = EXAMPLES / "photo.png"
TASK = "Blend photo.png and photo.png evenly in normal mode"

PSI1 = """```python
workflow.add_node("a", "LoadImage", {"image": "photo.png"})
workflow.add_node("blend", "ImageBlend", {"blend_factor": 0.8, "blend_mode": "screen"})
workflow.add_node("save", "SaveImage", {"filename_prefix": "blend"})
```"""
FILLED = """```python
workflow.add_node("a", "LoadImage", {"image": "photo.png"})
workflow.add_node("blend", "ImageBlend", {"blend_factor": 0.5, "blend_mode": "normal"})
workflow.add_node("save", "SaveImage", {"filename_prefix": "blend"})
```"""
CHANGED = """```python
workflow.add_node("a", "LoadImage", {"image": "photo.png"})
workflow.add_node("blend", "ImageBlur", {"blur_radius": 3})
workflow.add_node("save", "SaveImage", {"filename_prefix": "blend"})
```"""
LINKS = """```python
workflow.connect("a", "IMAGE", "blend", "image1")
workflow.connect("a", "IMAGE", "blend", "image2")
workflow.connect("blend", "IMAGE", "save", "images")
```"""
EXAMPLE = Flow.build(
    {"x": Function(type="ImageBlend", params={"blend_factor": 0.8, "blend_mode": "screen"})}, []
)


def _deps(catalog: Catalog, answers: list[str | BaseException]) -> tuple[Deps, ScriptedLLM]:
    llm = ScriptedLLM(answers)
    retriever = StaticRetriever([FakeHit(FakeProgram("screen_blend", "Screen blend", "d", EXAMPLE))])
    docs = {"ImageBlend": {"image1": "First image.", "blend_mode": "How the colours are combined."}}
    nodes = KeywordNodeSearch({}, inputs=docs)
    deps = Deps(llm=llm, catalog=catalog, executor=ScriptedExecutor([]), retriever=retriever, nodes=nodes)
    return deps, llm


async def test_parameter_step_replaces_copied_values_without_showing_the_examples(
    snapshot_catalog: Catalog,
) -> None:
    deps, llm = _deps(snapshot_catalog, [PSI1, FILLED, LINKS])
    result = await agenerate(TASK, [PHOTO], deps=deps, parameter_step=True, verify=False)
    assert [stage for stage, _ in llm.prompts] == ["psi1", "params", "psi2"]
    params_prompt = llm.prompts[1][1]
    assert "Screen blend" not in params_prompt and '"blend_mode": "screen"' not in params_prompt
    assert "ImageBlend(" in params_prompt  # the chosen type's signature
    assert "  - blend_mode: How the colours are combined." in params_prompt
    assert "First image" not in params_prompt  # linked inputs take no value
    assert '"blend_factor": 0.5, "blend_mode": "normal"' in params_prompt  # the defaults
    assert result.flow is not None
    assert result.flow.functions["blend"].params == {"blend_factor": 0.5, "blend_mode": "normal"}
    assert "parameter step: set the values from the task" in result.attempts[0].repairs


async def test_an_answer_that_changes_the_functions_keeps_psi1s_values(snapshot_catalog: Catalog) -> None:
    deps, llm = _deps(snapshot_catalog, [PSI1, CHANGED, LINKS])
    result = await agenerate(TASK, [PHOTO], deps=deps, parameter_step=True, verify=False, task_repairs=False)
    assert result.flow is not None and result.flow.functions["blend"].type == "ImageBlend"
    assert result.flow.functions["blend"].params["blend_mode"] == "screen"
    assert any("kept psi1's values" in note for note in result.attempts[0].repairs)


async def test_without_the_switch_there_is_no_parameter_call(snapshot_catalog: Catalog) -> None:
    deps, llm = _deps(snapshot_catalog, [PSI1, LINKS])
    await agenerate(TASK, [PHOTO], deps=deps, verify=False)
    assert [stage for stage, _ in llm.prompts] == ["psi1", "psi2"]
