"""The inference graph driven end to end by scripted chat models and a scripted executor (no network)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from langchain_core.language_models import FakeListChatModel

from anysym.errors import ALangSemanticError, ALangSyntaxError, LLMError
from anysym.graph.api import agenerate
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.testing import (
    FakeExecution,
    FakeHit,
    FakeProgram,
    ScriptedExecutor,
    ScriptedLLM,
    StaticRetriever,
)
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.gbnf import build_grammar
from anysym.language.syntax import parse, render
from anysym.llm.chat import LLMClient

PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"
TASK = "Invert the colours of photo.png and save it"

PSI1 = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})
```"""
PSI2 = """```python
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "save", "images")
```"""
GOOD = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "save", "images")
```"""
BROKEN_SYNTAX = '```python\nworkflow.connect("photo", "IMAGE", "inv" "image")\n```'
OUT_OF_RANGE = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("big", "ImageScale", {"upscale_method": "bilinear", "width": 99999, "height": 64})
workflow.add_node("save", "SaveImage", {"filename_prefix": "big"})
workflow.connect("photo", "IMAGE", "big", "image")
workflow.connect("big", "IMAGE", "save", "images")
```"""


def _deps(
    catalog: Catalog, answers: list[str | BaseException], executions: list[FakeExecution] | None = None
):
    llm = ScriptedLLM(list(answers))
    executor = ScriptedExecutor(list(executions or []))
    return Deps(llm=llm, catalog=catalog, executor=executor), llm, executor


async def test_first_try_success_runs_psi1_psi2_compile_execute(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    deps, llm, executor = _deps(snapshot_catalog, [PSI1, PSI2])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, run_dir=tmp_path / "run")
    assert result.status == "succeeded" and result.stage == "outputs"
    assert [stage for stage, _ in llm.prompts] == ["psi1", "psi2"]
    assert [a.stage for a in result.attempts] == ["psi2"]
    assert result.flow == parse(GOOD.strip("`python\n"), "declarative")
    assert executor.prompts[0]["inv"] == {"class_type": "ImageInvert", "inputs": {"image": ["photo", 0]}}
    assert executor.inputs[0] == {"photo.png": PHOTO}
    assert [o.function_id for o in result.outputs] == ["save"]
    assert set(result.texts) == {"declarative", "dataflow", "pseudo"}
    run = tmp_path / "run"
    for name in (
        "task.json",
        "result.json",
        "api.json",
        "flow.pseudo",
        "transcript.jsonl",
        "attempts/00/flow.txt",
    ):
        assert (run / name).is_file(), name
    assert len((run / "transcript.jsonl").read_text().splitlines()) == 2
    assert result.timings.total_s >= result.timings.llm_s + result.timings.comfy_s


async def test_every_context_field_is_an_option_and_a_context_can_be_passed(
    snapshot_catalog: Catalog,
) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, BROKEN_SYNTAX, PSI1, PSI2])
    budget = Context(max_llm_calls=2, candidates=1)
    result = await agenerate(TASK, [PHOTO], deps=deps, context=budget, refine_in_steps=False)
    assert len(llm.prompts) == 2 and result.status == "failed"  # the budget ends the run, not the script
    with pytest.raises(TypeError, match="unknown engine option.*no_such_switch"):
        await agenerate(TASK, [PHOTO], deps=deps, no_such_switch=True)


async def test_psi1_prompt_states_sizes_numbers_keys_and_examples(snapshot_catalog: Catalog) -> None:
    example = FakeProgram(
        "blur", "Blur a photo", "blur an image", parse(GOOD.strip("`python\n"), "declarative")
    )
    psi1 = '```python\nphoto = LoadImage(image="photo.png")\ninv = ImageInvert()\n'
    psi1 += 'save = SaveImage(filename_prefix="inverted")\n```'
    psi2 = "```python\n" + render(example.program_flow, "dataflow") + "```"
    llm = ScriptedLLM([psi1, psi2])
    retriever = StaticRetriever([FakeHit(example)])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]), retriever=retriever)
    result = await agenerate(
        "Invert photo.png, then scale it to 160x120",
        [PHOTO],
        deps=deps,
        syntax="dataflow",
        key_functions=['SaveImage(filename_prefix="inverted")'],
    )
    assert result.status == "succeeded"
    assert retriever.queries == ["Invert image, then scale it to 160x120"]  # file names name no operation
    psi1 = llm.prompts[0][1]
    assert '"photo.png": image, 320x240 pixels' in psi1
    assert "160x120" in psi1
    assert 'SaveImage(filename_prefix="inverted")' in psi1
    assert "inv = ImageInvert(image=photo.IMAGE)" in psi1  # the example, in the run's syntax
    assert "ImageInvert(image: IMAGE) -> IMAGE\n" in psi1  # compact: the output named like its type


async def test_compact_signatures_switch_off_for_the_full_form(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, GOOD])
    await agenerate(TASK, [PHOTO], deps=deps)
    assert "- LoadImage(image: INPUT_FILE_NAME) -> IMAGE, MASK\n" in llm.prompts[0][1]
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, GOOD])
    await agenerate(TASK, [PHOTO], deps=deps, compact_signatures=False)
    assert "- LoadImage(image: INPUT_FILE_NAME) -> IMAGE: IMAGE, MASK: MASK\n" in llm.prompts[0][1]


async def test_syntax_error_is_refined_to_success(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, BROKEN_SYNTAX, GOOD])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False)
    assert result.status == "succeeded"
    assert [a.failed_stage for a in result.attempts] == ["parse", None]
    assert result.attempts[0].diagnostics[0].kind is DiagnosticKind.SYNTAX_ERROR
    assert "syntax_error" in llm.prompts[2][1]


async def test_validation_error_is_refined(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, OUT_OF_RANGE, GOOD])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False)
    assert result.status == "succeeded"
    assert result.attempts[0].failed_stage == "validate"
    assert result.attempts[0].stage_reached == "parsed"
    assert "value_out_of_range" in llm.prompts[2][1] and "99999" in llm.prompts[2][1]


async def test_refiner_sees_the_current_attempts_diagnostics(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, BROKEN_SYNTAX, OUT_OF_RANGE, GOOD])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False)
    assert result.status == "succeeded" and len(result.attempts) == 3
    first_repair, second_repair = llm.prompts[2][1], llm.prompts[3][1]
    assert "syntax_error" in first_repair and "value_out_of_range" not in first_repair
    assert "value_out_of_range" in second_repair and "syntax_error" not in second_repair
    assert "width=99999" in second_repair or '"width": 99999' in second_repair


async def test_refinement_exhausted_returns_failed_result_with_every_attempt(
    snapshot_catalog: Catalog,
) -> None:
    deps, llm, executor = _deps(snapshot_catalog, [PSI1, BROKEN_SYNTAX, BROKEN_SYNTAX, OUT_OF_RANGE])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, max_refinements=2)
    assert result.status == "failed" and result.stage == "parsed"
    assert [a.stage for a in result.attempts] == ["psi2", "refine", "refine"]
    assert all(a.diagnostics for a in result.attempts)
    assert result.error is not None and "value_out_of_range" in result.error
    assert executor.prompts == [] and llm.answers == []


async def test_execution_error_and_missing_outputs_are_refined(snapshot_catalog: Catalog) -> None:
    crash = Diagnostic(kind=DiagnosticKind.EXECUTION_ERROR, function="inv", message="boom at run time")
    executions = [
        FakeExecution(success=False, diagnostics=(crash,)),
        FakeExecution(output_functions=()),
        FakeExecution(),
    ]
    deps, llm, executor = _deps(snapshot_catalog, [PSI1, PSI2, GOOD, GOOD], executions)
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False)
    assert result.status == "succeeded"
    assert [a.failed_stage for a in result.attempts] == ["execute", "outputs", None]
    assert "boom at run time" in llm.prompts[2][1]
    assert "no_outputs" in llm.prompts[3][1]
    assert len(executor.prompts) == 3


async def test_one_step_ablation_makes_one_call(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [GOOD])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, one_step=True)
    assert result.status == "succeeded"
    assert [stage for stage, _ in llm.prompts] == ["one_step"]
    assert result.attempts[0].stage == "one_step"


async def test_no_refine_ablation_stops_at_the_first_failure(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, BROKEN_SYNTAX, GOOD])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, refine=False)
    assert result.status == "failed" and len(result.attempts) == 1
    assert len(llm.prompts) == 2


async def test_dry_run_stops_at_a_valid_compile(snapshot_catalog: Catalog) -> None:
    deps = Deps(llm=ScriptedLLM([PSI1, PSI2]), catalog=snapshot_catalog)
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, execute=False)
    assert result.status == "succeeded" and result.stage == "valid"
    assert result.api is not None and result.api["save"]["class_type"] == "SaveImage"


async def test_missing_key_function_is_refined(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, PSI2, GOOD.replace('"inverted"', '"pinned"')])
    result = await agenerate(
        TASK, [PHOTO], deps=deps, refine_in_steps=False, key_functions=['SaveImage(filename_prefix="pinned")']
    )
    assert result.status == "succeeded"
    assert result.attempts[0].failed_stage == "key_functions"
    assert "missing_key_function" in llm.prompts[2][1]


async def test_psi1_answer_without_program_is_recorded_and_refined(snapshot_catalog: Catalog) -> None:
    two_blocks = "```\na\n```\nor\n```\nb\n```"
    deps, _, _ = _deps(snapshot_catalog, [two_blocks, GOOD])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, candidates=1)
    assert result.status == "succeeded"
    assert result.attempts[0].stage == "psi1" and result.attempts[0].failed_stage == "extract"
    assert result.attempts[0].diagnostics[0].kind is DiagnosticKind.EXTRACTION_ERROR


async def test_llm_transport_errors_are_retried_then_raise_llm_error(snapshot_catalog: Catalog) -> None:
    class Unreachable(FakeListChatModel):
        calls: int = 0

        async def _agenerate(self, *args: object, **kwargs: object):  # type: ignore[override]
            self.calls += 1
            raise httpx.ConnectError("connection refused")

    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    model = Unreachable(responses=["unused"])
    client = LLMClient(model, max_retries=2, backoff_s=0.5, sleep=no_wait)
    deps = Deps(llm=client, catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    with pytest.raises(LLMError):
        await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False)
    assert model.calls == 3 and waits == [0.5, 1.0]


async def test_real_llm_client_with_a_scripted_chat_model(snapshot_catalog: Catalog) -> None:
    client = LLMClient(FakeListChatModel(responses=[PSI1, PSI2]))
    deps = Deps(llm=client, catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False)
    assert result.status == "succeeded"
    assert [c.stage for c in result.llm_calls] == ["psi1", "psi2"]


def _psi2_chat(llm: ScriptedLLM) -> str:
    """Everything psi2 (the second call) was sent: psi1's question, psi1's functions and its own question."""
    return "\n".join(str(message.content) for message in llm.chats[1])


async def test_psi1_task_fact_repairs_reach_psi2_and_are_recorded(snapshot_catalog: Catalog) -> None:
    forgot_loader = PSI1.replace('workflow.add_node("photo", "LoadImage", {"image": "photo.png"})\n', "")
    deps, llm, executor = _deps(snapshot_catalog, [forgot_loader, PSI2])
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, candidates=1)
    assert 'workflow.add_node("photo", "LoadImage", {"image": "photo.png"})' in _psi2_chat(llm)
    assert result.status == "succeeded"
    assert result.attempts[0].repairs[0] == (
        'added photo = LoadImage(image="photo.png"): the input file was not loaded'
    )
    # the task-repairs ablation switches them off: psi2 then links a flow without a loader
    deps, llm, _ = _deps(snapshot_catalog, [forgot_loader, PSI2])
    ablated = await agenerate(
        TASK,
        [PHOTO],
        deps=deps,
        refine_in_steps=False,
        repairs=False,
        task_repairs=False,
        refine=False,
        candidates=1,
    )
    assert 'workflow.add_node("photo", "LoadImage"' not in _psi2_chat(llm)
    assert ablated.status == "failed" and not ablated.attempts[0].repairs


async def test_refine_in_steps_writes_functions_then_links_them_with_psi2(snapshot_catalog: Catalog) -> None:
    big_functions = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("big", "ImageScale", {"upscale_method": "bilinear", "width": 99999, "height": 64})
workflow.add_node("save", "SaveImage", {"filename_prefix": "big"})
```"""
    big_links = """```python
workflow.connect("photo", "IMAGE", "big", "image")
workflow.connect("big", "IMAGE", "save", "images")
```"""
    deps, llm, _ = _deps(snapshot_catalog, [big_functions, big_links, PSI1, PSI2])
    result = await agenerate(TASK, [PHOTO], deps=replace(deps, grammar=build_grammar), candidates=1)
    assert result.status == "succeeded" and len(result.attempts) == 2
    assert result.attempts[0].failed_stage == "validate"
    assert [call.stage for call in result.llm_calls] == ["psi1", "psi2", "refine", "refine"]
    assert result.attempts[1].stage == "refine"
    step1, step2 = llm.prompts[2][1], llm.prompts[3][1]
    assert "value_out_of_range" in step1 and "Step 1 of 2" in step1 and "no links yet" in step1
    assert "Step 2 of 2" in step2 and '"inv", "ImageInvert"' in step2
    assert llm.grammars[2] is not None and "workflow.connect" not in llm.grammars[2]  # functions only


async def test_refine_in_steps_with_an_unusable_answer_is_compiled_and_refined_again(
    snapshot_catalog: Catalog,
) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [PSI1, BROKEN_SYNTAX, "```python\n```", PSI1, PSI2])
    result = await agenerate(TASK, [PHOTO], deps=deps, max_refinements=3, candidates=1)
    assert [a.failed_stage for a in result.attempts] == ["parse", "extract", None]
    assert [a.stage for a in result.attempts] == ["psi2", "refine", "refine"]
    assert result.status == "succeeded" and len(llm.prompts) == 5


async def test_key_functions_are_checked_before_any_llm_call(snapshot_catalog: Catalog) -> None:
    deps, llm, _ = _deps(snapshot_catalog, [])
    with pytest.raises(ALangSyntaxError, match="cannot read key function"):
        await agenerate(TASK, [PHOTO], deps=deps, key_functions=['SaveImage(filename_prefix="x"'])
    with pytest.raises(ALangSemanticError, match="no node type 'SaveImg'; did you mean SaveImage"):
        await agenerate(TASK, [PHOTO], deps=deps, key_functions=['SaveImg(filename_prefix="x")'])
    assert llm.prompts == []
