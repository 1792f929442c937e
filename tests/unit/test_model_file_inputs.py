"""Which COMBO inputs pick model files: choices that look like files, or known loader inputs."""

from __future__ import annotations

from typing import Any

import pytest

from anysym.inference.catalog_excerpt import installed_models
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.validate_values import check_value, is_file_input


@pytest.mark.parametrize(
    ("node", "port"),
    [
        ("KSampler", "sampler_name"),
        ("KSampler", "scheduler"),
        ("KSamplerSelect", "sampler_name"),
        ("CheckpointLoader", "config_name"),
        ("LoadImage", "image"),
        ("EmptyImage", "width"),
    ],
)
def test_non_model_inputs_are_not_model_files(snapshot_catalog: Catalog, node: str, port: str) -> None:
    assert not snapshot_catalog[node].inputs[port].is_model_file


@pytest.mark.parametrize(
    ("node", "port"),
    [
        ("CheckpointLoaderSimple", "ckpt_name"),  # no choices in the snapshot: nothing installed
        ("DualCLIPLoader", "clip_name1"),
        ("TripleCLIPLoader", "clip_name3"),
        ("UpscaleModelLoader", "model_name"),
        ("VAELoader", "vae_name"),  # choices: ("taesd",), no file suffix
        ("LoraLoader", "lora_name"),
        ("GLIGENLoader", "gligen_name"),
    ],
)
def test_loader_inputs_are_model_files_even_when_empty(
    snapshot_catalog: Catalog, node: str, port: str
) -> None:
    spec = snapshot_catalog[node].inputs[port]
    assert spec.is_model_file
    assert not is_file_input(spec)


def _catalog(port: str, choices: list[Any], **options: Any) -> Catalog:
    spec = [choices, options] if options else [choices]
    return Catalog.from_object_info({"N": {"input": {"required": {port: spec}}, "output": []}})


def test_file_like_choices_make_any_combo_a_model_file() -> None:
    assert _catalog("weights", ["tiny.GGUF", "other.onnx"])["N"].inputs["weights"].is_model_file
    assert _catalog("flux", ["a.sft"])["N"].inputs["flux"].is_model_file
    assert not _catalog("preset_name", ["fast", "slow"])["N"].inputs["preset_name"].is_model_file
    assert not _catalog("preset_name", [])["N"].inputs["preset_name"].is_model_file
    upload = _catalog("ckpt_name", ["a.safetensors"], image_upload=True)["N"].inputs["ckpt_name"]
    assert not upload.is_model_file


def test_a_wrong_sampler_is_not_called_a_missing_model(snapshot_catalog: Catalog) -> None:
    spec = snapshot_catalog["KSampler"].inputs["sampler_name"]
    diagnostic = check_value("k", "KSampler", spec, "eulr")
    assert diagnostic is not None and diagnostic.kind is DiagnosticKind.VALUE_NOT_IN_LIST
    assert "model file" not in diagnostic.message
    assert "not a choice" in diagnostic.message and diagnostic.hint == "did you mean 'euler'?"


def test_a_wrong_checkpoint_is_a_missing_model(snapshot_catalog: Catalog) -> None:
    spec = snapshot_catalog["CheckpointLoaderSimple"].inputs["ckpt_name"]
    diagnostic = check_value("c", "CheckpointLoaderSimple", spec, "sd15.safetensors")
    assert diagnostic is not None and diagnostic.kind is DiagnosticKind.VALUE_NOT_IN_LIST
    assert "model file not installed on the server; installed: none" in diagnostic.message


def test_installed_models_lists_loaders_only(snapshot_catalog: Catalog) -> None:
    types = ["KSampler", "CheckpointLoaderSimple", "DualCLIPLoader", "CheckpointLoader"]
    assert installed_models(snapshot_catalog, types) == [
        "ckpt_name: (none installed)",
        "clip_name1: (none installed)",
        "clip_name2: (none installed)",
    ]
