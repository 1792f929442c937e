"""Model-file inputs on the live server's catalog (random-weight models installed by the set-up)."""

from __future__ import annotations

from anysym.inference.catalog_excerpt import installed_models
from anysym.language.catalog import Catalog
from anysym.language.validate_values import check_value


def test_live_catalog_model_inputs(comfy_catalog: Catalog) -> None:
    ckpt = comfy_catalog["CheckpointLoaderSimple"].inputs["ckpt_name"]
    assert ckpt.is_model_file and any(str(c).endswith(".safetensors") for c in ckpt.choices or ())
    assert not comfy_catalog["KSampler"].inputs["sampler_name"].is_model_file
    assert not comfy_catalog["KSampler"].inputs["scheduler"].is_model_file
    [line] = installed_models(comfy_catalog, ["KSampler", "CheckpointLoaderSimple"])
    assert line.startswith("ckpt_name: ") and ".safetensors" in line

    missing = check_value("c", "CheckpointLoaderSimple", ckpt, "nope.safetensors")
    assert missing is not None and "model file not installed on the server; installed: " in missing.message
    assert str((ckpt.choices or ())[0]) in missing.message
    sampler = check_value("k", "KSampler", comfy_catalog["KSampler"].inputs["sampler_name"], "eulr")
    assert sampler is not None and "model file" not in sampler.message
