"""Multi-step tasks of the CPU suite (4 to 11 functions), with their reference solutions."""

from __future__ import annotations

from typing import Any

from anysym.bench.scripts.cpu_tasks import L, Sol, T, cmp, img, load, op, save, unary

PHOTO, PORTRAIT, PATTERN, MASK, LOGO, TEXTURE = (
    "photo.png",
    "portrait.png",
    "pattern.png",
    "mask.png",
    "logo.png",
    "texture.png",
)
BLACK = 0


def _two(s: Sol, fid: str, ftype: str, a: tuple[str, str, str], b: tuple[str, str, str], **p: Any) -> str:
    s.add(fid, ftype, **p)
    s.link(a[0], a[1], fid, a[2])
    s.link(b[0], b[1], fid, b[2])
    return fid


def _paste(s: Sol, fid: str, dest: str, src: str, x: int, y: int, mask: str | None = None) -> str:
    s.add(fid, "ImageCompositeMasked", x=x, y=y, resize_source=False)
    s.link(dest, "IMAGE", fid, "destination")
    s.link(src, "IMAGE", fid, "source")
    if mask:
        s.link(mask, "MASK", fid, "mask")
    return fid


def _task(
    tid: str, text: str, inputs: list[str], check: list[dict[str, Any]], s: Sol, last: str, **kw: Any
) -> T:
    save(s, last, tid)
    return T(tid, "pipeline", text, inputs, check, s, **kw)


def pipeline_tasks() -> list[T]:  # noqa: PLR0915
    out: list[T] = []

    s = Sol()
    inv = unary(s, "inv", "ImageInvert", load(s, "photo", PHOTO))
    last = unary(
        s, "scale", "ImageScale", inv, upscale_method="bilinear", width=128, height=96, crop="disabled"
    )
    out.append(
        _task(
            "invert_and_shrink",
            "Invert photo.png and then resize it to 128x96 (bilinear).",
            [PHOTO],
            [
                img(
                    width=128,
                    height=96,
                    compare=cmp("match", L(PHOTO), op("invert"), op("resize", width=128, height=96)),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    crop = unary(s, "crop", "ImageCrop", load(s, "p", PORTRAIT), width=96, height=96, x=48, y=48)
    big = unary(s, "up", "ImageScaleBy", crop, upscale_method="bilinear", scale_by=2.0)
    last = unary(s, "inv", "ImageInvert", big)
    out.append(
        _task(
            "face_zoom_negative",
            "Crop the 96x96 square at (48, 48) of portrait.png, enlarge it 2x "
            "(bilinear) and invert its colours.",
            [PORTRAIT],
            [
                img(
                    width=192,
                    height=192,
                    compare=cmp(
                        "match",
                        L(PORTRAIT),
                        op("crop", x=48, y=48, width=96, height=96),
                        op("scale_by", factor=2.0),
                        op("invert"),
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    pad = unary(
        s,
        "pad",
        "ImagePadForOutpaint",
        load(s, "photo", PHOTO),
        left=32,
        top=32,
        right=32,
        bottom=32,
        feathering=0,
    )
    last = unary(s, "blur", "ImageBlur", pad, blur_radius=2, sigma=1.0)
    out.append(
        _task(
            "pad_then_soften",
            "Pad photo.png by 32 pixels on every side (no feathering), then soften "
            "the whole picture with a blur of radius 2 and sigma 1.",
            [PHOTO],
            [
                img(
                    width=320,
                    height=256,
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op("pad", left=32, top=32, right=32, bottom=32),
                        op("blur", radius=2, sigma=1.0),
                        max_mae=4,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    mix = _two(
        s,
        "mix",
        "ImageBlend",
        (load(s, "photo", PHOTO), "IMAGE", "image1"),
        (load(s, "pattern", PATTERN), "IMAGE", "image2"),
        blend_factor=0.3,
        blend_mode="normal",
    )
    last = unary(s, "crop", "ImageCrop", mix, width=128, height=96, x=64, y=48)
    out.append(
        _task(
            "blend_then_crop",
            "Blend pattern.png into photo.png with factor 0.3 (normal mode) and "
            "keep only the central 128x96 region (top-left corner at 64, 48).",
            [PHOTO, PATTERN],
            [
                img(
                    width=128,
                    height=96,
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op("blend", other=[L(PATTERN)], factor=0.3, mode="normal"),
                        op("crop", x=64, y=48, width=128, height=96),
                        max_mae=3,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    canvas = s.add("canvas", "EmptyImage", width=256, height=128, batch_size=1, color=BLACK)
    small = unary(
        s,
        "small_photo",
        "ImageScale",
        load(s, "photo", PHOTO),
        upscale_method="bilinear",
        width=128,
        height=96,
        crop="disabled",
    )
    tall = unary(
        s,
        "small_portrait",
        "ImageScale",
        load(s, "portrait", PORTRAIT),
        upscale_method="bilinear",
        width=96,
        height=128,
        crop="disabled",
    )
    left = _paste(s, "paste_photo", canvas, small, 0, 16)
    last = _paste(s, "paste_portrait", left, tall, 160, 0)
    out.append(
        _task(
            "collage",
            "Make a 256x128 collage on a black canvas: photo.png scaled to 128x96 with its "
            "top-left corner at (0, 16) and portrait.png scaled to 96x128 at (160, 0).",
            [PHOTO, PORTRAIT],
            [
                img(
                    width=256,
                    height=128,
                    compare=cmp(
                        "match",
                        op("solid", width=256, height=128),
                        op("composite", source=[L(PHOTO), op("resize", width=128, height=96)], x=0, y=16),
                        op("composite", source=[L(PORTRAIT), op("resize", width=96, height=128)], x=160, y=0),
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    disc = s.add("mask", "LoadImageMask", image=MASK, channel="red")
    last = _paste(s, "fill", load(s, "photo", PHOTO), load(s, "pattern", PATTERN), 0, 0, disc)
    out.append(
        _task(
            "fill_disc_with_pattern",
            "Replace the white disc of mask.png (red channel) in photo.png with the content of pattern.png.",
            [PHOTO, PATTERN, MASK],
            [
                img(
                    width=256,
                    height=192,
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op(
                            "composite",
                            source=[L(PATTERN)],
                            mask=[{"op": "load_mask", "input": MASK, "channel": "red"}],
                        ),
                        max_mae=1,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    neg = unary(s, "neg", "ImageInvert", load(s, "photo", PHOTO))
    logo = load(s, "logo", LOGO)
    alpha = unary(s, "alpha", "InvertMask", logo, port="MASK", inp="mask")
    full = _paste(s, "branded", neg, logo, 176, 8, alpha)
    save(s, full, "branded_full")
    last = unary(s, "half", "ImageScaleBy", full, upscale_method="bilinear", scale_by=0.5)
    branded = [
        op("invert"),
        op("composite", source=[L(LOGO)], x=176, y=8, mask=[op("load_alpha_mask", input=LOGO), op("invert")]),
    ]
    out.append(
        _task(
            "branded_negative",
            "Invert photo.png, paste logo.png (respecting its transparency) with "
            "its top-left corner at (176, 8), and save both the full-size result and a half-size copy "
            "(scale 0.5, bilinear).",
            [PHOTO, LOGO],
            [
                img(width=256, height=192, compare=cmp("match", L(PHOTO), *branded, max_mae=2)),
                img(
                    width=128,
                    height=96,
                    compare=cmp("match", L(PHOTO), *branded, op("scale_by", factor=0.5), max_mae=6),
                ),
            ],
            s,
            last,
            outputs=[{"kind": "image", "count": 2}],
        )
    )

    s = Sol()
    photo = load(s, "photo", PHOTO)
    edges = unary(s, "edges", "Canny", photo, low_threshold=0.2, high_threshold=0.5)
    last = _two(
        s,
        "glow",
        "ImageBlend",
        (photo, "IMAGE", "image1"),
        (edges, "IMAGE", "image2"),
        blend_factor=1.0,
        blend_mode="screen",
    )
    out.append(
        _task(
            "edge_glow",
            "Find the Canny edges of photo.png (low 0.2, high 0.5) and screen-blend them "
            "over the photo at factor 1.0 so the edges glow white.",
            [PHOTO],
            [
                img(
                    width=256,
                    height=192,
                    compare=[cmp("brighter", L(PHOTO), min_mae=1), cmp("correlates", L(PHOTO), min_corr=0.6)],
                )
            ],
            s,
            last,
        )
    )

    out.extend(_long_pipelines())
    return out


def _long_pipelines() -> list[T]:  # noqa: PLR0915
    out: list[T] = []
    s = Sol()
    a = unary(s, "crop_a", "ImageCrop", load(s, "photo", PHOTO), width=128, height=128, x=64, y=32)
    b = unary(s, "crop_b", "ImageCrop", load(s, "pattern", PATTERN), width=128, height=128, x=64, y=32)
    soft = unary(s, "soft", "ImageBlur", a, blur_radius=2, sigma=1.0)
    neg = unary(s, "neg", "ImageInvert", soft)
    mix = _two(
        s,
        "mix",
        "ImageBlend",
        (neg, "IMAGE", "image1"),
        (b, "IMAGE", "image2"),
        blend_factor=0.5,
        blend_mode="normal",
    )
    small = unary(
        s, "small", "ImageScale", mix, upscale_method="bilinear", width=64, height=64, crop="disabled"
    )
    last = unary(s, "frame", "ImagePadForOutpaint", small, left=8, top=8, right=8, bottom=8, feathering=0)
    crop = {"op": "crop", "x": 64, "y": 32, "width": 128, "height": 128}
    out.append(
        _task(
            "ten_step_tile",
            "From photo.png cut the 128x128 square at (64, 32), blur it (radius 2, "
            "sigma 1) and invert it; blend it 50/50 (normal) with the same square of pattern.png; "
            "resize to 64x64 (bilinear) and pad 8 pixels on every side without feathering.",
            [PHOTO, PATTERN],
            [
                img(
                    width=80,
                    height=80,
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        crop,
                        op("blur", radius=2, sigma=1.0),
                        op("invert"),
                        op("blend", other=[L(PATTERN), crop], factor=0.5),
                        op("resize", width=64, height=64),
                        op("pad", left=8, top=8, right=8, bottom=8),
                        max_mae=5,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    blue = unary(s, "blue", "ImageToMask", load(s, "photo", PHOTO), channel="blue")
    sky = unary(s, "sky", "ThresholdMask", blue, port="MASK", inp="mask", value=0.5)
    canvas = s.add("canvas", "EmptyImage", width=256, height=192, batch_size=1, color=BLACK)
    last = _paste(s, "stencil", canvas, load(s, "pattern", PATTERN), 0, 0, sky)
    out.append(
        _task(
            "blue_stencil",
            "Use the pixels of photo.png whose blue channel is above 0.5 as a stencil: "
            "show pattern.png through it on a black 256x192 canvas.",
            [PHOTO, PATTERN],
            [
                img(
                    width=256,
                    height=192,
                    compare=cmp(
                        "match",
                        op("solid", width=256, height=192),
                        op(
                            "composite",
                            source=[L(PATTERN)],
                            mask=[L(PHOTO), op("channel", channel="blue"), op("threshold", value=0.5)],
                        ),
                        max_mae=1,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    few = unary(s, "few", "ImageQuantize", load(s, "photo", PHOTO), colors=4, dither="none")
    last = unary(s, "half", "ImageScaleBy", few, upscale_method="nearest-exact", scale_by=0.5)
    out.append(
        _task(
            "poster_thumbnail",
            "Turn photo.png into a 4-colour poster (no dithering) and shrink it to "
            "half size with nearest-neighbour sampling.",
            [PHOTO],
            [
                img(
                    width=128,
                    height=96,
                    max_colors=4,
                    compare=cmp(
                        "quantized",
                        L(PHOTO),
                        op("scale_by", factor=0.5, method="nearest-exact"),
                        colors=4,
                        max_mae=40,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    crisp = unary(s, "crisp", "ImageSharpen", load(s, "tex", TEXTURE), sharpen_radius=1, sigma=1.0, alpha=2.0)
    last = unary(s, "crop", "ImageCrop", crisp, width=64, height=64, x=32, y=32)
    out.append(
        _task(
            "sharpen_detail",
            "Sharpen texture.png (radius 1, sigma 1, alpha 2) and keep the 64x64 detail at (32, 32).",
            [TEXTURE],
            [
                img(
                    width=64,
                    height=64,
                    compare=cmp("sharpened", L(TEXTURE), op("crop", x=32, y=32, width=64, height=64)),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    photo = load(s, "photo", PHOTO)
    neg = unary(s, "neg", "ImageInvert", photo)
    disc = s.add("mask", "LoadImageMask", image=MASK, channel="red")
    last = _paste(s, "spot", photo, neg, 0, 0, disc)
    out.append(
        _task(
            "negative_spot",
            "Invert photo.png only inside the white disc of mask.png (red channel); "
            "leave the rest unchanged.",
            [PHOTO, MASK],
            [
                img(
                    width=256,
                    height=192,
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op(
                            "composite",
                            source=[L(PHOTO), op("invert")],
                            mask=[{"op": "load_mask", "input": MASK, "channel": "red"}],
                        ),
                        max_mae=1,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    first = _two(
        s,
        "first",
        "ImageBlend",
        (load(s, "photo", PHOTO), "IMAGE", "image1"),
        (load(s, "pattern", PATTERN), "IMAGE", "image2"),
        blend_factor=0.4,
        blend_mode="normal",
    )
    last = _two(
        s,
        "second",
        "ImageBlend",
        (first, "IMAGE", "image1"),
        (load(s, "tex", TEXTURE), "IMAGE", "image2"),
        blend_factor=0.5,
        blend_mode="multiply",
    )
    out.append(
        _task(
            "layered_blend",
            "Blend pattern.png into photo.png (normal, factor 0.4), then multiply-blend "
            "texture.png over the result with factor 0.5, keeping the size of photo.png.",
            [PHOTO, PATTERN, TEXTURE],
            [
                img(
                    width=256,
                    height=192,
                    compare=cmp(
                        "match",
                        L(PHOTO),
                        op("blend", other=[L(PATTERN)], factor=0.4),
                        op("blend", other=[L(TEXTURE)], factor=0.5, mode="multiply"),
                        max_mae=8,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    canvas = s.add("canvas", "EmptyImage", width=512, height=192, batch_size=1, color=BLACK)
    photo = load(s, "photo", PHOTO)
    neg = unary(s, "neg", "ImageInvert", photo)
    left = _paste(s, "left", canvas, photo, 0, 0)
    last = _paste(s, "right", left, neg, 256, 0)
    out.append(
        _task(
            "before_after",
            "Place photo.png and its colour-inverted copy side by side on a 512x192 "
            "canvas: the original on the left, the inverted copy on the right.",
            [PHOTO],
            [
                img(
                    width=512,
                    height=192,
                    compare=cmp(
                        "match",
                        op("solid", width=512, height=192),
                        op("composite", source=[L(PHOTO)]),
                        op("composite", source=[L(PHOTO), op("invert")], x=256),
                        max_mae=1,
                    ),
                )
            ],
            s,
            last,
        )
    )

    s = Sol()
    shade = unary(s, "shade", "Morphology", load(s, "photo", PHOTO), operation="erode", kernel_size=5)
    out.append(
        _task(
            "erode_photo",
            "Erode photo.png with a 5x5 kernel (morphology) so the dark areas grow.",
            [PHOTO],
            [
                img(
                    width=256,
                    height=192,
                    compare=[cmp("darker", L(PHOTO), min_mae=2), cmp("correlates", L(PHOTO), min_corr=0.6)],
                )
            ],
            s,
            shade,
        )
    )
    s = Sol()
    glow = unary(s, "glow", "Morphology", load(s, "p", PORTRAIT), operation="dilate", kernel_size=5)
    out.append(
        _task(
            "dilate_portrait",
            "Dilate portrait.png with a 5x5 kernel (morphology) so the bright areas grow.",
            [PORTRAIT],
            [
                img(
                    width=192,
                    height=256,
                    compare=[
                        cmp("brighter", L(PORTRAIT), min_mae=1),
                        cmp("correlates", L(PORTRAIT), min_corr=0.7),
                    ],
                )
            ],
            s,
            glow,
        )
    )
    return out
