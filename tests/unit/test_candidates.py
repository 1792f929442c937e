"""Sampled candidates for the functions steps (psi1, refine): scoring by static fit and choosing."""

from __future__ import annotations

from pathlib import Path

from anysym.graph.api import agenerate
from anysym.graph.deps import Deps
from anysym.graph.testing import FakeExecution, KeywordNodeSearch, ScriptedExecutor, ScriptedLLM
from anysym.inference.candidates import Fit, fit_of
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow, Function
from anysym.language.syntax import parse
from anysym.verify.expectations import expect

PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"
TASK = "Invert the colours of photo.png and save it"
SEARCH = KeywordNodeSearch({"invert": ["ImageInvert"], "save": ["SaveImage"], "scale": ["ImageScale"]})
SEARCHED = ["ImageInvert", "SaveImage"]

COPIED = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("small", "ImageScale", {"upscale_method": "bilinear", "width": 96, "height": 96})
workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})
```"""
FITTING = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})
```"""
LINKS = """```python
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "save", "images")
```"""

LINKED_COPY = """```python
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "small", "image")
workflow.connect("small", "IMAGE", "save", "images")
```"""


def _functions(text: str) -> Flow:
    return parse(text.strip("`python\n"), "declarative")


def test_fit_counts_a_copied_extra_step_and_a_missing_saver(snapshot_catalog: Catalog) -> None:
    expectations = expect(TASK, [PHOTO])
    fit = fit_of(_functions(FITTING), expectations=expectations, catalog=snapshot_catalog, searched=SEARCHED)
    assert fit.clean
    copied = fit_of(
        _functions(COPIED), expectations=expectations, catalog=snapshot_catalog, searched=SEARCHED
    )
    assert copied == Fit(strays=1)  # ImageScale was found by no search of the task
    flow = _functions(FITTING)
    unsaved = Flow.build({k: v for k, v in flow.functions.items() if k != "save"}, [])
    animation = expect("Make an animated WEBP of photo.png", [PHOTO])
    assert fit_of(unsaved, expectations=animation, catalog=snapshot_catalog, searched=[]).errors == 1
    assert fit_of(flow, expectations=animation, catalog=snapshot_catalog, searched=[]).errors == 1


def test_fit_counts_unknown_files_and_types_and_ranks_a_repeat_last(snapshot_catalog: Catalog) -> None:
    expectations = expect(TASK, [PHOTO])
    flow = _functions(FITTING)
    stray_file = flow.with_params("photo", {"image": "other.png"})
    unknown = Flow.build({**flow.functions, "x": Function(type="NoSuchNodeAnywhere")}, [])
    assert fit_of(stray_file, expectations=expectations, catalog=snapshot_catalog, searched=[]).errors == 2
    assert fit_of(unknown, expectations=expectations, catalog=snapshot_catalog, searched=[]).errors == 1
    repeat = fit_of(flow, expectations=expectations, catalog=snapshot_catalog, searched=[], failed=flow)
    assert repeat.repeats and not repeat.clean
    assert repeat.key > Fit(errors=3, strays=3).key


def test_fit_counts_a_looping_answer_but_allows_a_step_applied_twice(snapshot_catalog: Catalog) -> None:
    expectations = expect(TASK, [PHOTO])
    flow = _functions(FITTING)
    twice = Flow.build({**flow.functions, "inv_2": Function(type="ImageInvert")}, [])
    assert fit_of(twice, expectations=expectations, catalog=snapshot_catalog, searched=SEARCHED).clean
    looping = Flow.build(
        {**flow.functions, **{f"inv_{n}": Function(type="ImageInvert") for n in range(2, 8)}}, []
    )
    fit = fit_of(looping, expectations=expectations, catalog=snapshot_catalog, searched=SEARCHED)
    assert fit == Fit(copies=5) and "5 repeated function(s)" in fit.describe()
    assert Fit(copies=1).key > Fit(strays=3).key and Fit(copies=9).key < Fit(errors=1).key


async def test_psi1_samples_another_answer_when_the_first_copies_an_extra_step(
    snapshot_catalog: Catalog,
) -> None:
    llm = ScriptedLLM([COPIED, FITTING, LINKS])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]), nodes=SEARCH)
    result = await agenerate(TASK, [PHOTO], deps=deps, candidates=3, verify=False)
    assert [stage for stage, _ in llm.prompts] == ["psi1", "psi1", "psi2"]
    assert llm.samples == [0, 1, 0]  # the clean second answer ends the sampling
    assert llm.prompts[0][1] == llm.prompts[1][1]  # same prompt: a caching server reads it once
    assert result.flow is not None and {f.type for f in result.flow.functions.values()} == {
        "LoadImage",
        "ImageInvert",
        "SaveImage",
    }
    assert any("chose answer 2 of 2 sampled" in note for note in result.attempts[0].repairs)
    assert [call.sample for call in result.llm_calls] == [0, 1, 0]


async def test_one_candidate_keeps_the_greedy_answer(snapshot_catalog: Catalog) -> None:
    llm = ScriptedLLM([COPIED, LINKED_COPY])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]), nodes=SEARCH)
    result = await agenerate(TASK, [PHOTO], deps=deps, candidates=1, verify=False)
    assert llm.samples == [0, 0]
    assert result.flow is not None and "small" in result.flow.functions


async def test_refine_resamples_when_its_answer_repeats_the_failed_functions(
    snapshot_catalog: Catalog,
) -> None:
    crash = Diagnostic(kind=DiagnosticKind.EXECUTION_ERROR, message="ImageScale failed", function="small")
    llm = ScriptedLLM([COPIED, LINKED_COPY, COPIED, FITTING, LINKS])
    executor = ScriptedExecutor([FakeExecution(success=False, diagnostics=(crash,)), FakeExecution()])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=executor)  # no node search: repeats only
    result = await agenerate(TASK, [PHOTO], deps=deps, candidates=2, verify=False)
    assert [stage for stage, _ in llm.prompts] == ["psi1", "psi2", "refine", "refine", "refine"]
    assert llm.samples == [0, 0, 0, 1, 0]  # psi1 fit (no steps known); refine's greedy answer repeated
    assert result.status == "succeeded" and result.flow is not None
    assert "small" not in result.flow.functions


async def test_later_samples_see_another_example_first(snapshot_catalog: Catalog) -> None:
    from anysym.graph.testing import FakeHit, FakeProgram, StaticRetriever

    programs = [
        FakeHit(FakeProgram(f"p{n}", f"Program {n}", "a program", _functions(FITTING))) for n in range(3)
    ]
    llm = ScriptedLLM([COPIED, COPIED, COPIED, LINKS])
    deps = Deps(
        llm=llm,
        catalog=snapshot_catalog,
        retriever=StaticRetriever(programs),
        executor=ScriptedExecutor([FakeExecution()]),
        nodes=SEARCH,
    )
    await agenerate(TASK, [PHOTO], deps=deps, filter_examples=False, search_budget=0, max_refinements=0)
    firsts = [min(range(3), key=lambda n: user.index(f"# Program {n}:")) for _, user in llm.prompts[:3]]
    assert firsts == [0, 1, 2]  # each sample sees another program first, all three shown
    same = ScriptedLLM([COPIED, COPIED, COPIED, LINKS])
    deps = Deps(
        llm=same,
        catalog=snapshot_catalog,
        retriever=StaticRetriever(programs),
        nodes=SEARCH,
        executor=ScriptedExecutor([FakeExecution()]),
    )
    await agenerate(TASK, [PHOTO], deps=deps, filter_examples=False, vary_examples=False, max_refinements=0)
    assert len({user for _, user in same.prompts[:3]}) == 1
