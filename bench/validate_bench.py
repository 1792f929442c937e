"""Timing `validate` on a large flow: a 200-function image pipeline built from the real core catalog."""

from __future__ import annotations

import json
import statistics
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
