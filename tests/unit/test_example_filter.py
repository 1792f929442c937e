"""Leaving out retrieved programs that do another job (`Context.filter_examples`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Example, State
from anysym.graph.testing import FakeHit, FakeProgram, KeywordNodeSearch, ScriptedLLM, StaticRetriever
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function
from anysym.language.io_nodes import working_types
from anysym.nodes.retrieve import off_task, retrieve

THRESHOLD = ("LoadImage", "ImageToMask", "ThresholdMask", "GrowMask", "MaskToImage", "SaveImage")
SEARCH = KeywordNodeSearch({"invert": ["ImageInvert", "InvertMask"], "save": ["SaveImage"]})


def _program(name: str, *types: str) -> FakeHit:
    functions = {f"f{n}": Function(type=t) for n, t in enumerate(types)}
    return FakeHit(FakeProgram(name, name, f"{name} program", Flow.build(functions, [])))


def _example(*types: str) -> Example:
    return Example(id="x", title="x", description="x", text="", node_types=types)


def test_working_types_leave_out_loaders_creators_savers_and_unknown_types(snapshot_catalog: Catalog) -> None:
    names = ["LoadImage", "EmptyImage", "ImageInvert", "ImageScale", "SaveImage", "NoSuchNode"]
    assert working_types(names, snapshot_catalog) == {"ImageInvert", "ImageScale"}


def test_a_program_is_off_task_when_most_of_its_working_types_were_not_found(
    snapshot_catalog: Catalog,
) -> None:
    found = ["ImageInvert", "SaveImage"]
    threshold = _example(*THRESHOLD)
    assert off_task(threshold, found, snapshot_catalog)
    assert not off_task(
        _example("LoadImage", "ImageInvert", "ImageScale", "SaveImage"), found, snapshot_catalog
    )
    assert not off_task(_example("LoadImage", "SaveImage"), found, snapshot_catalog)  # nothing to judge


async def test_retrieve_drops_off_task_programs_and_fills_up_from_further_hits(
    snapshot_catalog: Catalog,
) -> None:
    hits = [
        _program(
            "threshold", "LoadImage", "ImageToMask", "ThresholdMask", "GrowMask", "MaskToImage", "SaveImage"
        ),
        _program("upscale", "LoadImage", "ImageScaleBy", "SaveImage"),
        _program("invert_resize", "LoadImage", "ImageInvert", "ImageScale", "SaveImage"),
        _program("invert_mask", "LoadImageMask", "InvertMask", "MaskToImage", "SaveImage"),
    ]
    deps = Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog, retriever=StaticRetriever(hits), nodes=SEARCH)
    state: State = {"task": "Invert the colours of photo.png and save it", "inputs": [], "key_functions": []}
    kept = await retrieve(state, Runtime(context=Context(k=2, filter_examples=True)), deps=deps)
    assert [ex.id for ex in kept["examples"]] == ["invert_resize", "invert_mask"]
    # what the two programs left out use stays within reach of the excerpt, last
    assert kept["aside_types"] == [*THRESHOLD, "ImageScaleBy"]
    plain = await retrieve(state, Runtime(context=Context(k=2, filter_examples=False)), deps=deps)
    assert [ex.id for ex in plain["examples"]] == ["threshold", "upscale"]
    assert plain["aside_types"] == []


async def test_programs_whose_file_loading_does_not_fit_the_task_are_left_out(
    snapshot_catalog: Catalog,
) -> None:
    canvas = FakeHit(
        FakeProgram("canvas", "canvas", "plain canvas", Flow.build({"c": Function(type="EmptyImage")}, []))
    )
    loads = {
        "l": Function(type="LoadImage", params={"image": "photo.png"}),
        "i": Function(type="ImageInvert"),
    }
    invert = FakeHit(FakeProgram("invert", "invert", "invert a photo", Flow.build(loads, [])))
    deps = Deps(
        llm=ScriptedLLM([]), catalog=snapshot_catalog, retriever=StaticRetriever([canvas, invert]), nodes=None
    )

    async def kept(inputs: list[str], match: bool) -> list[str]:
        state: State = {"task": "Give me the negative", "inputs": inputs, "key_functions": []}
        context = Context(k=2, match_example_inputs=match)
        return [ex.id for ex in (await retrieve(state, Runtime(context=context), deps=deps))["examples"]]

    assert await kept(["/in/portrait.png"], match=True) == ["invert"]
    assert await kept([], match=True) == ["canvas"]
    assert await kept(["/in/portrait.png"], match=False) == ["canvas", "invert"]
