"""Timing `validate`: a 200-function pipeline from the real core catalog; hostile inputs of 1 KB..5 MB."""

from __future__ import annotations

import json
import random
import statistics
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from anysym.language.catalog import Catalog
from anysym.language.defaults import fill_defaults
from anysym.language.flow import Flow, Function, Link
from anysym.language.validate import validate

CORE_CATALOG = "suites/catalogs/core_comfyui_0.0.1.json"
"""The `/object_info` snapshot of the local CPU ComfyUI, shipped with `anysym.bench`."""

_BLOCK: tuple[tuple[str, str, dict[str, object], tuple[tuple[str, str], ...]], ...] = (
    ("load", "LoadImage", {"image": "photo.png"}, ()),
    ("inv", "ImageInvert", {}, (("image", "load"),)),
    ("blur", "ImageBlur", {"blur_radius": 3, "sigma": 1.5}, (("image", "inv"),)),
    ("scale", "ImageScale", {"upscale_method": "bilinear", "width": 256, "height": 256},
     (("image", "blur"),)),
    ("mask", "ImageToMask", {"channel": "red"}, (("image", "scale"),)),
    ("grow", "GrowMask", {"expand": 4, "tapered_corners": True}, (("mask", "mask"),)),
    ("mimg", "MaskToImage", {}, (("mask", "grow"),)),
    ("mix", "ImageBlend", {"blend_factor": 0.4, "blend_mode": "screen"},
     (("image1", "scale"), ("image2", "mimg"))),
    ("sharp", "ImageSharpen", {"sharpen_radius": 1, "sigma": 1.0, "alpha": 1.0}, (("image", "mix"),)),
    ("save", "SaveImage", {"filename_prefix": "bench"}, (("images", "sharp"),)),
)  # fmt: skip


def build_flow(n_functions: int = 200, *, faulty: bool = False) -> Flow:
    """Build a flow of `n_functions` functions: blocks of 10 (load, filters, mask branch, blend, save).

    With `faulty`, every block gets two bad values (a non-choice and a non-number), as an LLM draft might.
    """
    functions: dict[str, Function] = {}
    links: list[Link] = []
    for block in range(-(-n_functions // len(_BLOCK))):
        for name, node_type, params, inputs in _BLOCK:
            if len(functions) == n_functions:
                break
            fid = f"{name}_{block}"
            if faulty and name == "mix":
                params = {**params, "blend_mode": "avg"}
            if faulty and name == "scale":
                params = {**params, "width": "wide"}
            functions[fid] = Function.model_validate({"type": node_type, "params": params})
            for port, source in inputs:
                if f"{source}_{block}" in functions:
                    links.append(Link(source=f"{source}_{block}", output=0, target=fid, input=port))
    return Flow.build(functions, links)


@dataclass(frozen=True)
class Timing:
    """Wall-clock statistics of repeated calls, in milliseconds."""

    functions: int
    links: int
    repeats: int
    diagnostics: int
    median_ms: float
    p90_ms: float
    fill_defaults_median_ms: float

    def render(self) -> str:
        """One line for the terminal."""
        return (
            f"validate: {self.functions} functions, {self.links} links, {self.diagnostics} diagnostics; "
            f"median {self.median_ms:.2f} ms, p90 {self.p90_ms:.2f} ms over {self.repeats} runs; "
            f"fill_defaults median {self.fill_defaults_median_ms:.2f} ms"
        )


def core_catalog() -> Catalog:
    """The real core catalog shipped with the benchmark suites."""
    text = resources.files("anysym.bench").joinpath(CORE_CATALOG).read_text(encoding="utf-8")
    return Catalog.from_object_info(json.loads(text))


def _times(call: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000.0)
    return samples


def run(
    n_functions: int = 200, repeats: int = 50, *, faulty: bool = False, catalog: Catalog | None = None
) -> Timing:
    """Time `validate` (and `fill_defaults`) on a `n_functions` flow; one warm-up call first."""
    catalog = catalog or core_catalog()
    flow = build_flow(n_functions, faulty=faulty)
    diagnostics = validate(flow, catalog)
    samples = sorted(_times(lambda: validate(flow, catalog), repeats))
    fills = _times(lambda: fill_defaults(flow, catalog), repeats)
    return Timing(
        functions=len(flow.functions),
        links=len(flow.links),
        repeats=repeats,
        diagnostics=len(diagnostics),
        median_ms=statistics.median(samples),
        p90_ms=samples[min(len(samples) - 1, int(0.9 * len(samples)))],
        fill_defaults_median_ms=statistics.median(fills),
    )


SCALING_SIZES = (1_000, 10_000, 100_000, 1_000_000, 5_000_000)
"""Input sizes (bytes) of the hostile-input scaling run: 1 KB .. 5 MB."""


def _hostile_texts() -> dict[str, Callable[[int], str]]:
    """Generators of hostile inputs of about `n` characters, each a shape once slow or crashing."""
    statement = "x = ImageInvert(image=x)\n"  # an LLM's degenerate repetition (and a cycle)
    node = '"{i}": {{"class_type": "ImageInvert", "inputs": {{"image": ["{j}", 0]}}}}'

    def api_prompt(n: int) -> str:
        count = max(1, n // 70)
        return "{" + ", ".join(node.format(i=i, j=i + 1) for i in range(count)) + "}"

    def noise(n: int) -> str:
        rng = random.Random(0)
        return "".join(rng.choice(string.printable) for _ in range(n))

    return {
        "repeated statement": lambda n: statement * max(1, n // len(statement)),
        "one long comment": lambda n: "# " + "a" * n,
        "escapes in an open name": lambda n: "# c\n" + "\\`" * (n // 2),
        "unclosed brackets": lambda n: "x = A(a=" + "[" * n,
        "API prompt chain": api_prompt,
        "printable noise": noise,
    }


@dataclass(frozen=True)
class ScalingRow:
    """How long `anysym validate`'s reading and checking takes on one hostile input."""

    kind: str
    size: int
    milliseconds: float
    outcome: str

    def render(self) -> str:
        """One line for the terminal: kind, size, time and time per KB."""
        per_kb = self.milliseconds / (self.size / 1000)
        return (
            f"{self.kind:<24} {self.size / 1000:>7.0f} KB  {self.milliseconds:>9.1f} ms  "
            f"{per_kb:>7.3f} ms/KB  {self.outcome}"
        )


def scaling(catalog: Catalog | None = None, sizes: tuple[int, ...] = SCALING_SIZES) -> list[ScalingRow]:
    """Time the whole validate path (format detection, parsing, checks) on hostile inputs of each size.

    Linear handling shows as a flat ms/KB column; every input must end in diagnostics, never raise.
    """
    from anysym.cli.validate import diagnose_text

    catalog = catalog or core_catalog()
    rows = []
    for kind, make in _hostile_texts().items():
        for size in sizes:
            text = make(size)
            start = time.perf_counter()
            diagnostics = diagnose_text(text, catalog)
            elapsed = (time.perf_counter() - start) * 1000.0
            first = diagnostics[0].kind.value if diagnostics else "valid"
            rows.append(
                ScalingRow(kind, len(text.encode()), elapsed, f"{len(diagnostics)} diagnostics ({first})")
            )
    return rows
