"""Review interrupts, resume from the SQLite checkpoint, rerun without inference, subgraph, topology."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command
from syrupy.assertion import SnapshotAssertion

from anysym.errors import AnysymError, LLMError
from anysym.graph.api import agenerate, arerun, aresume, review_path
from anysym.graph.artifacts import RESULT_FILE, RunDir
from anysym.graph.build import build_graph, compile_graph
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import Result
from anysym.graph.state import State
from anysym.graph.testing import ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog

PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"
GOOD = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "save", "images")
```"""


async def paused_run(catalog: Catalog, run_dir: Path, **options: Any) -> tuple[Deps, Result]:
    """A one-step run of GOOD paused for review in `run_dir`, with the deps that produced it."""
    deps = Deps(llm=ScriptedLLM([GOOD]), catalog=catalog, executor=ScriptedExecutor([]))
    paused = await agenerate(
        "invert photo.png", [PHOTO], deps=deps, one_step=True, review=True, run_dir=run_dir, **options
    )
    assert paused.status == "interrupted"
    return deps, paused


def test_topology_snapshot(snapshot_catalog: Catalog, snapshot: SnapshotAssertion) -> None:
    graph = compile_graph(Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog))
    assert graph.get_graph().draw_mermaid(with_styles=False) == snapshot


async def test_review_interrupts_before_execute_and_an_edit_is_compiled(snapshot_catalog: Catalog) -> None:
    executor = ScriptedExecutor([])
    deps = Deps(llm=ScriptedLLM([GOOD]), catalog=snapshot_catalog, executor=executor)
    graph = compile_graph(deps, checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "t"}}
    context = Context(one_step=True, review=True)
    request = {"task": "invert photo.png", "inputs": [str(PHOTO)], "key_functions": []}
    paused = await graph.ainvoke(request, config=config, context=context)  # type: ignore[arg-type]
    assert paused["__interrupt__"][0].value["flow"].startswith('workflow.add_node("photo"')
    assert executor.prompts == []
    edited = paused["__interrupt__"][0].value["flow"].replace('"inverted"', '"edited"')
    final = await graph.ainvoke(Command(resume=edited), config=config, context=context)
    assert final["result"].status == "succeeded"
    assert [a.stage for a in final["attempts"]] == ["one_step", "edit"]
    assert executor.prompts[0]["save"]["inputs"]["filename_prefix"] == "edited"


async def test_interrupted_run_resumes_from_its_run_directory(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run-1"
    _, paused = await paused_run(snapshot_catalog, run_dir)
    assert paused.stage == "valid"
    review = review_path(run_dir, "declarative")
    review.write_text(review.read_text().replace('"inverted"', '"reviewed"'))
    executor = ScriptedExecutor([])
    second = Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog, executor=executor)
    resumed = await aresume(run_dir, deps=second)
    assert resumed.status == "succeeded" and resumed.run_id == "run-1"
    assert executor.prompts[0]["save"]["inputs"]["filename_prefix"] == "reviewed"
    assert (run_dir / "result.json").is_file() and (run_dir / "checkpoints.sqlite").is_file()


async def test_resuming_an_ended_run_changes_nothing(snapshot_catalog: Catalog, tmp_path: Path) -> None:
    run_dir = tmp_path / "run-2"
    deps = Deps(llm=ScriptedLLM([GOOD]), catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    done = await agenerate("invert photo.png", [PHOTO], deps=deps, one_step=True, run_dir=run_dir)
    assert done.status == "succeeded"
    recorded = (run_dir / RESULT_FILE).read_bytes()
    untouched = Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    again = await aresume(run_dir, deps=untouched)
    assert (again.status, again.timings, again.texts) == (done.status, done.timings, done.texts)
    assert (run_dir / RESULT_FILE).read_bytes() == recorded  # its timings are the first run's


async def test_a_service_error_keeps_the_run_resumable_and_says_how(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run-down"
    down = ScriptedLLM([LLMError("the LLM endpoint failed for the one_step request after 4 attempts")])
    deps = Deps(llm=down, catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    with pytest.raises(LLMError) as caught:
        await agenerate("invert photo.png", [PHOTO], deps=deps, one_step=True, run_dir=run_dir)
    assert str(caught.value).endswith(f"(the run is kept: `anysym resume {run_dir}` goes on from there)")
    recorded = Result.model_validate_json((run_dir / RESULT_FILE).read_bytes())
    assert recorded.status == "interrupted" and "after 4 attempts" in (recorded.error or "")
    back = Deps(llm=ScriptedLLM([GOOD]), catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    resumed = await aresume(run_dir, deps=back)
    assert resumed.status == "succeeded"
    assert RunDir(run_dir).finished_result() is not None


async def test_a_run_being_resumed_refuses_a_second_resume(snapshot_catalog: Catalog, tmp_path: Path) -> None:
    run_dir = tmp_path / "run-3"
    first, _ = await paused_run(snapshot_catalog, run_dir)
    llm = ScriptedLLM([])
    with RunDir(run_dir).exclusive("resume"), pytest.raises(AnysymError, match="busy"):
        await aresume(run_dir, deps=Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([])))
    assert llm.prompts == []
    resumed = await aresume(run_dir, deps=first)
    assert resumed.status == "succeeded"


async def test_rerun_executes_an_edited_flow_without_llm_calls(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run-2"
    deps = Deps(llm=ScriptedLLM([GOOD]), catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    done = await agenerate("invert photo.png", [PHOTO], deps=deps, one_step=True, run_dir=run_dir)
    assert done.status == "succeeded"
    edit = tmp_path / "edit.dataflow"
    edit.write_text(done.texts["dataflow"].replace('"inverted"', '"rerun"'))
    executor = ScriptedExecutor([])
    rerun = await arerun(
        run_dir, edit=edit, deps=Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog, executor=executor)
    )
    assert rerun.status == "succeeded" and rerun.llm_calls == ()
    assert rerun.run_dir == tmp_path / "run-2-rerun-1"
    assert executor.prompts[0]["save"]["inputs"]["filename_prefix"] == "rerun"


class ParentState(State, total=False):
    """A parent graph's state that embeds the engine and adds its own field."""

    summary: str


async def test_build_graph_embeds_as_a_subgraph(snapshot_catalog: Catalog) -> None:
    deps = Deps(llm=ScriptedLLM([GOOD]), catalog=snapshot_catalog, executor=ScriptedExecutor([]))

    def summarise(state: ParentState) -> dict[str, str]:
        return {"summary": f"{state['result'].status} after {len(state['attempts'])} attempt(s)"}

    parent = StateGraph(ParentState, context_schema=Context)
    parent.add_node("engine", build_graph(deps).compile())
    parent.add_node("summarise", summarise)
    parent.add_edge(START, "engine")
    parent.add_edge("engine", "summarise")
    parent.add_edge("summarise", END)
    request: Any = {"task": "invert photo.png", "inputs": [str(PHOTO)], "key_functions": []}
    out = await parent.compile().ainvoke(request, context=Context(one_step=True))
    assert out["summary"] == "succeeded after 1 attempt(s)"


async def test_resume_and_rerun_use_the_servers_the_run_used(
    snapshot_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import asynccontextmanager

    from anysym.graph import defaults

    run_dir = tmp_path / "run-4"
    servers = ["http://10.0.0.5:8188", "http://10.0.0.6:8188"]
    await paused_run(snapshot_catalog, run_dir, servers=servers)
    opened: list[Any] = []

    @asynccontextmanager
    async def recording(paths: Any, **options: Any) -> Any:
        opened.append(options["servers"])
        yield Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog, executor=ScriptedExecutor([]))

    monkeypatch.setattr(defaults, "open_default_deps", recording)
    assert (await aresume(run_dir, paths=None)).status == "succeeded"
    assert (await arerun(run_dir)).status == "succeeded"
    assert opened == [servers, servers]


async def test_a_corrupt_checkpoint_file_is_one_line_that_says_what_to_do(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run-5"
    first, _ = await paused_run(snapshot_catalog, run_dir)
    for leftover in run_dir.glob("checkpoints.sqlite*"):
        leftover.unlink()
    (run_dir / "checkpoints.sqlite").write_bytes(b"this is not a database, " * 200)
    with pytest.raises(AnysymError, match="checkpoints of run run-5 cannot be read") as caught:
        await aresume(run_dir, deps=first)
    assert "\n" not in str(caught.value) and "anysym rerun run-5" in str(caught.value)
