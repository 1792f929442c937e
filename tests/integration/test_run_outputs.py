"""Output files of runs without a run directory, on the REAL local ComfyUI: only the result's files stay."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pytest
from PIL import Image

from anysym.errors import LLMError
from anysym.executor.client import ComfyClient
from anysym.graph.api import agenerate
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.deps import Deps
from anysym.graph.result import Result
from anysym.graph.testing import KeywordNodeSearch, ScriptedLLM
from anysym.language.catalog import Catalog

# Linked layer first: it runs, fails verification (wrong size), and search's operand swap passes.
LAYER_FIRST = """```python
photo = LoadImage(image="photo.png")
portrait = LoadImage(image="portrait.png")
blend = ImageBlend(image1=portrait.IMAGE, image2=photo.IMAGE, blend_factor=0.7, blend_mode="screen")
save = SaveImage(images=blend.IMAGE, filename_prefix="anysym_outputs_test")
```"""
TASK = "Screen-blend portrait.png over photo.png with factor 0.7; keep the size of photo.png."


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Python's temporary folder for the test, so the folders a run leaves there can be counted."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


async def _run(
    comfy_server: object,
    catalog: Catalog,
    files: list[Path],
    answers: list[str | BaseException],
    **options: object,
) -> Result:
    nodes = KeywordNodeSearch({"blend": ["ImageBlend"]})
    async with httpx.AsyncClient() as http:
        executor = ComfyExecutor(ComfyClient(comfy_server.url, http=http))  # type: ignore[attr-defined]
        deps = Deps(llm=ScriptedLLM(list(answers)), catalog=catalog, executor=executor, nodes=nodes)
        return await agenerate(
            TASK, files, deps=deps, syntax="dataflow", one_step=True, execute_timeout_s=900.0, **options
        )


def _pictures(tmp_path: Path) -> list[Path]:
    photo, portrait = tmp_path / "photo.png", tmp_path / "portrait.png"
    Image.new("RGB", (64, 48), (40, 80, 120)).save(photo)
    Image.new("RGB", (32, 40), (200, 20, 20)).save(portrait)
    return [photo, portrait]


async def test_a_run_keeps_one_temporary_folder_with_the_result_files_only(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path, temp_root: Path
) -> None:
    result = await _run(comfy_server, comfy_catalog, _pictures(tmp_path), [LAYER_FIRST], max_refinements=0)
    assert result.status == "succeeded" and result.verification == "verified"
    assert sum(1 for a in result.attempts if a.outputs) == 2  # the wrong blend ran too
    folders = list(temp_root.glob("anysym-outputs-*"))
    assert len(folders) == 1
    assert sorted(p for p in folders[0].rglob("*") if p.is_file()) == sorted(o.path for o in result.outputs)
    with Image.open(result.outputs[0].path) as out:
        assert out.size == (64, 48)


async def test_a_failed_verification_keeps_its_outputs_to_look_at(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path, temp_root: Path
) -> None:
    result = await _run(
        comfy_server, comfy_catalog, _pictures(tmp_path), [LAYER_FIRST], max_refinements=0, search_budget=0
    )
    assert result.verification == "failed" and len(result.outputs) == 1
    (folder,) = temp_root.glob("anysym-outputs-*")
    assert [p for p in folder.rglob("*") if p.is_file()] == [result.outputs[0].path]


async def test_a_run_without_outputs_or_that_raises_leaves_no_folder(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path, temp_root: Path
) -> None:
    mistyped = LAYER_FIRST.replace("image2=photo.IMAGE", "image2=photo.MASK")  # never runs (no search)
    result = await _run(
        comfy_server, comfy_catalog, _pictures(tmp_path), [mistyped], max_refinements=0, search_budget=0
    )
    assert result.status == "failed" and not result.outputs
    assert list(temp_root.iterdir()) == []
    with pytest.raises(LLMError):
        await _run(comfy_server, comfy_catalog, _pictures(tmp_path), [LLMError("endpoint down")])
    assert list(temp_root.iterdir()) == []


async def test_a_named_outputs_folder_keeps_the_callers_files(
    comfy_server: object, comfy_catalog: Catalog, tmp_path: Path, temp_root: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    result = await _run(
        comfy_server, comfy_catalog, _pictures(tmp_path), [LAYER_FIRST], max_refinements=0, outputs_dir=folder
    )
    assert result.verification == "verified"
    names = sorted(p.name for p in folder.rglob("*") if p.is_file())
    assert names == sorted(["notes.txt", *(o.path.name for o in result.outputs)])
    assert list(temp_root.iterdir()) == []
