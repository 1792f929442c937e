"""Write bench/suites/cpu.json and cpu_solutions/*.alang: `python -m anysym.bench.scripts.build_cpu_suite`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from anysym.bench.scripts.cpu_tasks import L, Sol, T, cmp, img, load, op, save, unary
from anysym.bench.scripts.suite_files import write_files

PHOTO, PORTRAIT, PATTERN, MASK, LOGO, TEXTURE = (
    "photo.png",
    "portrait.png",
    "pattern.png",
    "mask.png",
    "logo.png",
    "texture.png",
)
SUN = 16439616  # RGB (250, 217, 64): the sun disc of photo.png
RED = 0xFF0000


def single(
    tid: str,
    category: str,
    text: str,
    inputs: list[str],
    check: list[dict[str, Any]],
    build: Callable[[Sol], str],
) -> T:
    s = Sol()
    last = build(s)
    save(s, last, tid)
    return T(tid, category, text, inputs, check, s)


def tasks() -> list[T]:  # noqa: PLR0915 - a flat list of tasks reads best
    out: list[T] = []
    add = out.append

    add(
        single(
            "invert_photo",
            "adjust",
            "Invert the colours of photo.png and save the result.",
            [PHOTO],
            [img(width=256, height=192, mode="RGB", compare=cmp("match", L(PHOTO), op("invert")))],
            lambda s: unary(s, "invert", "ImageInvert", load(s, "photo", PHOTO)),
        )
    )
    add(
        single(
            "resize_photo",
            "geometry",
            "Resize photo.png to exactly 128x96 pixels using bilinear sampling.",
            [PHOTO],
            [img(width=128, height=96, compare=cmp("match", L(PHOTO), op("resize", width=128, height=96)))],
            lambda s: unary(
                s,
                "scale",
                "ImageScale",
                load(s, "photo", PHOTO),
                upscale_method="bilinear",
                width=128,
                height=96,
                crop="disabled",
            ),
        )
    )
    add(
        single(
            "upscale_texture",
            "geometry",
            "Upscale texture.png by a factor of 2 with nearest-neighbour (nearest-exact) sampling.",
            [TEXTURE],
            [
                img(
                    width=256,
                    height=256,
                    compare=cmp("match", L(TEXTURE), op("scale_by", factor=2.0, method="nearest-exact")),
                )
            ],
            lambda s: unary(
                s,
                "scale",
                "ImageScaleBy",
                load(s, "tex", TEXTURE),
                upscale_method="nearest-exact",
                scale_by=2.0,
            ),
        )
    )
    add(
        single(
            "crop_photo_region",
            "geometry",
            "Crop the 64x96 region whose top-left corner is at x=40, y=80 out of photo.png.",
            [PHOTO],
            [
                img(
                    width=64,
                    height=96,
                    compare=cmp("match", L(PHOTO), op("crop", x=40, y=80, width=64, height=96), max_mae=1),
                )
            ],
            lambda s: unary(s, "crop", "ImageCrop", load(s, "photo", PHOTO), width=64, height=96, x=40, y=80),
        )
    )
    add(
        single(
            "crop_portrait_center",
            "geometry",
            "Cut out the central 96x96 square of portrait.png "
            "(portrait.png is 192 pixels wide and 256 pixels high).",
            [PORTRAIT],
            [
                img(
                    width=96,
                    height=96,
                    compare=cmp("match", L(PORTRAIT), op("crop", x=48, y=80, width=96, height=96), max_mae=1),
                )
            ],
            lambda s: unary(s, "crop", "ImageCrop", load(s, "p", PORTRAIT), width=96, height=96, x=48, y=80),
        )
    )
    add(
        single(
            "blur_photo",
            "filter",
            "Blur photo.png with a Gaussian blur of radius 4 and sigma 2.",
            [PHOTO],
            [
                img(
                    width=256,
                    height=192,
                    compare=[
                        cmp("blurred", L(PHOTO)),
                        cmp("match", L(PHOTO), op("blur", radius=4, sigma=2.0)),
                    ],
                )
            ],
            lambda s: unary(s, "blur", "ImageBlur", load(s, "photo", PHOTO), blur_radius=4, sigma=2.0),
        )
    )
    add(
        single(
            "sharpen_texture",
            "filter",
            "Sharpen texture.png with sharpen radius 2, sigma 1.0 and alpha 1.5.",
            [TEXTURE],
            [img(width=128, height=128, compare=cmp("sharpened", L(TEXTURE)))],
            lambda s: unary(
                s, "sharp", "ImageSharpen", load(s, "tex", TEXTURE), sharpen_radius=2, sigma=1.0, alpha=1.5
            ),
        )
    )
    add(
        single(
            "edges_photo",
            "filter",
            "Detect the edges of photo.png with the Canny detector (low threshold 0.2, high threshold 0.5) "
            "and save the edge map.",
            [PHOTO],
            [img(width=256, height=192, compare=cmp("edges", L(PHOTO)))],
            lambda s: unary(
                s, "canny", "Canny", load(s, "photo", PHOTO), low_threshold=0.2, high_threshold=0.5
            ),
        )
    )
    add(
        single(
            "quantize_photo",
            "adjust",
            "Reduce photo.png to at most 8 colours without dithering.",
            [PHOTO],
            [img(width=256, height=192, max_colors=8, compare=cmp("quantized", L(PHOTO), colors=8))],
            lambda s: unary(s, "quant", "ImageQuantize", load(s, "photo", PHOTO), colors=8, dither="none"),
        )
    )
    add(
        single(
            "green_channel_gray",
            "adjust",
            "Make a grayscale image from the green channel of photo.png and save it.",
            [PHOTO],
            [
                img(
                    width=256,
                    height=192,
                    grayscale=True,
                    compare=cmp("match", L(PHOTO), op("channel", channel="green"), op("to_image")),
                )
            ],
            lambda s: unary(
                s,
                "gray",
                "MaskToImage",
                unary(s, "green", "ImageToMask", load(s, "photo", PHOTO), channel="green"),
                port="MASK",
                inp="mask",
            ),
        )
    )
    out.extend(_blends())
    out.extend(_canvas())
    out.extend(_masks())
    out.extend(_batches())
    out.extend(_pipelines())
    return out


def _blend(s: Sol, fid: str, a: str, b: str, factor: float, mode: str) -> str:
    s.add(fid, "ImageBlend", blend_factor=factor, blend_mode=mode)
    s.link(a, "IMAGE", fid, "image1")
    s.link(b, "IMAGE", fid, "image2")
    return fid


def _blends() -> list[T]:
    def blend_task(tid: str, text: str, first: str, second: str, factor: float, mode: str) -> T:
        return single(
            tid,
            "composite",
            text,
            [first, second],
            [
                img(
                    width=256,
                    height=192,
                    compare=cmp(
                        "match", L(first), op("blend", other=[L(second)], factor=factor, mode=mode), max_mae=8
                    ),
                )
            ],
            lambda s: _blend(s, "blend", load(s, "a", first), load(s, "b", second), factor, mode),
        )

    diff = Sol()
    photo = load(diff, "photo", PHOTO)
    blurred = unary(diff, "blur", "ImageBlur", photo, blur_radius=3, sigma=1.5)
    save(diff, _blend(diff, "diff", photo, blurred, 1.0, "difference"), "difference_of_blur")
    return [
        blend_task(
            "blend_even",
            "Blend photo.png and pattern.png evenly (50/50, normal mode).",
            PHOTO,
            PATTERN,
            0.5,
            "normal",
        ),
        blend_task(
            "blend_multiply",
            "Multiply-blend pattern.png onto photo.png at full strength (factor 1.0).",
            PHOTO,
            PATTERN,
            1.0,
            "multiply",
        ),
        blend_task(
            "blend_screen_portrait",
            "Screen-blend portrait.png over photo.png with factor 0.7; keep the size of photo.png.",
            PHOTO,
            PORTRAIT,
            0.7,
            "screen",
        ),
        blend_task(
            "blend_overlay",
            "Overlay pattern.png on photo.png with blend factor 0.6 (overlay mode).",
            PHOTO,
            PATTERN,
            0.6,
            "overlay",
        ),
        T(
            "difference_of_blur",
            "composite",
            "Show where photo.png has detail: blur it (radius 3, sigma 1.5) and "
            "save the difference between the original and the blurred copy (difference blend, factor 1.0).",
            [PHOTO],
            [
                img(
                    width=256,
                    height=192,
                    mean_range=(0, 40),
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op(
                            "blend",
                            other=[L(PHOTO), op("blur", radius=3, sigma=1.5)],
                            factor=1.0,
                            mode="difference",
                        ),
                        max_mae=4,
                    ),
                )
            ],
            diff,
        ),
    ]


def _composite(
    s: Sol, fid: str, dest: str, src: str, x: int, y: int, mask: tuple[str, str] | None = None
) -> str:
    s.add(fid, "ImageCompositeMasked", x=x, y=y, resize_source=False)
    s.link(dest, "IMAGE", fid, "destination")
    s.link(src, "IMAGE", fid, "source")
    if mask:
        s.link(mask[0], mask[1], fid, "mask")
    return fid


def _canvas() -> list[T]:
    def pad_task(tid: str, text: str, pads: dict[str, Any], w: int, h: int) -> T:
        return single(
            tid,
            "geometry",
            text,
            [PHOTO],
            [img(width=w, height=h, compare=cmp("match", L(PHOTO), op("pad", **pads), max_mae=2))],
            lambda s: unary(
                s,
                "pad",
                "ImagePadForOutpaint",
                load(s, "photo", PHOTO),
                **{"feathering": 0, **{k: pads.get(k, 0) for k in ("left", "top", "right", "bottom")}},
            ),
        )

    logo = Sol()
    photo, mark = load(logo, "photo", PHOTO), load(logo, "logo", LOGO)
    alpha = unary(logo, "alpha", "InvertMask", mark, port="MASK", inp="mask")
    save(logo, _composite(logo, "paste", photo, mark, 16, 16, (alpha, "MASK")), "logo_on_photo")
    patch = Sol()
    portrait, tex = load(patch, "portrait", PORTRAIT), load(patch, "tex", TEXTURE)
    crop = unary(patch, "crop", "ImageCrop", tex, width=64, height=64, x=32, y=32)
    save(patch, _composite(patch, "paste", portrait, crop, 64, 96), "texture_patch")
    return [
        pad_task(
            "outpaint_pad_right",
            "Extend the canvas of photo.png for outpainting by 64 pixels on the right "
            "and 32 pixels at the bottom (no feathering).",
            {"right": 64, "bottom": 32},
            320,
            224,
        ),
        pad_task(
            "outpaint_pad_all",
            "Pad photo.png by 16 pixels on every side for outpainting, without feathering.",
            {"left": 16, "top": 16, "right": 16, "bottom": 16},
            288,
            224,
        ),
        single(
            "solid_red",
            "generate",
            "Create a 200x100 image filled with pure red and save it.",
            [],
            [
                img(
                    width=200,
                    height=100,
                    compare=cmp("match", op("solid", width=200, height=100, color=RED), max_mae=1),
                )
            ],
            lambda s: s.add("canvas", "EmptyImage", width=200, height=100, batch_size=1, color=RED),
        ),
        T(
            "logo_on_photo",
            "composite",
            "Paste logo.png onto photo.png with its top-left corner at (16, 16), "
            "keeping the logo's transparent background transparent.",
            [PHOTO, LOGO],
            [
                img(
                    width=256,
                    height=192,
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op(
                            "composite",
                            source=[L(LOGO)],
                            x=16,
                            y=16,
                            mask=[op("load_alpha_mask", input=LOGO), op("invert")],
                        ),
                        max_mae=2,
                    ),
                )
            ],
            logo,
            key_functions=["ImageCompositeMasked"],
        ),
        T(
            "texture_patch",
            "composite",
            "Cut the 64x64 patch at (32, 32) out of texture.png and paste it onto "
            "portrait.png with its top-left corner at (64, 96).",
            [PORTRAIT, TEXTURE],
            [
                img(
                    width=192,
                    height=256,
                    compare=cmp(
                        "match",
                        L(PORTRAIT),
                        op(
                            "composite",
                            source=[L(TEXTURE), op("crop", x=32, y=32, width=64, height=64)],
                            x=64,
                            y=96,
                        ),
                        max_mae=1,
                    ),
                )
            ],
            patch,
        ),
    ]


def _mask_image(s: Sol, src: str, port: str = "MASK") -> str:
    return unary(s, "as_image", "MaskToImage", src, port=port, inp="mask")


def _masks() -> list[T]:
    def load_mask(s: Sol, fid: str = "mask") -> str:
        return s.add(fid, "LoadImageMask", image=MASK, channel="red")

    def mask_task(
        tid: str,
        text: str,
        inputs: list[str],
        expect: list[dict[str, Any]],
        build: Callable[[Sol], str],
        **extra: Any,
    ) -> T:
        return single(
            tid,
            "mask",
            text,
            inputs,
            [img(grayscale=True, compare=cmp("match", *expect, max_mae=2), **extra)],
            build,
        )

    composite = Sol()
    solid = composite.add("square", "SolidMask", value=1.0, width=64, height=64)
    composite.add("union", "MaskComposite", x=160, y=100, operation="add")
    composite.link(load_mask(composite), "MASK", "union", "destination")
    composite.link(solid, "MASK", "union", "source")
    save(composite, _mask_image(composite, "union"), "mask_add_square")
    return [
        mask_task(
            "invert_mask",
            "Load mask.png as a mask from its red channel, invert it and save the mask as an image.",
            [MASK],
            [{"op": "load_mask", "input": MASK, "channel": "red"}, op("invert"), op("to_image")],
            lambda s: _mask_image(s, unary(s, "inv", "InvertMask", load_mask(s), port="MASK", inp="mask")),
        ),
        mask_task(
            "threshold_red",
            "Make a black-and-white image from photo.png: pixels whose red channel is "
            "above 0.6 become white, all others black.",
            [PHOTO],
            [L(PHOTO), op("channel", channel="red"), op("threshold", value=0.6), op("to_image")],
            lambda s: _mask_image(
                s,
                unary(
                    s,
                    "thr",
                    "ThresholdMask",
                    unary(s, "red", "ImageToMask", load(s, "photo", PHOTO), channel="red"),
                    port="MASK",
                    inp="mask",
                    value=0.6,
                ),
            ),
            max_colors=2,
        ),
        mask_task(
            "select_sun_color",
            "Select the pixels of photo.png whose colour is exactly RGB (250, 217, 64) "
            "as a mask and save it as a black-and-white image.",
            [PHOTO],
            [L(PHOTO), op("color_to_mask", color=SUN), op("to_image")],
            lambda s: _mask_image(
                s, unary(s, "pick", "ImageColorToMask", load(s, "photo", PHOTO), color=SUN)
            ),
        ),
        mask_task(
            "logo_alpha",
            "Extract the opacity of logo.png as a grayscale image: opaque pixels white, "
            "transparent pixels black.",
            [LOGO],
            [op("load_alpha_mask", input=LOGO), op("invert"), op("to_image")],
            lambda s: _mask_image(
                s, unary(s, "inv", "InvertMask", load(s, "logo", LOGO), port="MASK", inp="mask")
            ),
        ),
        T(
            "mask_add_square",
            "mask",
            "Add a 64x64 solid white square with its top-left corner at (160, 100) to "
            "the mask in mask.png (red channel) and save the combined mask as an image.",
            [MASK],
            [
                img(
                    width=256,
                    height=192,
                    grayscale=True,
                    compare=cmp(
                        "match",
                        {"op": "load_mask", "input": MASK, "channel": "red"},
                        op(
                            "mask_composite",
                            source=[op("solid_mask", width=64, height=64, value=1.0)],
                            x=160,
                            y=100,
                            operation="add",
                        ),
                        op("to_image"),
                        max_mae=1,
                    ),
                )
            ],
            composite,
        ),
        single(
            "grow_mask",
            "mask",
            "Grow the white disc of mask.png (red channel) by 8 pixels and save the grown mask as an image.",
            [MASK],
            [
                img(
                    width=256,
                    height=192,
                    grayscale=True,
                    compare=[
                        cmp(
                            "brighter",
                            {"op": "load_mask", "input": MASK, "channel": "red"},
                            op("to_image"),
                            min_mae=3,
                        ),
                        cmp(
                            "correlates",
                            {"op": "load_mask", "input": MASK, "channel": "red"},
                            op("to_image"),
                            min_corr=0.8,
                        ),
                    ],
                )
            ],
            lambda s: _mask_image(
                s,
                unary(
                    s,
                    "grow",
                    "GrowMask",
                    load_mask(s),
                    port="MASK",
                    inp="mask",
                    expand=8,
                    tapered_corners=True,
                ),
            ),
        ),
        single(
            "photo_with_hole",
            "mask",
            "Make the white disc of mask.png (red channel) fully transparent in "
            "photo.png and save it as a PNG with an alpha channel.",
            [PHOTO, MASK],
            [
                img(
                    width=256,
                    height=192,
                    mode="RGBA",
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op("join_alpha", alpha=[{"op": "load_mask", "input": MASK, "channel": "red"}]),
                        max_mae=1,
                    ),
                )
            ],
            lambda s: _join(s, load(s, "photo", PHOTO), load_mask(s)),
        ),
    ]


def _join(s: Sol, image: str, mask: str) -> str:
    s.add("join", "JoinImageWithAlpha")
    s.link(image, "IMAGE", "join", "image")
    s.link(mask, "MASK", "join", "alpha")
    return "join"


def _batches() -> list[T]:
    from anysym.bench.scripts.cpu_tasks import unary as u

    anim = Sol()
    photo = load(anim, "photo", PHOTO)
    anim.add("pair", "ImageBatch")
    anim.link(photo, "IMAGE", "pair", "image1")
    anim.link(u(anim, "neg", "ImageInvert", photo), "IMAGE", "pair", "image2")
    rep = u(anim, "repeat", "RepeatImageBatch", "pair", amount=2)
    save(
        anim,
        rep,
        "photo_blink",
        node="SaveAnimatedWEBP",
        fps=4.0,
        lossless=True,
        quality=90,
        method="default",
    )
    seq = Sol()
    a, b = load(seq, "photo", PHOTO), load(seq, "pattern", PATTERN)
    mid = _blend(seq, "mid", a, b, 0.5, "normal")
    seq.add("first_two", "ImageBatch")
    seq.link(a, "IMAGE", "first_two", "image1")
    seq.link(mid, "IMAGE", "first_two", "image2")
    seq.add("all_three", "ImageBatch")
    seq.link("first_two", "IMAGE", "all_three", "image1")
    seq.link(b, "IMAGE", "all_three", "image2")
    save(seq, "all_three", "crossfade", node="SaveAnimatedPNG", fps=2.0, compress_level=4)
    pair = Sol()
    pa, pb = load(pair, "photo", PHOTO), load(pair, "pattern", PATTERN)
    pair.add("batch", "ImageBatch")
    pair.link(pa, "IMAGE", "batch", "image1")
    pair.link(pb, "IMAGE", "batch", "image2")
    save(pair, u(pair, "inv", "ImageInvert", "batch"), "inverted_pair")
    latent = Sol()
    latent.add("empty", "EmptyLatentImage", width=256, height=192, batch_size=2)
    latent.add("save", "SaveLatent", filename_prefix="latents/empty_latent")
    latent.link("empty", "LATENT", "save", "samples")
    upscaled = Sol()
    upscaled.add("empty", "EmptyLatentImage", width=128, height=128, batch_size=1)
    u(
        upscaled,
        "up",
        "LatentUpscale",
        "empty",
        port="LATENT",
        inp="samples",
        upscale_method="nearest-exact",
        width=256,
        height=256,
        crop="disabled",
    )
    upscaled.add("save", "SaveLatent", filename_prefix="latents/upscaled_latent")
    upscaled.link("up", "LATENT", "save", "samples")
    decode = Sol()
    decode.add("vae", "VAELoader", vae_name="taesd")
    decode.add("empty", "EmptyLatentImage", width=128, height=128, batch_size=1)
    decode.add("decode", "VAEDecode")
    decode.link("empty", "LATENT", "decode", "samples")
    decode.link("vae", "VAE", "decode", "vae")
    save(decode, "decode", "decoded_latent")
    latent_out = [{"kind": "latent", "count": 1}]
    return [
        T(
            "photo_blink",
            "animation",
            "Make a 4-frame animated WEBP that alternates between photo.png and its colour-inverted copy "
            "(photo, inverted, photo, inverted).",
            [PHOTO],
            [img(width=256, height=192, frames=4, compare=cmp("match", L(PHOTO), max_mae=3))],
            anim,
            outputs=[{"kind": "video", "count": 1}],
            output_modalities=["video"],
        ),
        T(
            "crossfade",
            "animation",
            "Create a 3-frame animated PNG: first photo.png, then the 50/50 blend of "
            "photo.png and pattern.png, then pattern.png.",
            [PHOTO, PATTERN],
            [img(width=256, height=192, frames=3, compare=cmp("match", L(PHOTO), max_mae=2))],
            seq,
            outputs=[{"kind": "video", "count": 1}],
            output_modalities=["video"],
        ),
        T(
            "inverted_pair",
            "batch",
            "Put photo.png and pattern.png in one batch, invert both, and save the two inverted images.",
            [PHOTO, PATTERN],
            [
                img(compare=cmp("match", L(PHOTO), op("invert"), max_mae=1)),
                img(compare=cmp("match", L(PATTERN), op("invert"), max_mae=1)),
            ],
            pair,
            outputs=[{"kind": "image", "count": 2}],
        ),
        T(
            "empty_latent",
            "latent",
            "Create an empty latent for a 256x192 image with a batch size of 2 and save it as a latent file.",
            [],
            [{"kind": "latent", "shape": [2, 4, 24, 32]}],
            latent,
            outputs=latent_out,
            output_modalities=["latent"],
        ),
        T(
            "upscaled_latent",
            "latent",
            "Create an empty 128x128 latent, upscale it to 256x256 (nearest-exact) and "
            "save it as a latent file.",
            [],
            [{"kind": "latent", "shape": [1, 4, 32, 32]}],
            upscaled,
            outputs=latent_out,
            output_modalities=["latent"],
        ),
        T(
            "decode_empty_latent",
            "latent",
            "Decode an empty 128x128 latent with the taesd VAE and save the image.",
            [],
            [img(width=128, height=128, mode="RGB")],
            decode,
            key_functions=["VAELoader", "VAEDecode"],
        ),
    ]


def _pipelines() -> list[T]:
    from anysym.bench.scripts.pipelines import pipeline_tasks

    return pipeline_tasks()


def build() -> dict[str, str]:
    """Every file this script writes: path under bench/suites -> its text."""
    all_tasks = tasks()
    suite = {
        "name": "cpu",
        "description": "Image tasks the local CPU ComfyUI executes with model-free nodes (plus the random "
        "TAESD); every task has a programmatic output check and a hand-written reference solution.",
        "inputs_generator": "anysym.bench.make_inputs",
        "tasks": [task.to_json() for task in all_tasks],
    }
    files = {"cpu.json": json.dumps(suite, indent=2) + "\n"}
    files |= {f"cpu_solutions/{task.id}.alang": task.solution.render() for task in all_tasks}
    return files


def main() -> None:
    files = build()
    write_files(files)
    print(f"{len(files) - 1} tasks")


if __name__ == "__main__":
    main()
