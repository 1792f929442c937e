"""Benchmark of the random-weight model kit: generation time per model and execution time per CPU flow.

The CPU flows are the A-Language programs in `bench/data/random_flows/random_*.declarative` (64x64, 3
steps), compiled against the live server's catalog and run on the managed local ComfyUI. The helpers
(`source_png`, `compile_flow`, `run_prompt`) are shared with the integration tests.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from anysym.errors import BenchError
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.flow import Flow
from anysym.language.syntax import parse
from anysym.services.comfy.random_models import generate
from anysym.services.comfy.server import LocalComfy

FLOWS_DIR = Path(__file__).resolve().parent / "data" / "random_flows"
"""The CPU flows (a source checkout is needed: they live beside the integration tests)."""
SOURCE_IMAGE = "anysym_random_src.png"
"""The input file the flows' LoadImage nodes name (uploaded by `upload_source`)."""
FLOW_TIMEOUT_S = 300.0


def source_png() -> bytes:
    """A deterministic 64x64 RGBA gradient with a transparent 24x24 hole (the inpainting mask)."""
    y, x = np.mgrid[0:64, 0:64]
    rgba = np.stack([x * 4, y * 4, (x + y) * 2, np.full_like(x, 255)], -1).astype(np.uint8)
    rgba[20:44, 20:44, 3] = 0
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def load_flows(flows_dir: Path = FLOWS_DIR) -> dict[str, Flow]:
    """Parse every `random_*.declarative` flow, keyed by its name without the `random_` prefix."""
    files = sorted(flows_dir.glob("random_*.declarative"))
    if not files:
        raise BenchError(f"no random_*.declarative flows in {flows_dir}: run from a source checkout")
    return {
        f.stem.removeprefix("random_"): parse(f.read_text(encoding="utf-8"), "declarative") for f in files
    }


def compile_flow(flow: Flow, catalog: Catalog, *, seed: int | None = None) -> dict[str, Any]:
    """API prompt of `flow` with a fresh SaveImage prefix (so a cached server still saves) and `seed`."""
    for function_id, function in flow.functions.items():
        params = dict(function.params)
        if function.type == "SaveImage":
            params["filename_prefix"] = f"{params.get('filename_prefix', 'random')}_{uuid.uuid4().hex[:8]}"
        elif function.type == "KSampler" and seed is not None:
            params["seed"] = seed
        flow = flow.with_params(function_id, params)
    return dict(to_api(flow, catalog))


@dataclass(frozen=True, kw_only=True)
class FlowRun:
    """One executed prompt: wall time from POST to finished history, and its decoded output images."""

    seconds: float
    images: list[np.ndarray] = field(default_factory=list)

    def pixel_hashes(self) -> list[str]:
        """sha256 of each image's decoded pixels (the PNG also embeds the prompt text, so hash pixels)."""
        return [hashlib.sha256(image.tobytes()).hexdigest() for image in self.images]


def upload_source(client: httpx.Client) -> None:
    """Upload the flows' input image to the server."""
    files = {"image": (SOURCE_IMAGE, source_png(), "image/png")}
    client.post("/upload/image", files=files, data={"overwrite": "true"}).raise_for_status()


def run_prompt(client: httpx.Client, prompt: Mapping[str, Any]) -> FlowRun:
    """Queue `prompt`, wait for its history entry and download its output images; BenchError on failure."""
    start = time.perf_counter()
    response = client.post("/prompt", json={"prompt": prompt, "client_id": "anysym-random-bench"})
    if response.status_code != 200:
        raise BenchError(f"/prompt answered {response.status_code}: {response.text[:300]}")
    prompt_id = response.json()["prompt_id"]
    deadline = start + FLOW_TIMEOUT_S
    while (entry := client.get(f"/history/{prompt_id}").json().get(prompt_id)) is None or entry.get(
        "status", {}
    ).get("completed") is None:
        if time.perf_counter() > deadline:
            raise BenchError(f"prompt {prompt_id} did not finish in {FLOW_TIMEOUT_S:.0f} s")
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if entry["status"]["status_str"] != "success":
        errors = [m[1] for m in entry["status"].get("messages", []) if m[0] == "execution_error"]
        detail = errors[0].get("exception_message", "") if errors else entry["status"]["status_str"]
        raise BenchError(f"prompt {prompt_id} failed: {str(detail)[:300]}")
    images = []
    for output in entry["outputs"].values():
        for item in output.get("images", []):
            params = {k: item.get(k, "") for k in ("filename", "subfolder", "type")}
            data = client.get("/view", params=params)
            data.raise_for_status()
            images.append(np.asarray(Image.open(io.BytesIO(data.content)).convert("RGB")))
    return FlowRun(seconds=seconds, images=images)


@dataclass(frozen=True)
class _TempInstall:
    python: Path
    models_dir: Path


def bench_generation(local: LocalComfy, progress: Callable[[str], None]) -> dict[str, Any]:
    """Generate every model from scratch in a temporary directory; seconds per model and in total."""
    with tempfile.TemporaryDirectory(prefix="anysym-random-models-") as tmp:
        report = generate(_TempInstall(python=local.python, models_dir=Path(tmp)), progress=progress)
    return {
        "total_seconds": round(report.seconds, 2),
        "total_mb": round(report.total_bytes / 1e6, 1),
        "models": {
            o.model.path: {"seconds": o.seconds, "mb": round(o.size / 1e6, 2)} for o in report.outcomes
        },
    }


def bench_flows(url: str, repeats: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Run each flow once (first run after the server start: includes model loading) and `repeats` warm."""
    results: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=60.0) as client:
        upload_source(client)
        catalog = Catalog.from_object_info(client.get("/object_info").json())
        for name, flow in load_flows().items():
            first = run_prompt(client, compile_flow(flow, catalog, seed=42))
            warm = [
                run_prompt(client, compile_flow(flow, catalog, seed=100 + i)).seconds for i in range(repeats)
            ]
            results[name] = {
                "first_seconds": round(first.seconds, 3),
                "warm_seconds": [round(s, 3) for s in warm],
            }
            progress(f"{name}: first {first.seconds:.2f} s, warm {', '.join(f'{s:.2f}' for s in warm)} s")
    return results


def run_bench(local: LocalComfy, *, repeats: int = 2, progress: Callable[[str], None]) -> dict[str, Any]:
    """Generation timings, then flow timings on the local server (started here and stopped if needed)."""
    generation = bench_generation(local, progress)
    generate(local, progress=progress)
    started_here = not local.status().running
    url = local.serve()
    try:
        flows = bench_flows(url, repeats, progress)
    finally:
        if started_here:
            local.stop()
    return {"generation": generation, "flows": flows, "server_started_here": started_here}


def render_report(report: Mapping[str, Any]) -> str:
    """A plain-text table of the report."""
    gen = report["generation"]
    lines = [
        f"generation: {gen['total_seconds']:.1f} s for {len(gen['models'])} models ({gen['total_mb']} MB)"
    ]
    lines += [f"  {path:<52} {m['seconds']:6.2f} s {m['mb']:8.1f} MB" for path, m in gen["models"].items()]
    lines.append("flows (64x64, 3 steps): first run / warm runs")
    for name, run in report["flows"].items():
        warm = ", ".join(f"{s:.2f}" for s in run["warm_seconds"])
        lines.append(f"  {name:<20} {run['first_seconds']:6.2f} s / {warm} s")
    return "\n".join(lines)
