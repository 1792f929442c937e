"""Reference pipelines: recompute what a correct output looks like from the task's input files.

Images are float32 arrays in [0, 1], `H x W x C` (C = 3 or 4) for images and `H x W` for masks,
following the semantics of the ComfyUI core nodes the operations are named after (e.g. `pad` fills with
0.5 grey like ImagePadForOutpaint, `load_alpha_mask` is LoadImage's MASK = 1 - alpha).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from anysym.bench.checkspec import Step
from anysym.errors import BenchError, MediaError
from anysym.verify.pictures import open_picture

__all__ = ["Array", "evaluate", "high_frequency", "luminance", "to_float", "to_rgb"]

Array = np.ndarray
_METHODS = {
    "nearest-exact": Image.Resampling.NEAREST,
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "area": Image.Resampling.BOX,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def to_float(image: Image.Image) -> Array:
    """Convert a Pillow image to a float array (L -> H x W, RGB/RGBA kept, others -> RGB)."""
    if image.mode not in ("L", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    return np.asarray(image, dtype=np.float32) / 255.0


def to_rgb(array: Array) -> Array:
    """Return an `H x W x 3` view of an image or mask (masks replicated, alpha dropped)."""
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    return array[:, :, :3]


def luminance(array: Array) -> Array:
    """Return the Rec. 601 luminance of an image (a mask is its own luminance)."""
    rgb = to_rgb(array)
    return (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]).astype(np.float32)


def high_frequency(array: Array) -> float:
    """Mean absolute 4-neighbour Laplacian of the luminance: lower after blurring, higher after sharpening."""
    lum = luminance(array)
    if lum.shape[0] < 3 or lum.shape[1] < 3:
        return 0.0
    lap = 4 * lum[1:-1, 1:-1] - lum[:-2, 1:-1] - lum[2:, 1:-1] - lum[1:-1, :-2] - lum[1:-1, 2:]
    return float(np.abs(lap).mean())


def evaluate(steps: list[Step], inputs_dir: Path) -> Array:
    """Run a reference pipeline; the first step must produce an image (`load`, `solid`...)."""
    current: Array | None = None
    for step in steps:
        handler = _OPS[step.op]
        current = handler(current, step, inputs_dir)
    if current is None:
        raise BenchError("a reference pipeline produced nothing; start it with load, solid or solid_mask")
    return current


def _read(inputs_dir: Path, name: str) -> Image.Image:
    path = inputs_dir / name
    hint = f"python -m anysym.bench.make_inputs {inputs_dir}"
    if not path.is_file():
        raise BenchError(f"input file {path} is missing; write the inputs with `{hint}`")
    try:
        with open_picture(path) as image:
            image.load()
            return image.copy()
    except MediaError as exc:
        raise BenchError(f"{exc}; write the inputs again with `{hint}`") from exc


def _need(current: Array | None, step: Step) -> Array:
    if current is None:
        raise BenchError(f"reference step {step.op!r} needs an image before it; put a load step first")
    return current


def _load(_: Array | None, step: Step, inputs_dir: Path) -> Array:
    return to_float(_read(inputs_dir, str(step.param("input"))).convert("RGB"))


def _load_alpha_mask(_: Array | None, step: Step, inputs_dir: Path) -> Array:
    image = _read(inputs_dir, str(step.param("input")))
    if "A" not in image.getbands():
        return np.zeros((64, 64), dtype=np.float32)
    return 1.0 - to_float(image.getchannel("A"))


def _load_mask(_: Array | None, step: Step, inputs_dir: Path) -> Array:
    image = _read(inputs_dir, str(step.param("input")))
    channel = {"alpha": "A", "red": "R", "green": "G", "blue": "B"}[str(step.param("channel"))]
    if channel not in image.getbands():
        image = image.convert("RGBA")
    mask = to_float(image.getchannel(channel))
    return 1.0 - mask if channel == "A" else mask


def _invert(current: Array | None, step: Step, _: Path) -> Array:
    return 1.0 - _need(current, step)


def _resize_to(array: Array, width: int, height: int, method: str) -> Array:
    if method in ("bilinear", "nearest-exact"):
        return _torch_like_resize(array, width, height, method)
    resample = _METHODS.get(method, Image.Resampling.BILINEAR)
    if array.ndim == 2:
        plane = Image.fromarray(array.astype(np.float32), mode="F").resize((width, height), resample)
        return np.asarray(plane, dtype=np.float32)
    planes = [Image.fromarray(array[..., c].astype(np.float32), mode="F") for c in range(array.shape[2])]
    channels = [np.asarray(plane.resize((width, height), resample)) for plane in planes]
    stacked: Array = np.clip(np.stack(channels, axis=-1), 0.0, 1.0).astype(np.float32)
    return stacked


def _torch_like_resize(array: Array, width: int, height: int, method: str) -> Array:
    """Resample like torch `interpolate` (no antialiasing, align_corners=False), as ComfyUI does."""
    h, w = array.shape[:2]
    if method == "nearest-exact":
        rows = np.minimum(np.floor((np.arange(height) + 0.5) * h / height), h - 1).astype(np.int64)
        cols = np.minimum(np.floor((np.arange(width) + 0.5) * w / width), w - 1).astype(np.int64)
        picked: Array = array[rows][:, cols].copy()
        return picked
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(np.int64), np.floor(xs).astype(np.int64)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    wy, wx = (ys - y0).astype(np.float32), (xs - x0).astype(np.float32)
    if array.ndim == 3:
        wy, wx = wy[:, None, None], wx[None, :, None]
    else:
        wy, wx = wy[:, None], wx[None, :]
    top = array[y0][:, x0] * (1 - wx) + array[y0][:, x1] * wx
    bottom = array[y1][:, x0] * (1 - wx) + array[y1][:, x1] * wx
    result: Array = (top * (1 - wy) + bottom * wy).astype(np.float32)
    return result


def _center_crop(array: Array, width: int, height: int) -> Array:
    h, w = array.shape[:2]
    if w / h > width / height:
        new_w = round(h * width / height)
        x = (w - new_w) // 2
        return array[:, x : x + new_w]
    new_h = round(w * height / width)
    y = (h - new_h) // 2
    return array[y : y + new_h]


def _resize(current: Array | None, step: Step, _: Path) -> Array:
    array = _need(current, step)
    width, height = int(step.param("width")), int(step.param("height"))
    h, w = array.shape[:2]
    width = width or round(w * height / h)
    height = height or round(h * width / w)
    if step.param("crop", "disabled") == "center":
        array = _center_crop(array, width, height)
    return _resize_to(array, width, height, str(step.param("method", "bilinear")))


def _scale_by(current: Array | None, step: Step, _: Path) -> Array:
    array = _need(current, step)
    factor = float(step.param("factor"))
    h, w = array.shape[:2]
    return _resize_to(array, round(w * factor), round(h * factor), str(step.param("method", "bilinear")))


def _crop(current: Array | None, step: Step, _: Path) -> Array:
    array = _need(current, step)
    h, w = array.shape[:2]
    x, y = min(int(step.param("x")), w - 1), min(int(step.param("y")), h - 1)
    return array[y : y + int(step.param("height")), x : x + int(step.param("width"))].copy()


def _blend(current: Array | None, step: Step, inputs_dir: Path) -> Array:
    first = to_rgb(_need(current, step))
    second = to_rgb(evaluate(step.param("other"), inputs_dir))
    h, w = first.shape[:2]
    if second.shape[:2] != (h, w):
        second = _resize_to(_center_crop(second, w, h), w, h, "bicubic")
    mode = str(step.param("mode", "normal"))
    modes: dict[str, Callable[[Array, Array], Array]] = {
        "normal": lambda a, b: b,
        "multiply": lambda a, b: a * b,
        "screen": lambda a, b: 1 - (1 - a) * (1 - b),
        "difference": lambda a, b: a - b,
        "overlay": lambda a, b: np.where(a <= 0.5, 2 * a * b, 1 - 2 * (1 - a) * (1 - b)),
    }
    if mode not in modes:
        raise BenchError(f"blend mode {mode!r} has no reference; use one of {sorted(modes)}")
    factor = float(step.param("factor"))
    return np.clip(first * (1 - factor) + modes[mode](first, second) * factor, 0.0, 1.0).astype(np.float32)


def _pad(current: Array | None, step: Step, _: Path) -> Array:
    array = to_rgb(_need(current, step))
    left, top = int(step.param("left", 0)), int(step.param("top", 0))
    right, bottom = int(step.param("right", 0)), int(step.param("bottom", 0))
    h, w = array.shape[:2]
    out = np.full((h + top + bottom, w + left + right, 3), 0.5, dtype=np.float32)
    out[top : top + h, left : left + w] = array
    return out


def _composite(current: Array | None, step: Step, inputs_dir: Path) -> Array:
    destination = to_rgb(_need(current, step)).copy()
    source = to_rgb(evaluate(step.param("source"), inputs_dir))
    x, y = int(step.param("x", 0)), int(step.param("y", 0))
    h, w = destination.shape[:2]
    sh, sw = min(source.shape[0], h - y), min(source.shape[1], w - x)
    if sh <= 0 or sw <= 0:
        return destination
    weight = np.ones((sh, sw, 1), dtype=np.float32)
    mask_steps = step.param("mask")
    if mask_steps:
        mask = evaluate(mask_steps, inputs_dir)
        mask = mask if mask.ndim == 2 else luminance(mask)
        weight = _resize_to(mask, source.shape[1], source.shape[0], "bilinear")[:sh, :sw, None]
    region = destination[y : y + sh, x : x + sw]
    destination[y : y + sh, x : x + sw] = source[:sh, :sw] * weight + region * (1 - weight)
    return destination


def _solid(_: Array | None, step: Step, __: Path) -> Array:
    color = int(step.param("color", 0))
    rgb = np.array([(color >> 16) & 0xFF, (color >> 8) & 0xFF, color & 0xFF], dtype=np.float32) / 255.0
    return np.tile(rgb, (int(step.param("height")), int(step.param("width")), 1)).astype(np.float32)


def _solid_mask(_: Array | None, step: Step, __: Path) -> Array:
    shape = (int(step.param("height")), int(step.param("width")))
    return np.full(shape, float(step.param("value", 1.0)), dtype=np.float32)


def _channel(current: Array | None, step: Step, _: Path) -> Array:
    array = _need(current, step)
    index = {"red": 0, "green": 1, "blue": 2, "alpha": 3}[str(step.param("channel"))]
    if array.ndim == 2:
        return array
    if index >= array.shape[2]:
        return np.ones(array.shape[:2], dtype=np.float32)
    return array[..., index].copy()


def _to_image(current: Array | None, step: Step, _: Path) -> Array:
    return to_rgb(_need(current, step)).copy()


def _threshold(current: Array | None, step: Step, _: Path) -> Array:
    array = _need(current, step)
    return (array > float(step.param("value"))).astype(np.float32)


def _mask_composite(current: Array | None, step: Step, inputs_dir: Path) -> Array:
    destination = _need(current, step).copy()
    source = evaluate(step.param("source"), inputs_dir)
    x, y = int(step.param("x", 0)), int(step.param("y", 0))
    h, w = destination.shape[:2]
    sh, sw = min(source.shape[0], h - y), min(source.shape[1], w - x)
    region, src = destination[y : y + sh, x : x + sw], source[:sh, :sw]
    operation = str(step.param("operation"))
    results: dict[str, Callable[[], Array]] = {
        "multiply": lambda: region * src,
        "add": lambda: region + src,
        "subtract": lambda: region - src,
        "and": lambda: np.logical_and(region.round(), src.round()).astype(np.float32),
        "or": lambda: np.logical_or(region.round(), src.round()).astype(np.float32),
        "xor": lambda: np.logical_xor(region.round(), src.round()).astype(np.float32),
    }
    destination[y : y + sh, x : x + sw] = np.clip(results[operation](), 0.0, 1.0)
    return destination


def _join_alpha(current: Array | None, step: Step, inputs_dir: Path) -> Array:
    rgb = to_rgb(_need(current, step))
    alpha = evaluate(step.param("alpha"), inputs_dir)
    alpha = alpha if alpha.ndim == 2 else luminance(alpha)
    alpha = _resize_to(alpha, rgb.shape[1], rgb.shape[0], "bilinear")
    return np.concatenate([rgb, (1.0 - alpha)[..., None]], axis=-1).astype(np.float32)


def _color_to_mask(current: Array | None, step: Step, _: Path) -> Array:
    rgb = np.clip(np.round(to_rgb(_need(current, step)) * 255), 0, 255).astype(np.int64)
    packed = (rgb[..., 0] << 16) + (rgb[..., 1] << 8) + rgb[..., 2]
    mask: Array = (packed == int(step.param("color"))).astype(np.float32)
    return mask


def _blur(current: Array | None, step: Step, _: Path) -> Array:
    array = _need(current, step)
    radius, sigma = int(step.param("radius")), float(step.param("sigma", 1.0))
    offsets = np.linspace(-1.0, 1.0, 2 * radius + 1, dtype=np.float32)  # ComfyUI's kernel grid
    kernel = np.exp(-(offsets**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    planes = array[..., None] if array.ndim == 2 else array
    padded = np.pad(planes, ((radius, radius), (radius, radius), (0, 0)), mode="reflect")
    rows = sum(k * padded[i : i + planes.shape[0], :, :] for i, k in enumerate(kernel))
    out = sum(k * rows[:, i : i + planes.shape[1], :] for i, k in enumerate(kernel))
    result = np.asarray(out, dtype=np.float32)
    return result[..., 0] if array.ndim == 2 else result


_OPS: dict[str, Callable[[Array | None, Step, Path], Array]] = {
    "load": _load,
    "load_alpha_mask": _load_alpha_mask,
    "load_mask": _load_mask,
    "invert": _invert,
    "resize": _resize,
    "scale_by": _scale_by,
    "crop": _crop,
    "blend": _blend,
    "pad": _pad,
    "composite": _composite,
    "solid": _solid,
    "solid_mask": _solid_mask,
    "channel": _channel,
    "to_image": _to_image,
    "threshold": _threshold,
    "mask_composite": _mask_composite,
    "join_alpha": _join_alpha,
    "color_to_mask": _color_to_mask,
    "blur": _blur,
}
