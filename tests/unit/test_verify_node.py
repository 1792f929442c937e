"""The verify node in the graph: a scripted judge drives verify -> refine -> verified."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from anysym.graph.api import agenerate
from anysym.graph.deps import Deps
from anysym.graph.testing import ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.verify.judge import JudgeVerdict

PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"
TASK = "Invert the colours of photo.png"
PSI1 = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("blur", "ImageBlur", {"blur_radius": 3, "sigma": 1.0})
workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})
```"""
PSI2 = """```python
workflow.connect("photo", "IMAGE", "blur", "image")
workflow.connect("blur", "IMAGE", "save", "images")
```"""
FIXED = """```python
workflow.add_node("photo", "LoadImage", {"image": "photo.png"})
workflow.add_node("inv", "ImageInvert", {})
workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})
workflow.connect("photo", "IMAGE", "inv", "image")
workflow.connect("inv", "IMAGE", "save", "images")
```"""


@dataclass
class ScriptedJudge:
    """Returns the scripted verdicts in order and records what it was shown."""

    verdicts: list[JudgeVerdict]
    shown: list[tuple[str, list[Path], list[Path]]] = field(default_factory=list)

    async def judge(self, task: str, inputs: Sequence[Path], outputs: Sequence[Path]) -> JudgeVerdict:
        self.shown.append((task, list(inputs), list(outputs)))
        return self.verdicts.pop(0)


async def test_a_judge_rejection_is_refined_until_verified(snapshot_catalog: Catalog) -> None:
    judge = ScriptedJudge(
        [JudgeVerdict(passed=False, reason="the output is blurred, not inverted"), JudgeVerdict(True, "ok")]
    )
    llm = ScriptedLLM([PSI1, PSI2, FIXED])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]), judge=judge)
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False)
    first, second = result.attempts
    assert first.failed_stage == "verification" and first.verification == "failed"
    rejection = next(d for d in first.diagnostics if d.kind is DiagnosticKind.VERIFICATION_FAILED)
    assert "blurred, not inverted" in rejection.message and rejection.function == "save"
    assert rejection.render() in llm.prompts[2][1]  # refine was told why
    assert second.stage == "refine" and second.verification == "verified"
    assert result.status == "succeeded" and result.verification == "verified"
    assert [task for task, _, _ in judge.shown] == [TASK, TASK]
    assert judge.shown[0][1] == [PHOTO.resolve()] and len(judge.shown[0][2]) == 1


async def test_a_run_that_keeps_failing_verification_says_so(snapshot_catalog: Catalog) -> None:
    judge = ScriptedJudge([JudgeVerdict(False, "wrong")] * 2)
    deps = Deps(
        llm=ScriptedLLM([PSI1, PSI2, FIXED]),
        catalog=snapshot_catalog,
        executor=ScriptedExecutor([]),
        judge=judge,
    )
    result = await agenerate(TASK, [PHOTO], deps=deps, refine_in_steps=False, max_refinements=1)
    assert result.status == "failed" and result.verification == "failed"
    assert result.outputs  # what ran is kept, never lost
    assert result.error is not None and "vision judge rejected" in result.error


async def test_an_unused_input_runs_then_fails_verification_with_its_outputs(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    other = tmp_path / "pattern.png"
    other.write_bytes(PHOTO.read_bytes())
    llm = ScriptedLLM([PSI1, PSI2, FIXED])
    deps = Deps(llm=llm, catalog=snapshot_catalog, executor=ScriptedExecutor([]))
    result = await agenerate(TASK, [PHOTO, other], deps=deps, refine_in_steps=False, max_refinements=0)
    [only] = result.attempts
    assert only.stage_reached == "outputs" and only.outputs  # it ran: blocking it showed nothing
    assert only.failed_stage == "verification" and result.verification == "failed"
    # the task repairs load pattern.png; verify reports that its loader reaches no output
    assert [(d.kind, d.function) for d in only.diagnostics if d.is_error] == [
        (DiagnosticKind.REACHES_NO_OUTPUT, "pattern")
    ]
