"""The random-weight generator, run by the real ComfyUI venv: produces the recorded bytes, skips files
whose hash matches, regenerates corrupted ones and refuses bytes that differ from the table."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from anysym.errors import LocalServiceError
from anysym.services.comfy.random_models import RANDOM_MODELS, file_sha256, generate
from anysym.services.comfy.server import LocalComfy
from anysym.settings import Paths

SMALL = tuple(
    m for m in RANDOM_MODELS if m.kind in {"taesd_encoder", "taesd_decoder", "sd15_lora", "compact_upscaler"}
)


@dataclasses.dataclass(frozen=True)
class Install:
    python: Path
    models_dir: Path


@pytest.fixture(scope="module")
def venv_python() -> Path:
    local = LocalComfy(Paths.from_env(os.environ))
    if not local.is_installed:
        pytest.fail(
            f"the local ComfyUI is not installed in {local.home}: run ./scripts/setup.sh", pytrace=False
        )
    return local.python


def test_generates_the_recorded_bytes_then_skips(venv_python: Path, tmp_path: Path) -> None:
    install = Install(python=venv_python, models_dir=tmp_path)
    lines: list[str] = []
    report = generate(install, progress=lines.append, models=SMALL)
    assert [o.status for o in report.outcomes] == ["generated"] * len(SMALL)
    for model in SMALL:
        assert file_sha256(tmp_path / model.path) == model.sha256
    assert any(line.startswith("generated  loras/tiny_sd15_lora.safetensors") for line in lines)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".random-models-")]

    again = generate(install, models=SMALL)
    assert [o.status for o in again.outcomes] == ["present"] * len(SMALL)


def test_corrupted_file_is_regenerated(venv_python: Path, tmp_path: Path) -> None:
    lora = next(m for m in SMALL if m.kind == "sd15_lora")
    (tmp_path / lora.folder).mkdir()
    (tmp_path / lora.path).write_bytes(b"not a model")
    report = generate(Install(python=venv_python, models_dir=tmp_path), models=(lora,))
    assert [o.status for o in report.outcomes] == ["generated"]
    assert file_sha256(tmp_path / lora.path) == lora.sha256


def test_bytes_that_differ_from_the_table_are_refused(venv_python: Path, tmp_path: Path) -> None:
    wrong = dataclasses.replace(SMALL[0], sha256="0" * 64)
    with pytest.raises(LocalServiceError, match="expected 000000000000"):
        generate(Install(python=venv_python, models_dir=tmp_path), models=(wrong,))
    assert not (tmp_path / wrong.path).exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_script_failure_is_one_line(venv_python: Path, tmp_path: Path) -> None:
    unknown = dataclasses.replace(SMALL[0], kind="no_such_kind")
    with pytest.raises(LocalServiceError, match=r"generation failed \(exit 1\): KeyError: 'no_such_kind'"):
        generate(Install(python=venv_python, models_dir=tmp_path), models=(unknown,))
