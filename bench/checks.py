"""Programmatic output checks: decide "resolved" from the produced files and the task's input files.

`run_checks(checks, outputs, inputs_dir)` assigns every check to a different produced file that satisfies
it (order-free), so a task asking for two images passes whatever order the flow saved them in.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from anysym.bench.checkspec import Check, CompareSpec, ImageCheck, LatentCheck
from anysym.bench.imageops import Array, evaluate, high_frequency, luminance, to_float, to_rgb
from anysym.errors import MediaError
from anysym.executor.outputs import PICTURE_SUFFIXES
from anysym.verify.pictures import open_picture

__all__ = ["CheckOutcome", "check_file", "run_checks"]
LATENT_SUFFIXES = (".latent", ".safetensors")


@dataclass(frozen=True)
class CheckOutcome:
    """Verdict of a task's checks: passed, and one line per failed check (or per passed match)."""

    passed: bool
    details: list[str] = field(default_factory=list)


def run_checks(checks: Sequence[Check], outputs: Sequence[Path], inputs_dir: Path) -> CheckOutcome:
    """Pass when every check is satisfied by a distinct output file."""
    if not checks:
        return CheckOutcome(passed=bool(outputs), details=[] if outputs else ["no output was produced"])
    unused = list(outputs)
    details: list[str] = []
    passed = True
    for index, check in enumerate(checks):
        reasons: list[str] = []
        for path in unused:
            problems = check_file(check, path, inputs_dir)
            if not problems:
                unused.remove(path)
                details.append(f"check {index}: passed by {path.name}")
                break
            reasons.append(f"{path.name}: {'; '.join(problems)}")
        else:
            passed = False
            why = " | ".join(reasons) if reasons else f"no {check.kind} output left to check"
            details.append(f"check {index} failed: {why}")
    return CheckOutcome(passed=passed, details=details)


def check_file(check: Check, path: Path, inputs_dir: Path) -> list[str]:
    """Return the problems of one output file against one check (empty when it passes)."""
    if isinstance(check, LatentCheck):
        return _check_latent(check, path)
    if path.suffix.lower() not in PICTURE_SUFFIXES:
        return [f"not an image file ({path.suffix})"]
    try:
        with open_picture(path) as image:
            frames = int(getattr(image, "n_frames", 1))
            mode = image.mode
            image.seek(0)
            array = to_float(image.convert("RGBA" if "A" in mode else image.mode if mode == "L" else "RGB"))
    except MediaError as exc:
        return [str(exc)]
    return _check_image(check, array, mode, frames, inputs_dir)


def _check_image(check: ImageCheck, array: Array, mode: str, frames: int, inputs_dir: Path) -> list[str]:
    problems: list[str] = []
    height, width = array.shape[:2]
    if check.width is not None and width != check.width:
        problems.append(f"width {width} != {check.width}")
    if check.height is not None and height != check.height:
        problems.append(f"height {height} != {check.height}")
    if check.mode is not None and mode != check.mode:
        problems.append(f"mode {mode} != {check.mode}")
    if check.frames is not None and frames != check.frames:
        problems.append(f"{frames} frames != {check.frames}")
    rgb = to_rgb(array) * 255.0
    if check.mean_range is not None and not _within(float(rgb.mean()), check.mean_range):
        problems.append(f"mean {rgb.mean():.1f} outside {list(check.mean_range)}")
    if check.std_range is not None and not _within(float(rgb.std()), check.std_range):
        problems.append(f"std {rgb.std():.1f} outside {list(check.std_range)}")
    if check.grayscale is not None and _is_gray(rgb) != check.grayscale:
        problems.append("not grayscale" if check.grayscale else "grayscale")
    if check.max_colors is not None and _colors(rgb) > check.max_colors:
        problems.append(f"{_colors(rgb)} distinct colours > {check.max_colors}")
    for spec in check.compare:
        problems.extend(_compare(spec, array, inputs_dir))
    return problems


def _compare(spec: CompareSpec, output: Array, inputs_dir: Path) -> list[str]:
    reference = evaluate(spec.expect, inputs_dir)
    if spec.op == "edges":
        return _edges(output, reference)
    if output.shape[:2] != reference.shape[:2]:
        ref_h, ref_w = reference.shape[:2]
        return [f"{spec.op}: size {output.shape[1]}x{output.shape[0]} != expected {ref_w}x{ref_h}"]
    out_rgb, ref_rgb = to_rgb(output), to_rgb(reference)
    mae = float(np.abs(out_rgb - ref_rgb).mean() * 255.0)
    problems: list[str] = []
    if spec.op == "match" and mae > (spec.max_mae if spec.max_mae is not None else 6.0):
        problems.append(f"match: mean abs error {mae:.1f} > {spec.max_mae or 6.0}")
    if reference.ndim == 3 and reference.shape[2] == 4 and spec.op == "match":
        alpha_error = float(np.abs(_alpha(output) - reference[..., 3]).mean() * 255.0)
        if alpha_error > (spec.max_mae or 6.0):
            problems.append(f"match: alpha mean abs error {alpha_error:.1f}")
    if spec.op in ("blurred", "sharpened"):
        problems.extend(_frequency(spec, out_rgb, ref_rgb, mae))
    if spec.op == "quantized":
        colors = _colors(out_rgb * 255.0)
        if spec.colors is not None and colors > spec.colors:
            problems.append(f"quantized: {colors} colours > {spec.colors}")
        if mae > (spec.max_mae or 30.0):
            problems.append(f"quantized: mean abs error {mae:.1f} > {spec.max_mae or 30.0}")
    if spec.op in ("darker", "brighter"):
        delta = float((out_rgb.mean() - ref_rgb.mean()) * 255.0)
        bound = spec.min_mae or 2.0
        if (spec.op == "darker" and delta > -bound) or (spec.op == "brighter" and delta < bound):
            problems.append(f"{spec.op}: mean changed by {delta:+.1f}, needs {bound} the right way")
    if spec.op == "differs" and mae < (spec.min_mae or 10.0):
        problems.append(f"differs: mean abs error {mae:.1f} < {spec.min_mae or 10.0}")
    if spec.op == "correlates" or spec.min_corr is not None:
        corr = _correlation(out_rgb, ref_rgb)
        if corr < (spec.min_corr if spec.min_corr is not None else 0.8):
            problems.append(f"{spec.op}: correlation {corr:.2f} < {spec.min_corr or 0.8}")
    return problems


def _frequency(spec: CompareSpec, out_rgb: Array, ref_rgb: Array, mae: float) -> list[str]:
    out_hf, ref_hf = high_frequency(out_rgb), high_frequency(ref_rgb)
    problems = []
    if spec.op == "blurred":
        ratio = spec.ratio or 0.7
        if out_hf > ratio * ref_hf:
            problems.append(f"blurred: high-frequency energy {out_hf:.4f} > {ratio} x {ref_hf:.4f}")
        if mae > (spec.max_mae or 40.0):
            problems.append(f"blurred: mean abs error {mae:.1f} > {spec.max_mae or 40.0}")
    else:
        ratio = spec.ratio or 1.2
        if out_hf < ratio * ref_hf:
            problems.append(f"sharpened: high-frequency energy {out_hf:.4f} < {ratio} x {ref_hf:.4f}")
        if _correlation(out_rgb, ref_rgb) < (spec.min_corr if spec.min_corr is not None else 0.5):
            problems.append("sharpened: no longer resembles the expected image")
    return problems


def _edges(output: Array, reference: Array) -> list[str]:
    lum = luminance(output)
    bright = lum > 0.5
    problems = []
    undecided = float(((lum > 0.2) & (lum < 0.8)).mean())
    if undecided > 0.1:
        problems.append(f"edges: {undecided:.0%} of pixels are neither edge nor background")
    fraction = float(bright.mean())
    if not 0.002 <= fraction <= 0.5:
        problems.append(f"edges: {fraction:.1%} edge pixels, expected 0.2%-50%")
    ref_lum = luminance(reference)
    if ref_lum.shape != lum.shape:
        return problems + [f"edges: size {lum.shape[::-1]} != expected {ref_lum.shape[::-1]}"]
    grad = np.hypot(*np.gradient(ref_lum))
    if bright.any() and float(grad[bright].mean()) < 2.0 * float(grad.mean()):
        problems.append("edges: bright pixels do not follow the input's intensity edges")
    return problems


def _check_latent(check: LatentCheck, path: Path) -> list[str]:
    if path.suffix.lower() not in LATENT_SUFFIXES:
        return [f"not a latent file ({path.suffix})"]
    try:
        raw = path.read_bytes()
        (length,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8 : 8 + length])
    except (OSError, ValueError, struct.error) as exc:
        return [f"cannot read safetensors header: {exc}"]
    tensors = {k: v for k, v in header.items() if k != "__metadata__" and isinstance(v, dict)}
    if not tensors:
        return ["the latent file holds no tensor"]
    main = tensors.get("latent_tensor") or max(tensors.values(), key=lambda t: len(t.get("shape", [])))
    shape = main.get("shape")
    if check.shape is not None and shape != check.shape:
        return [f"latent shape {shape} != {check.shape}"]
    return []


def _alpha(array: Array) -> Array:
    if array.ndim == 3 and array.shape[2] == 4:
        return array[..., 3]
    return np.ones(array.shape[:2], dtype=np.float32)


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _is_gray(rgb: Array) -> bool:
    return (
        float(np.abs(rgb[..., 0] - rgb[..., 1]).max(initial=0)) <= 2
        and float(np.abs(rgb[..., 1] - rgb[..., 2]).max(initial=0)) <= 2
    )


def _colors(rgb: Array) -> int:
    return len(np.unique(np.round(rgb).astype(np.int32).reshape(-1, 3), axis=0))


def _correlation(a: Array, b: Array) -> float:
    x, y = luminance(a).ravel(), luminance(b).ravel()
    if x.std() < 1e-6 or y.std() < 1e-6:
        return 1.0 if np.allclose(x, y, atol=2 / 255) else 0.0
    return float(np.corrcoef(x, y)[0, 1])
