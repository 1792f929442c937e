"""The random-weight model table and the hash bookkeeping (pure: no ComfyUI, no torch)."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import pytest

from anysym.errors import LocalServiceError
from anysym.services.comfy.random_models import (
    GENERATOR_SCRIPT,
    RANDOM_MODELS,
    file_sha256,
    generate,
    model_status,
)


def test_table_is_consistent() -> None:
    paths = [m.path for m in RANDOM_MODELS]
    assert len(paths) == len(set(paths))
    assert all(re.fullmatch(r"[0-9a-f]{64}", m.sha256) for m in RANDOM_MODELS)
    assert len({m.sha256 for m in RANDOM_MODELS}) == len(RANDOM_MODELS)
    assert {"checkpoints/tiny_sd15_a.safetensors", "checkpoints/tiny_sd15_b.safetensors"} <= set(paths)
    assert {"vae_approx/taesd_encoder.safetensors", "vae_approx/taesd_decoder.safetensors"} <= set(paths)


def test_every_kind_exists_in_the_packaged_generator() -> None:
    script = resources.files("anysym.services.comfy").joinpath(GENERATOR_SCRIPT).read_text(encoding="utf-8")
    for model in RANDOM_MODELS:
        assert f'"{model.kind}":' in script


def test_model_status(tmp_path: Path) -> None:
    model = RANDOM_MODELS[0]
    assert model_status(tmp_path, model) == "missing"
    (tmp_path / model.folder).mkdir()
    (tmp_path / model.path).write_bytes(b"something else")
    assert model_status(tmp_path, model) == "mismatch"
    assert file_sha256(tmp_path / model.path) == hashlib.sha256(b"something else").hexdigest()


class NoVenv:
    def __init__(self, root: Path) -> None:
        self.python = root / "venv" / "bin" / "python"
        self.models_dir = root / "models"


def test_missing_venv_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(LocalServiceError, match="run `anysym comfy install` first"):
        generate(NoVenv(tmp_path))
