"""The search node in the graph: local edits of a flow that failed verification, run before refine."""

from __future__ import annotations

from pathlib import Path

from anysym.graph.api import agenerate, recursion_limit
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.testing import FakeExecution, KeywordNodeSearch, ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.verify.judge import JudgeVerdict

from .test_verify_node import PHOTO, PSI1, PSI2, TASK, ScriptedJudge

NODES = KeywordNodeSearch({"invert": ["ImageInvert"]})


async def test_a_local_edit_that_passes_ends_the_run_without_refine(snapshot_catalog: Catalog) -> None:
    judge = ScriptedJudge([JudgeVerdict(False, "blurred, not inverted"), JudgeVerdict(True, "inverted")])
    llm = ScriptedLLM([PSI1, PSI2])
    executor = ScriptedExecutor([])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=executor, nodes=NODES, judge=judge)
    result = await agenerate(TASK, [PHOTO], deps=deps, candidates=1)
    first, second = result.attempts
    assert first.failed_stage == "verification"
    assert second.stage == "search" and second.verification == "verified"
    assert second.repairs[0].startswith("changed blur from ImageBlur to ImageInvert")
    assert result.status == "succeeded" and result.flow is not None
    assert {f.type for f in result.flow.functions.values()} == {"LoadImage", "ImageInvert", "SaveImage"}
    assert [call.stage for call in result.llm_calls] == ["psi1", "psi2"]  # no refine was needed
    assert len(executor.prompts) == 2


async def test_when_no_edit_passes_refine_repairs_the_flow_the_search_started_from(
    snapshot_catalog: Catalog,
) -> None:
    judge = ScriptedJudge([JudgeVerdict(False, "wrong")] * 3)
    llm = ScriptedLLM([PSI1, PSI2, PSI1, PSI2])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]), nodes=NODES, judge=judge)
    result = await agenerate(TASK, [PHOTO], deps=deps, candidates=1, max_refinements=1, search_budget=1)
    stages = [a.stage for a in result.attempts]
    assert stages == ["psi2", "search", "refine"]
    assert 'workflow.add_node("blur", "ImageBlur"' in llm.prompts[2][1]  # the LLM's flow, not the edit
    assert result.status == "failed" and result.verification == "failed"


async def test_search_budget_zero_goes_straight_to_refine(snapshot_catalog: Catalog) -> None:
    judge = ScriptedJudge([JudgeVerdict(False, "wrong"), JudgeVerdict(True, "ok")])
    llm = ScriptedLLM([PSI1, PSI2, PSI1, PSI2])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]), nodes=NODES, judge=judge)
    result = await agenerate(TASK, [PHOTO], deps=deps, candidates=1, search_budget=0)
    assert [a.stage for a in result.attempts] == ["psi2", "refine"]


async def test_a_flow_failing_validation_is_searched_too(snapshot_catalog: Catalog, tmp_path: Path) -> None:
    mask = tmp_path / "mask.png"
    mask.write_bytes(PHOTO.read_bytes())
    functions = """```python
workflow.add_node("mask", "LoadImageMask", {"image": "mask.png", "channel": "red"})
workflow.add_node("inverted", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})
```"""
    links = """```python
workflow.connect("inverted", "IMAGE", "save", "images")
```"""
    nodes = KeywordNodeSearch({"invert": ["ImageInvert", "InvertMask"]})
    executor = ScriptedExecutor([])
    deps = Deps(llm=ScriptedLLM([functions, links]), catalog=snapshot_catalog, executor=executor, nodes=nodes)
    task = "Load mask.png as a mask from its red channel, invert it and save it as an image."
    result = await agenerate(task, [mask], deps=deps, candidates=1, max_refinements=0)
    first, second = result.attempts
    assert first.failed_stage == "validate"  # ImageInvert takes an IMAGE; only a MASK is loaded
    assert second.stage == "search" and second.failed_stage is None
    assert result.flow is not None
    assert [result.flow.functions[f].type for f in ("mask", "inverted")] == ["LoadImageMask", "InvertMask"]
    assert "MaskToImage" in result.flow.node_types() and len(executor.prompts) == 1


async def test_a_flow_failing_at_run_time_is_searched_too(snapshot_catalog: Catalog, tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    small.write_bytes(PHOTO.read_bytes())
    functions = """```python
workflow.add_node("big", "LoadImage", {"image": "photo.png"})
workflow.add_node("square", "LoadImage", {"image": "small.png"})
workflow.add_node("paste", "ImageCompositeMasked", {"x": 8, "y": 8, "resize_source": false})
workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})
```"""
    links = """```python
workflow.connect("square", "IMAGE", "paste", "destination")
workflow.connect("big", "IMAGE", "paste", "source")
workflow.connect("paste", "IMAGE", "save", "images")
```"""
    crash = Diagnostic(
        kind=DiagnosticKind.EXECUTION_ERROR, message="paste failed at run time", function="paste"
    )
    executor = ScriptedExecutor([FakeExecution(success=False, diagnostics=(crash,))])
    nodes = KeywordNodeSearch({"paste": ["ImageCompositeMasked"]})
    deps = Deps(llm=ScriptedLLM([functions, links]), catalog=snapshot_catalog, executor=executor, nodes=nodes)
    task = "Paste small.png onto photo.png at (8, 8)."
    result = await agenerate(task, [PHOTO, small], deps=deps, candidates=1, max_refinements=0)
    first, *searched = result.attempts
    assert first.failed_stage == "execute"
    assert searched and searched[0].stage == "search"
    assert any("swapped paste.destination and paste.source" in note for a in searched for note in a.repairs)
    assert result.status == "succeeded" and len(executor.prompts) >= 2


async def test_every_round_searched_and_failed_ends_in_a_result_not_a_recursion_error(
    snapshot_catalog: Catalog,
) -> None:
    """A 1.5B run whose rounds and searches all failed hit LangGraph's fixed step limit (60) and lost its
    result; the limit now follows the budgets."""
    judge = ScriptedJudge([JudgeVerdict(False, "wrong")] * 60)
    nodes = KeywordNodeSearch({"invert": ["ImageInvert", "ImageBlur", "ImageSharpen", "ImageQuantize"]})
    llm = ScriptedLLM([PSI1, PSI2] * 4)
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]), nodes=nodes, judge=judge)
    context = Context(candidates=1, max_refinements=3)
    result = await agenerate(TASK, [PHOTO], deps=deps, context=context)
    stages = [a.stage for a in result.attempts]
    assert stages.count("refine") == 3 and stages.count("search") >= 3
    assert result.status == "failed" and result.verification == "failed"
    # the worst case the budgets allow: 4 rounds of ~12 steps, each followed by 8 edits of 4 steps
    assert recursion_limit(context) > 4 * (12 + 4 * 8) > 60
