"""Executor overhead benchmark: how long the client adds around a small model-free job.

Measured per run (a fresh upload, queue, websocket wait and download each time, outputs never cached):
submit->start (POST /prompt sent -> `execution_start` received) and finish->saved (the completion event
received -> every output file written locally), plus the whole job. Reports medians over `runs`.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from anysym.errors import BenchError
from anysym.executor.client import ComfyClient
from anysym.executor.job import JobResult, run_prompt

FLOW = {
    "photo": {"class_type": "LoadImage", "inputs": {"image": "bench.png"}},
    "negative": {"class_type": "ImageInvert", "inputs": {"image": ["photo", 0]}},
    "small": {
        "class_type": "ImageScale",
        "inputs": {
            "image": ["negative", 0],
            "upscale_method": "bilinear",
            "width": 64,
            "height": 48,
            "crop": "disabled",
        },
    },
    "save": {
        "class_type": "SaveImage",
        "inputs": {"images": ["small", 0], "filename_prefix": "bench_executor"},
    },
}
"""LoadImage -> ImageInvert -> ImageScale -> SaveImage on a 128x96 image (runs in milliseconds)."""

METRICS = ("submit_to_start_s", "finish_to_saved_s", "upload_s", "download_s", "total_s")


def _total(result: JobResult) -> float:
    t = result.timings
    return t.upload_s + t.queue_s + t.run_s + t.download_s


async def run_bench(url: str, *, runs: int = 20, work_dir: Path | None = None) -> dict[str, Any]:
    """Run FLOW `runs` times (after one warm-up) on `url`; return medians, min/max and every sample."""
    if runs < 1:
        raise BenchError("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="anysym-bench-executor-") as scratch:
        base = Path(work_dir or scratch)
        photo = base / "bench.png"
        photo.parent.mkdir(parents=True, exist_ok=True)
        pixels = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
        Image.fromarray(pixels, "RGB").save(photo)
        samples: dict[str, list[float]] = {name: [] for name in METRICS}
        async with httpx.AsyncClient() as http:
            client = ComfyClient(url, http=http)
            for index in range(runs + 1):
                result = await run_prompt(
                    client, FLOW, inputs={"bench.png": photo}, out_dir=base / f"run-{index:02d}", timeout=120
                )
                if not result.success:
                    raise BenchError(f"the benchmark flow failed: {result.diagnostics[0].render()}")
                if index == 0:
                    continue  # warm-up: first upload, first websocket, first node imports
                timings = result.timings.model_dump() | {"total_s": _total(result)}
                for name in METRICS:
                    if timings[name] is not None:
                        samples[name].append(float(timings[name]))
    return {
        "server": url,
        "runs": runs,
        "flow": "LoadImage -> ImageInvert -> ImageScale -> SaveImage (128x96)",
        "median_s": {k: statistics.median(v) for k, v in samples.items() if v},
        "min_s": {k: min(v) for k, v in samples.items() if v},
        "max_s": {k: max(v) for k, v in samples.items() if v},
        "samples_s": samples,
    }


def render_report(report: dict[str, Any]) -> str:
    """A small text table of the medians (milliseconds)."""
    lines = [f"executor overhead on {report['server']}, median of {report['runs']} runs ({report['flow']})"]
    for name in METRICS:
        if name in report["median_s"]:
            median, low, high = (report[key][name] * 1000 for key in ("median_s", "min_s", "max_s"))
            lines.append(
                f"  {name.removesuffix('_s'):<16} {median:8.1f} ms   (min {low:.1f}, max {high:.1f})"
            )
    return "\n".join(lines)
