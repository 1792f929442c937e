"""Every reference program that fits the local CPU ComfyUI really runs there: the model-free edits, and the
generative ones whose models are all in the random-weight kit (64x64, 2-3 steps)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.validate import validate
from anysym.reference_programs import ReferenceProgram, load_library
from anysym.services.comfy.random_models import RANDOM_MODELS

RANDOM_FILES = {model.filename for model in RANDOM_MODELS}
LIBRARY = load_library()
SERVER_BUGS = {"model_merge_save_checkpoint": "name 'comfy' is not defined"}
"""Programs the local comfyui 0.0.1 cannot run because of a bug of that server (valid on current ComfyUI)."""
FITS_CPU = [p for p in LIBRARY if set(p.catalogs) <= {"models"} and set(p.models) <= RANDOM_FILES]
RUNNABLE = [p for p in FITS_CPU if p.id not in SERVER_BUGS]
BROKEN = [p for p in FITS_CPU if p.id in SERVER_BUGS]
TIMEOUT_S = 120.0


def test_runnable_set_covers_the_model_free_and_cpu_generative_programs() -> None:
    model_free = [p for p in RUNNABLE if not p.models]
    generative = [p for p in RUNNABLE if p.models]
    assert len(model_free) >= 8
    assert {p.category for p in generative} >= {
        "text-to-image",
        "inpaint",
        "outpaint",
        "image-merge",
        "model-merge",
    }


def _png(seed: int) -> bytes:
    image = Image.new("RGBA", (64, 64), (40 + seed * 60, 120, 200 - seed * 50, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 40, 40), fill=(250, 250, 250, 255))
    draw.rectangle((24, 24, 48, 48), fill=(0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _input_files(program: ReferenceProgram) -> list[str]:
    loaders = ("LoadImage", "LoadImageMask")
    return [str(f.params["image"]) for f in program.flow().functions.values() if f.type in loaders]


@pytest.fixture(scope="module")
def server(comfy_server: Any, comfy_catalog: Catalog) -> Iterator[tuple[httpx.Client, Catalog]]:
    missing = sorted({m for p in RUNNABLE for m in p.models} - {str(v) for v in _installed(comfy_catalog)})
    if missing:
        pytest.fail(
            f"the random-weight models {missing} are missing: run `anysym comfy install --with-random-models`"
        )
    # closed when the module is done: a client left to the garbage collector fails whichever later test
    # happens to run when its socket is collected (ResourceWarning is an error here)
    with httpx.Client(base_url=comfy_server.url, timeout=60.0) as client:
        names = sorted({name for p in RUNNABLE for name in _input_files(p)})
        for seed, name in enumerate(names):
            files = {"image": (name, _png(seed), "image/png")}
            response = client.post("/upload/image", files=files, data={"overwrite": "true", "type": "input"})
            assert response.status_code == 200, response.text
        yield client, comfy_catalog


def _installed(catalog: Catalog) -> list[object]:
    return [
        choice
        for spec in catalog.nodes()
        for inp in spec.inputs.values()
        if inp.is_model_file
        for choice in inp.choices or ()
    ]


def _run(client: httpx.Client, catalog: Catalog, program: ReferenceProgram) -> dict[str, Any]:
    flow = program.flow()
    assert [d.render() for d in validate(flow, catalog)] == []
    response = client.post("/prompt", json={"prompt": to_api(flow, catalog), "client_id": "anysym-ref-test"})
    assert response.status_code == 200, response.text
    prompt_id = response.json()["prompt_id"]
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        entry: dict[str, Any] | None = client.get(f"/history/{prompt_id}").json().get(prompt_id)
        if entry and entry.get("status", {}).get("completed") is not None:
            return entry
        time.sleep(0.2)
    raise AssertionError(f"{program.id} did not finish in {TIMEOUT_S} s (is the server's queue stuck?)")


@pytest.mark.parametrize("program", RUNNABLE, ids=[p.id for p in RUNNABLE])
def test_program_executes_on_the_local_comfyui(
    program: ReferenceProgram, server: tuple[httpx.Client, Catalog]
) -> None:
    entry = _run(*server, program)
    assert entry["status"]["status_str"] == "success", entry["status"]
    produced = [item for out in entry["outputs"].values() for items in out.values() for item in items]
    assert any(isinstance(i, dict) and i.get("type") == "output" for i in produced), entry["outputs"]


@pytest.mark.parametrize("program", BROKEN, ids=[p.id for p in BROKEN])
def test_known_server_bug_still_blocks_the_program(
    program: ReferenceProgram, server: tuple[httpx.Client, Catalog]
) -> None:
    """When this fails, the local server got fixed: move the program back into RUNNABLE."""
    entry = _run(*server, program)
    assert entry["status"]["status_str"] == "error"
    errors = [m[1] for m in entry["status"]["messages"] if m[0] == "execution_error"]
    assert errors and SERVER_BUGS[program.id] in errors[0]["exception_message"]
