"""Throughput of the whole engine over a pool of ComfyUI servers: runs/s on 1 and on N servers.

Each run is a real `agenerate` (compile, validate, execute, download, verify, a run directory) with a
scripted LLM (`anysym.graph.testing.ScriptedLLM`: no model time, so the servers are what is measured).
The servers are the managed local ComfyUI started on free ports with one extra custom node,
`AnysymWait` (`bench/comfy_nodes`), which holds the image for `wait_s` seconds: execution is
latency-bound, as on a GPU server, and throughput can only grow with servers (an `ImageInvert` after
it gives the verify step something to check). All runs of a measurement
are in flight at once and share one `Deps` (one `ServerPool`, one LLM client); each has its own input
colour and run directory, and its output must be that colour inverted (outputs never mixed).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from anysym.errors import BenchError
from anysym.executor.pool import ServerPool
from anysym.graph.api import agenerate
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.testing import ScriptedLLM, StaticRetriever
from anysym.services.comfy.server import LocalComfy
from anysym.services.process import free_port
from anysym.settings import Paths

__all__ = ["Measurement", "ThroughputReport", "render_report", "run_bench"]

WAIT_NODE = "anysym_wait.py"
TASK = "Invert the colours of photo.png."
START_TIMEOUT_S = 300.0


def _program(wait_s: float) -> str:
    return "\n".join(
        (
            'workflow.add_node("photo", "LoadImage", {"image": "photo.png"})',
            f'workflow.add_node("held", "AnysymWait", {{"seconds": {wait_s}}})',
            'workflow.add_node("inverted", "ImageInvert", {})',
            'workflow.add_node("save", "SaveImage", {"filename_prefix": "inverted"})',
            'workflow.connect("photo", "IMAGE", "held", "image")',
            'workflow.connect("held", "IMAGE", "inverted", "image")',
            'workflow.connect("inverted", "IMAGE", "save", "images")',
        )
    )


@dataclass(frozen=True)
class Measurement:
    """One measurement: `runs` engine runs in flight at once over `servers` servers."""

    servers: int
    runs: int
    seconds: float
    per_server: dict[str, int]
    """How many runs each server executed."""

    @property
    def runs_per_s(self) -> float:
        """Finished runs per second of wall time."""
        return self.runs / self.seconds


@dataclass(frozen=True)
class ThroughputReport:
    """The measurements, fewest servers first, and the settings they share."""

    wait_s: float
    measurements: tuple[Measurement, ...]

    @property
    def ratio(self) -> float:
        """Throughput of the most servers over that of one."""
        return self.measurements[-1].runs_per_s / self.measurements[0].runs_per_s

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        rows = [
            {"servers": m.servers, "runs": m.runs, "seconds": round(m.seconds, 2), "runs_per_s": m.runs_per_s}
            | {"per_server": m.per_server}
            for m in self.measurements
        ]
        return {"wait_s": self.wait_s, "measurements": rows, "ratio": self.ratio}


def run_bench(
    paths: Paths,
    *,
    servers: int = 2,
    runs: int = 8,
    wait_s: float = 3.0,
    progress: Callable[[str], None] = lambda _: None,
) -> ThroughputReport:
    """Start `servers` benchmark servers; measure `runs` runs on the first one, then on all of them."""
    if servers < 2 or runs < servers or wait_s <= 0:
        raise BenchError("the throughput bench needs --servers >= 2, --runs >= --servers and --wait > 0")
    with tempfile.TemporaryDirectory(prefix="anysym-bench-throughput-") as scratch, ExitStack() as stack:
        base = Path(scratch)
        nodes = base / "custom_nodes"
        nodes.mkdir()
        (nodes / WAIT_NODE).write_text(
            resources.files("anysym.bench").joinpath("comfy_nodes", WAIT_NODE).read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        progress(f"starting {servers} ComfyUI servers with the wait node")
        urls = stack.enter_context(_servers(paths, servers, nodes))
        for index, url in enumerate(urls):  # untimed: each server's first run imports its nodes
            asyncio.run(_measure([url], 1, 0.1, base / f"warm-up-{index}"))
        measurements = []
        for count in (1, servers):
            progress(f"{runs} runs at once on {count} server(s), {wait_s:g} s of execution each")
            measured = asyncio.run(_measure(urls[:count], runs, wait_s, base / f"servers-{count}"))
            progress(f"  {measured.runs_per_s:.3f} runs/s ({measured.seconds:.1f} s)")
            measurements.append(measured)
        return ThroughputReport(wait_s=wait_s, measurements=tuple(measurements))


@contextmanager
def _servers(paths: Paths, count: int, custom_nodes: Path) -> Iterator[list[str]]:
    """Start `count` managed ComfyUI servers on free ports that load `custom_nodes`; stop them after."""
    locals_ = [LocalComfy(paths, port=free_port(), custom_nodes=custom_nodes) for _ in range(count)]
    try:
        if not locals_[0].is_installed:
            raise BenchError("the local ComfyUI is not installed: run `anysym comfy install`")
        urls: list[str] = []
        for local in locals_:
            urls.append(local.serve(timeout=START_TIMEOUT_S))
            shutil.rmtree(local.output_dir, ignore_errors=True)  # outputs are downloaded per run
        yield urls
    finally:
        for local in locals_:
            local.stop()
            shutil.rmtree(local.run_dir, ignore_errors=True)


async def _measure(urls: list[str], runs: int, wait_s: float, base: Path) -> Measurement:
    colours = [((37 * i) % 256, (91 * i + 60) % 256, (151 * i + 120) % 256) for i in range(runs)]
    photos = []
    for index, colour in enumerate(colours):
        folder = base / f"input-{index}"
        folder.mkdir(parents=True)
        Image.new("RGB", (48, 32), colour).save(folder / "photo.png")
        photos.append(folder / "photo.png")
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0)) as http:
        pool = ServerPool(urls, http)
        deps = Deps(
            llm=ScriptedLLM([_program(wait_s)] * runs),
            catalog=await pool.catalog(urls[0]),
            retriever=StaticRetriever([]),
            executor=ComfyExecutor(pool),
        )
        context = Context(model="scripted", one_step=True, refine=False, search_budget=0)
        before = await _history_sizes(http, urls)
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                agenerate(TASK, [photo], deps=deps, context=context, run_dir=base / f"run-{index}")
                for index, photo in enumerate(photos)
            )
        )
        seconds = time.perf_counter() - started
        after = await _history_sizes(http, urls)
    for index, (result, colour) in enumerate(zip(results, colours, strict=True)):
        if result.status != "succeeded" or len(result.outputs) != 1:
            raise BenchError(f"run {index} did not succeed: {result.error}")
        output = result.outputs[0].path
        if base / f"run-{index}" not in output.parents:
            raise BenchError(f"run {index}'s output {output} is outside its run directory")
        with Image.open(output) as image:
            pixel = image.convert("RGB").getpixel((0, 0))
        inverted = tuple(255 - channel for channel in colour)
        if not isinstance(pixel, tuple) or any(abs(a - b) > 1 for a, b in zip(pixel, inverted, strict=True)):
            raise BenchError(f"run {index}'s output is not its own input inverted: outputs were mixed")
    per_server = {url: after[url] - before[url] for url in urls}
    return Measurement(servers=len(urls), runs=runs, seconds=seconds, per_server=per_server)


async def _history_sizes(http: httpx.AsyncClient, urls: list[str]) -> dict[str, int]:
    """How many prompts each server has run (its `/history`)."""
    sizes = {}
    for url in urls:
        response = await http.get(f"{url}/history", params={"max_items": 10_000})
        response.raise_for_status()
        sizes[url] = len(response.json())
    return sizes


def render_report(report: ThroughputReport) -> str:
    """A small text table: runs/s per server count and the ratio."""
    lines = [f"throughput, {report.measurements[0].runs} runs at once, {report.wait_s:g} s of execution each"]
    for m in report.measurements:
        spread = ", ".join(f"{url}: {n}" for url, n in m.per_server.items())
        lines.append(f"  {m.servers} server(s): {m.runs_per_s:.3f} runs/s ({m.seconds:.1f} s; {spread})")
    lines.append(f"  ratio {report.ratio:.2f}x")
    return "\n".join(lines)
