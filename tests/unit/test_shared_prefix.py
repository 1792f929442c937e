"""psi2 shares psi1's context, so the LLM server reads only the new step from its prompt cache."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

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


async def _chats(
    catalog: Catalog, tmp_path: Path, *, shared_prefix: bool, continued_chat: bool = True
) -> tuple[list[BaseMessage], list[BaseMessage]]:
    llm = ScriptedLLM([PSI1, PSI2])
    deps = Deps(llm=llm, catalog=catalog, executor=ScriptedExecutor([FakeExecution()]))
    await agenerate(
        TASK,
        [PHOTO],
        deps=deps,
        shared_prefix=shared_prefix,
        continued_chat=continued_chat,
        verify=False,
        run_dir=tmp_path / "run",
    )
    assert [stage for stage, _ in llm.prompts[:2]] == ["psi1", "psi2"]
    return llm.chats[0], llm.chats[1]


async def _prompts(
    catalog: Catalog, tmp_path: Path, *, shared_prefix: bool, continued_chat: bool = True
) -> tuple[str, str]:
    psi1, psi2 = await _chats(catalog, tmp_path, shared_prefix=shared_prefix, continued_chat=continued_chat)
    return str(psi1[-1].content), str(psi2[-1].content)


async def test_psi2_continues_psi1s_chat_after_its_functions(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    psi1, psi2 = await _chats(snapshot_catalog, tmp_path, shared_prefix=True)
    assert [type(m) for m in psi1] == [SystemMessage, HumanMessage]
    assert [type(m) for m in psi2] == [SystemMessage, HumanMessage, AIMessage, HumanMessage]
    assert psi2[:2] == psi1  # the server's cache holds all of it, and psi1's answer after it
    answer, question = str(psi2[2].content), str(psi2[3].content)
    assert '"half", "ImageScaleBy"' in answer and "connect" not in answer
    assert question.startswith(STEP_2) and "Available functions" not in question
    assert len(question) < 300  # the only text the server has not read yet


async def test_psi2_repeats_psi1_up_to_the_step_instruction_when_it_restates_the_functions(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    psi1, psi2 = await _prompts(snapshot_catalog, tmp_path, shared_prefix=True, continued_chat=False)
    assert psi2.split(STEP_2)[0] == psi1.split(STEP_1)[0]
    assert '"half", "ImageScaleBy"' in psi2


async def test_without_it_psi1_functions_come_first_in_psi2_excerpt(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    psi1, psi2 = await _prompts(snapshot_catalog, tmp_path, shared_prefix=False)
    assert psi2.split(STEP_2)[0] != psi1.split(STEP_1)[0]
    excerpt = psi2.split("Available functions")[1]
    assert excerpt.index("- ImageScaleBy(") < excerpt.index("- ImageInvert(")
