"""Generative A-Language flows EXECUTE on the real local CPU ComfyUI with the random-weight models: each
succeeds, gives a finite non-black image, and the same pixels on a second, freshly started server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from anysym.bench.random_models_bench import FlowRun, compile_flow, load_flows, run_prompt, upload_source
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.validate import validate
from anysym.services.comfy.random_models import RANDOM_MODELS, generate
from anysym.services.comfy.server import LocalComfy
from anysym.settings import Paths
from tests.integration.services import free_port

FLOWS = load_flows()
REQUIRED = {"text_to_image", "img2img", "inpaint", "outpaint", "model_merge", "lora"}
SEED = 42


@pytest.fixture(scope="module")
def shared(comfy_server: Any) -> Iterator[tuple[httpx.Client, Catalog]]:
    """The shared server, with the models generated (skipped when present) and the input uploaded."""
    generate(comfy_server.local)
    with httpx.Client(base_url=comfy_server.url, timeout=60.0) as client:
        upload_source(client)
        yield client, Catalog.from_object_info(client.get("/object_info").json())


@pytest.fixture(scope="module")
def second(shared: tuple[httpx.Client, Catalog]) -> Iterator[httpx.Client]:
    """A second server started here on a free port, sharing the models dir; stopped at the end."""
    local = LocalComfy(Paths.from_env(os.environ), port=free_port())
    url = local.serve(timeout=180.0)
    try:
        with httpx.Client(base_url=url, timeout=60.0) as client:
            upload_source(client)
            yield client
    finally:
        local.stop()


def test_the_six_required_flows_exist() -> None:
    assert REQUIRED <= set(FLOWS)


def test_catalog_lists_every_random_model(shared: tuple[httpx.Client, Catalog]) -> None:
    _, catalog = shared
    listed = {
        "CheckpointLoaderSimple": "ckpt_name",
        "VAELoader": "vae_name",
        "UNETLoader": "unet_name",
        "CLIPLoader": "clip_name",
        "LoraLoader": "lora_name",
        "ControlNetLoader": "control_net_name",
        "UpscaleModelLoader": "model_name",
        "CLIPVisionLoader": "clip_name",
        "StyleModelLoader": "style_model_name",
    }
    for model in RANDOM_MODELS:
        choices = catalog[model.loader].inputs[listed[model.loader]].choices or ()
        expected = "taesd" if model.folder == "vae_approx" else model.filename
        assert expected in choices, (model.path, choices)


def _finite_non_black(run: FlowRun) -> np.ndarray:
    assert len(run.images) == 1
    image = run.images[0]
    assert np.isfinite(image.astype(np.float64)).all()
    assert image.max() > 0, "all-black image: NaN weights (an incomplete CLIP?) decode to 0"
    return image


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_flow_executes_deterministically_across_servers(
    name: str, shared: tuple[httpx.Client, Catalog], second: httpx.Client
) -> None:
    client, catalog = shared
    flow = FLOWS[name]
    assert [d.render() for d in validate(flow, catalog)] == []
    first = run_prompt(client, compile_flow(flow, catalog, seed=SEED))
    image = _finite_non_black(first)
    again = run_prompt(second, compile_flow(flow, catalog, seed=SEED))
    assert again.pixel_hashes() == first.pixel_hashes()
    assert np.array_equal(_finite_non_black(again), image)


def test_another_seed_gives_other_pixels(shared: tuple[httpx.Client, Catalog]) -> None:
    client, catalog = shared
    one = run_prompt(client, compile_flow(FLOWS["text_to_image"], catalog, seed=SEED))
    other = run_prompt(client, compile_flow(FLOWS["text_to_image"], catalog, seed=SEED + 1))
    assert one.pixel_hashes() != other.pixel_hashes()


def test_lora_and_merge_change_the_picture(shared: tuple[httpx.Client, Catalog]) -> None:
    client, catalog = shared
    hashes = {
        name: run_prompt(client, compile_flow(FLOWS[name], catalog, seed=SEED)).pixel_hashes()[0]
        for name in ("text_to_image", "lora", "model_merge")
    }
    assert len(set(hashes.values())) == 3, hashes


def test_missing_checkpoint_is_value_not_in_list(shared: tuple[httpx.Client, Catalog]) -> None:
    client, catalog = shared
    flow = FLOWS["text_to_image"]
    flow = flow.with_params("loader", {"ckpt_name": "missing_model.safetensors"})
    diagnostics = validate(flow, catalog)
    assert [(d.kind, d.function, d.port) for d in diagnostics] == [
        (DiagnosticKind.VALUE_NOT_IN_LIST, "loader", "ckpt_name")
    ]
    assert "tiny_sd15_a.safetensors" in diagnostics[0].render()
    response = client.post("/prompt", json={"prompt": compile_flow(flow, catalog, seed=SEED)})
    assert response.status_code == 400
    errors = response.json()["node_errors"]["loader"]["errors"]
    assert [e["type"] for e in errors] == ["value_not_in_list"]
    assert "missing_model.safetensors" in errors[0]["details"]
