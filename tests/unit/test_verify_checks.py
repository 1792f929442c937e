from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from anysym.graph.result import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow, Function, Link
from anysym.verify.checks import check_outputs, check_static
from anysym.verify.expectations import Expectations, expect
from anysym.verify.media import Size

K = DiagnosticKind
SIZES = {
    "photo.png": (256, 192),
    "portrait.png": (192, 256),
    "pattern.png": (256, 192),
    "texture.png": (128, 128),
}
LinkSpec = tuple[str, int, str, str]


def flow(functions: dict[str, tuple[str, dict[str, Any]]], links: list[LinkSpec]) -> Flow:
    return Flow.build(
        {fid: Function(type=t, params=p) for fid, (t, p) in functions.items()},
        [Link(source=s, output=o, target=t, input=i) for s, o, t, i in links],
    )


LOAD = {"load": ("LoadImage", {"image": "photo.png"})}
SAVE = {"save": ("SaveImage", {"filename_prefix": "out"})}
EDIT = flow(
    LOAD | {"inv": ("ImageInvert", {})} | SAVE, [("load", 0, "inv", "image"), ("inv", 0, "save", "images")]
)
RESIZE = flow(
    LOAD
    | {"scale": ("ImageScale", {"width": 96, "height": 96, "upscale_method": "bilinear", "crop": "disabled"})}
    | SAVE,
    [("load", 0, "scale", "image"), ("scale", 0, "save", "images")],
)
PAD = flow(
    LOAD
    | {"pad": ("ImagePadForOutpaint", {"left": 16, "top": 16, "right": 16, "bottom": 16, "feathering": 0})}
    | SAVE,
    [("load", 0, "pad", "image"), ("pad", 0, "save", "images")],
)
SCALE_BY = flow(
    LOAD | {"half": ("ImageScaleBy", {"upscale_method": "bilinear", "scale_by": 0.5})} | SAVE,
    [("load", 0, "half", "image"), ("half", 0, "save", "images")],
)
CREATE = flow(
    {"empty": ("EmptyImage", {"width": 512, "height": 512, "batch_size": 1, "color": 0})} | SAVE,
    [("empty", 0, "save", "images")],
)
BLEND = flow(
    LOAD
    | {
        "load2": ("LoadImage", {"image": "pattern.png"}),
        "mix": ("ImageBlend", {"blend_factor": 0.5, "blend_mode": "normal"}),
    }
    | SAVE,
    [("load", 0, "mix", "image1"), ("load2", 0, "mix", "image2"), ("mix", 0, "save", "images")],
)
LATENT = flow(
    {
        "lat": ("EmptyLatentImage", {"width": 512, "height": 512, "batch_size": 1}),
        "save": ("SaveLatent", {"filename_prefix": "latents/out"}),
    },
    [("lat", 0, "save", "samples")],
)
DECODE = flow(
    {
        "lat": ("EmptyLatentImage", {"width": 300, "height": 200, "batch_size": 1}),
        "vae": ("VAELoader", {"vae_name": "taesd"}),
        "dec": ("VAEDecode", {}),
    }
    | SAVE,
    [("lat", 0, "dec", "samples"), ("vae", 0, "dec", "vae"), ("dec", 0, "save", "images")],
)
ANIMATION = flow(
    LOAD
    | {
        "inv": ("ImageInvert", {}),
        "rep": ("RepeatImageBatch", {"amount": 2}),
        "anim": ("SaveAnimatedWEBP", {"filename_prefix": "a", "fps": 2.0}),
    },
    [("load", 0, "inv", "image"), ("inv", 0, "rep", "image"), ("rep", 0, "anim", "images")],
)


@pytest.fixture
def catalog(snapshot_catalog: Catalog) -> Catalog:
    return snapshot_catalog


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name, size in SIZES.items():
        Image.new("RGB", size, (200, 10, 10)).save(folder / name)
    return {name: folder / name for name in SIZES}


def ex(task: str, inputs: dict[str, Path], *names: str) -> Expectations:
    return expect(task, [inputs[n] for n in names])


def image_out(
    tmp_path: Path, size: tuple[int, int], function_id: str = "save", frames: int = 1, fill: int = 0
) -> OutputFile:
    """An image (or animation) file; frame i is (i * 50, 0, 0), or every frame the packed colour `fill`."""
    path = tmp_path / f"{function_id}_{size[0]}x{size[1]}_{frames}.{'webp' if frames > 1 else 'png'}"
    first = ((fill >> 16) & 255, (fill >> 8) & 255, fill & 255)
    images = [Image.new("RGB", size, first if fill else (i * 50, 0, 0)) for i in range(frames)]
    images[0].save(path, save_all=frames > 1, append_images=images[1:])
    return OutputFile(function_id=function_id, path=path, kind="image", filename=path.name)


def latent_out(tmp_path: Path, shape: list[int], function_id: str = "save") -> OutputFile:
    count = 1
    for dim in shape:
        count *= dim
    raw = json.dumps(
        {"latent_tensor": {"dtype": "F32", "shape": shape, "data_offsets": [0, 4 * count]}}
    ).encode()
    path = tmp_path / f"{function_id}_{'_'.join(map(str, shape))}.latent"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + bytes(4 * count))
    return OutputFile(function_id=function_id, path=path, kind="latent", filename=path.name)


def kinds(found: list[Diagnostic]) -> list[tuple[DiagnosticKind, str | None]]:
    return [(d.kind, d.function) for d in found]


# -- static checks -----------------------------------------------------------------------------------


def test_static_clean_flow_passes(inputs: dict[str, Path], catalog: Catalog) -> None:
    assert check_static(EDIT, ex("Invert photo.png.", inputs, "photo.png"), catalog) == []
    blend = ex("Blend photo.png and pattern.png.", inputs, "photo.png", "pattern.png")
    assert check_static(BLEND, blend, catalog) == []
    assert check_static(CREATE, expect("Create a 512x512 black image.", []), catalog) == []


def test_loader_of_a_file_the_task_does_not_have(inputs: dict[str, Path], catalog: Catalog) -> None:
    wrong = EDIT.with_params("load", {"image": "foto.png [input]"})
    found = check_static(wrong, ex("Invert photo.png.", inputs, "photo.png"), catalog)
    assert kinds(found) == [(K.UNKNOWN_INPUT_FILE, "load"), (K.UNUSED_INPUT_FILE, "load")]
    assert found[0].port == "image" and '"foto.png"' in found[0].message and '"photo.png"' in found[0].message
    assert found[0].hint == 'load "photo.png" instead'
    assert found[1].hint == 'load "photo.png" in load instead of "foto.png"'
    assert all(d.is_error for d in found)


def test_loader_when_the_task_has_no_inputs(catalog: Catalog) -> None:
    task = expect("Create a 200x100 image filled with pure red.", [])
    found = check_static(EDIT.with_params("load", {"image": "red.png"}), task, catalog)
    assert kinds(found) == [(K.UNKNOWN_INPUT_FILE, "load")]
    assert "the task has no input files" in found[0].message and "EmptyImage" in (found[0].hint or "")
    latent = flow(
        {"ll": ("LoadLatent", {"latent": "x.latent"}), "s": ("SaveLatent", {})}, [("ll", 0, "s", "samples")]
    )
    found = check_static(latent, expect("Save an empty latent.", []), catalog)
    assert kinds(found) == [(K.UNKNOWN_INPUT_FILE, "ll")] and "EmptyLatentImage" in (found[0].hint or "")


def test_input_file_nobody_loads(inputs: dict[str, Path], catalog: Catalog) -> None:
    task = ex("Blend photo.png and pattern.png.", inputs, "photo.png", "pattern.png")
    found = check_static(EDIT, task, catalog)
    assert kinds(found) == [(K.UNUSED_INPUT_FILE, None)]
    assert '"pattern.png"' in found[0].message and "LoadImage" in (found[0].hint or "")
    size_only = ex("Create a red image the same size as photo.png.", inputs, "photo.png")
    found = check_static(CREATE, size_only, catalog)
    assert kinds(found) == [(K.UNUSED_INPUT_FILE, None)] and found[0].severity is Severity.WARNING


def test_functions_that_reach_no_output(inputs: dict[str, Path], catalog: Catalog) -> None:
    dead = flow(
        LOAD
        | {
            "inv": ("ImageInvert", {}),
            "blur": ("ImageBlur", {"blur_radius": 2, "sigma": 1.0}),
            "inv2": ("ImageInvert", {}),
        }
        | SAVE,
        [
            ("load", 0, "inv", "image"),
            ("inv", 0, "save", "images"),
            ("load", 0, "blur", "image"),
            ("blur", 0, "inv2", "image"),
        ],
    )
    found = check_static(dead, ex("Invert photo.png.", inputs, "photo.png"), catalog)
    assert kinds(found) == [(K.REACHES_NO_OUTPUT, "blur"), (K.REACHES_NO_OUTPUT, "inv2")]
    assert '"blur" (ImageBlur)' in found[0].message and '"save"' in (found[0].hint or "")
    no_output = EDIT.without_function("save")
    assert check_static(no_output, ex("Invert photo.png.", inputs, "photo.png"), catalog) == []


# -- output checks: each expectation passes and fails on real files ----------------------------------


def test_no_resize_message_and_address(tmp_path: Path, inputs: dict[str, Path], catalog: Catalog) -> None:
    task = ex("Invert photo.png.", inputs, "photo.png")
    assert check_outputs(RESIZE, [image_out(tmp_path, (256, 192))], task, catalog) == []
    found = check_outputs(RESIZE, [image_out(tmp_path, (96, 96))], task, catalog)
    assert kinds(found) == [(K.VERIFICATION_FAILED, "scale")] and found[0].port == "width"
    assert found[0].message == (
        "save.images is 96x96; the task asks for photo.png's size 256x192 (nothing in the task resizes it)"
    )
    assert "remove scale (ImageScale)" in (found[0].hint or "")
    created = check_outputs(CREATE, [image_out(tmp_path, (512, 512))], task, catalog)
    assert kinds(created) == [(K.VERIFICATION_FAILED, "empty")] and "load the task's input" in (
        created[0].hint or ""
    )
    plain = check_outputs(EDIT, [image_out(tmp_path, (100, 100))], task, catalog)
    assert kinds(plain) == [(K.VERIFICATION_FAILED, "save")] and plain[0].port == "images"


def test_strict_size(tmp_path: Path, inputs: dict[str, Path], catalog: Catalog) -> None:
    task = ex("Resize photo.png to exactly 128x96 pixels using bilinear sampling.", inputs, "photo.png")
    assert check_outputs(RESIZE, [image_out(tmp_path, (128, 96))], task, catalog) == []
    found = check_outputs(RESIZE, [image_out(tmp_path, (96, 96))], task, catalog)
    assert kinds(found) == [(K.VERIFICATION_FAILED, "scale")]
    assert found[0].message == "save.images is 96x96; the task asks for 128x96"
    assert found[0].hint == "change scale's width/height (now width=96, height=96) so the result is 128x96"
    both = [image_out(tmp_path, (256, 192), "preview"), image_out(tmp_path, (128, 96))]
    assert check_outputs(RESIZE, both, task, catalog) == []  # an extra preview of the input is fine
    unresized = [image_out(tmp_path, (256, 192), "preview"), image_out(tmp_path, (96, 96))]
    assert kinds(check_outputs(RESIZE, unresized, task, catalog)) == [(K.VERIFICATION_FAILED, "scale")]
    stray = [image_out(tmp_path, (128, 96)), image_out(tmp_path, (50, 50), "preview")]
    assert kinds(check_outputs(RESIZE, stray, task, catalog)) == [(K.VERIFICATION_FAILED, "preview")]


def test_kept_size_of_an_input(tmp_path: Path, inputs: dict[str, Path], catalog: Catalog) -> None:
    task = ex(
        "Screen-blend portrait.png over photo.png; keep the size of photo.png.",
        inputs,
        "photo.png",
        "portrait.png",
    )
    assert check_outputs(BLEND, [image_out(tmp_path, (256, 192))], task, catalog) == []
    found = check_outputs(BLEND, [image_out(tmp_path, (192, 256))], task, catalog)
    assert found[0].message == "save.images is 192x256; the task asks to keep photo.png's size 256x192"


def test_latent_rounding_is_tolerated_through_a_latent(tmp_path: Path, catalog: Catalog) -> None:
    task = expect("Generate a 300x200 picture of a lake.", [])
    assert check_outputs(DECODE, [image_out(tmp_path, (296, 200))], task, catalog) == []
    assert kinds(check_outputs(CREATE, [image_out(tmp_path, (296, 200))], task, catalog)) == [
        (K.VERIFICATION_FAILED, "empty")
    ]
    found = check_outputs(DECODE, [image_out(tmp_path, (512, 512))], task, catalog)
    assert kinds(found) == [(K.VERIFICATION_FAILED, "lat")] and found[0].port == "width"


def test_latent_size_batch_and_kind(tmp_path: Path, catalog: Catalog) -> None:
    task = expect(
        "Create an empty latent for a 256x192 image with a batch size of 2 and save it as a latent file.", []
    )
    assert check_outputs(LATENT, [latent_out(tmp_path, [2, 4, 24, 32])], task, catalog) == []
    found = check_outputs(LATENT, [latent_out(tmp_path, [1, 4, 64, 64])], task, catalog)
    assert kinds(found) == [(K.VERIFICATION_FAILED, "lat"), (K.VERIFICATION_FAILED, "lat")]
    assert found[0].port == "width" and "a latent for 512x512 images (1x4x64x64)" in found[0].message
    assert found[1].port == "batch_size" and "batch size of 2" in found[1].message
    kind = check_outputs(DECODE, [image_out(tmp_path, (256, 192))], task, catalog)
    assert kinds(kind) == [(K.VERIFICATION_FAILED, "save")]
    assert "a latent file" in kind[0].message and "SaveLatent" in (kind[0].hint or "")


def test_animation_kind_and_frames(tmp_path: Path, inputs: dict[str, Path], catalog: Catalog) -> None:
    task = ex(
        "Make a 4-frame animated WEBP that alternates between photo.png and its inverted copy.",
        inputs,
        "photo.png",
    )
    assert check_outputs(ANIMATION, [image_out(tmp_path, (256, 192), "anim", frames=4)], task, catalog) == []
    as_video = image_out(tmp_path, (256, 192), "anim", frames=4).model_copy(update={"kind": "video"})
    assert check_outputs(ANIMATION, [as_video], task, catalog) == []
    found = check_outputs(ANIMATION, [image_out(tmp_path, (256, 192), "anim", frames=3)], task, catalog)
    assert kinds(found) == [(K.VERIFICATION_FAILED, "rep")] and found[0].port == "amount"
    assert "an animation of 3 frames" in found[0].message and "4 frames" in found[0].message
    still = check_outputs(EDIT, [image_out(tmp_path, (256, 192))], task, catalog)
    assert kinds(still) == [(K.VERIFICATION_FAILED, "save")] and "SaveAnimatedWEBP" in (still[0].hint or "")
    small = check_outputs(ANIMATION, [image_out(tmp_path, (64, 64), "anim", frames=4)], task, catalog)
    assert kinds(small) == [(K.VERIFICATION_FAILED, "anim")]  # nothing upstream sets a size: the saver


def test_missing_image_and_unreadable_outputs(
    tmp_path: Path, inputs: dict[str, Path], catalog: Catalog
) -> None:
    task = ex("Invert photo.png.", inputs, "photo.png")
    found = check_outputs(EDIT, [], task, catalog)
    assert kinds(found) == [(K.VERIFICATION_FAILED, None)] and "produced nothing" in found[0].message
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG nope")
    out = OutputFile(function_id="save", path=broken, kind="image", filename="broken.png")
    assert check_outputs(EDIT, [out], task, catalog) == []  # unreadable: no size to compare, no crash


# -- no false failures on cpu-suite-like tasks: a correct output passes, a wrong one fails or is skipped --

CASES = [
    ("Invert the colours of photo.png and save the result.", ["photo.png"], (256, 192), (512, 512)),
    (
        "Resize photo.png to exactly 128x96 pixels using bilinear sampling.",
        ["photo.png"],
        (128, 96),
        (256, 192),
    ),
    ("Shrink photo.png down to 128 x 96.", ["photo.png"], (128, 96), (96, 128)),
    (
        "Crop the 64x96 region whose top-left corner is at x=40, y=80 out of photo.png.",
        ["photo.png"],
        (64, 96),
        (96, 64),
    ),
    ("Cut out the central 96x96 square of portrait.png.", ["portrait.png"], (96, 96), (128, 128)),
    (
        "Pad photo.png by 16 pixels on every side for outpainting, without feathering.",
        ["photo.png"],
        (288, 224),
        (272, 208),
    ),
    (
        "Extend the canvas of photo.png by 64 pixels on the right and 32 pixels at the bottom.",
        ["photo.png"],
        (320, 224),
        (320, 256),
    ),
    (
        "Upscale texture.png by a factor of 2 with nearest-neighbour sampling.",
        ["texture.png"],
        (256, 256),
        (384, 384),
    ),
    ("Turn photo.png into a 4-colour poster and shrink it to half size.", ["photo.png"], (128, 96), (64, 64)),
    ("Make photo.png half as big (scale 0.5).", ["photo.png"], (128, 96), (200, 200)),
    (
        "Blend photo.png and pattern.png evenly (50/50, normal mode).",
        ["photo.png", "pattern.png"],
        (256, 192),
        (512, 512),
    ),
    (
        "Multiply-blend pattern.png onto photo.png at full strength.",
        ["photo.png", "pattern.png"],
        (256, 192),
        (64, 64),
    ),
    (
        "Paste texture.png onto photo.png with its top-left corner at (16, 16).",
        ["photo.png", "texture.png"],
        (256, 192),
        (300, 300),
    ),
    (
        "Place photo.png and its inverted copy side by side on a 512x192 canvas.",
        ["photo.png"],
        (512, 192),
        (256, 192),
    ),
    (
        "Make a 256x128 collage on a black canvas: photo.png scaled to 128x96 at (0, 16) and portrait.png "
        "scaled to 96x128 at (160, 0).",
        ["photo.png", "portrait.png"],
        (256, 128),
        (512, 512),
    ),
    ("Create a 200x100 image filled with pure red and save it.", [], (200, 100), (512, 512)),
    ("Draw a red circle on a white background.", [], (512, 512), None),
    (
        "Crop the 96x96 square at (48, 48) of portrait.png, enlarge it 2x and invert its colours.",
        ["portrait.png"],
        (192, 192),
        (96, 128),
    ),
    (
        "Resize texture.png to 64x64 and pad 8 pixels on every side without feathering.",
        ["texture.png"],
        (80, 80),
        (72, 72),
    ),
    (
        "Invert photo.png and save both the full-size result and a half-size copy.",
        ["photo.png"],
        (128, 96),
        (100, 100),
    ),
    ("Sharpen texture.png and keep the 64x64 detail at (32, 32).", ["texture.png"], (64, 64), (32, 32)),
    ("Erode photo.png with a 5x5 kernel.", ["photo.png"], (256, 192), (5, 5)),
    (
        "Grow the white disc of photo.png by 8 pixels and save the grown mask.",
        ["photo.png"],
        (256, 192),
        None,
    ),
    ("Upscale photo.png with an upscale model.", ["photo.png"], (1024, 768), None),
    ("Outpaint photo.png to the left.", ["photo.png"], (320, 192), None),
]


@pytest.mark.parametrize(("task", "names", "correct", "wrong"), CASES)
def test_no_false_failures(
    tmp_path: Path,
    inputs: dict[str, Path],
    catalog: Catalog,
    task: str,
    names: list[str],
    correct: tuple[int, int],
    wrong: tuple[int, int] | None,
) -> None:
    exp = ex(task, inputs, *names)
    fill = exp.fill_colour or 0  # a plain-colour task's right answer has its colour
    # "save both the full-size result and a half-size copy": the full-size one is there too
    extra = range(1, exp.output_count or 1)
    full = [image_out(tmp_path, exp.inputs[0].size or (1, 1), "save_full") for _ in extra]
    assert check_outputs(EDIT, [image_out(tmp_path, correct, fill=fill), *full], exp, catalog) == []
    if wrong is not None:
        found = check_outputs(EDIT, [image_out(tmp_path, wrong, fill=fill), *full], exp, catalog)
        assert kinds(found) == [(K.VERIFICATION_FAILED, "save")], found
        assert str(Size(*wrong)) in found[0].message
    else:
        assert check_outputs(EDIT, [image_out(tmp_path, (77, 55))], exp, catalog) == []


def test_no_false_failures_for_animations_and_latents(
    tmp_path: Path, inputs: dict[str, Path], catalog: Catalog
) -> None:
    crossfade = ex(
        "Create a 3-frame animated PNG: first photo.png, then the 50/50 blend of photo.png and "
        "pattern.png, then pattern.png.",
        inputs,
        "photo.png",
        "pattern.png",
    )
    good = image_out(tmp_path, (256, 192), "anim", frames=3)
    assert check_outputs(ANIMATION, [good], crossfade, catalog) == []
    upscaled = expect(
        "Create an empty 128x128 latent, upscale it to 256x256 (nearest-exact) and save it as a latent file.",
        [],
    )
    assert check_outputs(LATENT, [latent_out(tmp_path, [1, 4, 32, 32])], upscaled, catalog) == []
    assert kinds(check_outputs(LATENT, [latent_out(tmp_path, [1, 4, 8, 8])], upscaled, catalog)) == [
        (K.VERIFICATION_FAILED, "lat")
    ]
    decoded = expect("Decode an empty 128x128 latent with the taesd VAE and save the image.", [])
    assert check_outputs(DECODE, [image_out(tmp_path, (128, 128))], decoded, catalog) == []
    pair = ex(
        "Put photo.png and pattern.png in one batch, invert both, and save the two inverted images.",
        inputs,
        "photo.png",
        "pattern.png",
    )
    two = [image_out(tmp_path, (256, 192)), image_out(tmp_path, (256, 192), "save2")]
    assert check_outputs(EDIT, two, pair, catalog) == []


# -- an output identical to an input --------------------------------------------------------------------


def test_an_input_saved_unchanged_fails_unless_the_flow_only_converts(
    tmp_path: Path, inputs: dict[str, Path], catalog: Catalog
) -> None:
    task = ex("Invert photo.png.", inputs, "photo.png")
    copied = tmp_path / "copied.png"
    Image.open(inputs["photo.png"]).save(copied)
    output = OutputFile(function_id="save", path=copied, kind="image", filename=copied.name)
    found = check_outputs(EDIT, [output], task, catalog)
    assert kinds(found) == [(K.VERIFICATION_FAILED, "save")] and found[0].port == "images"
    assert (
        found[0].message == "save saved photo.png unchanged: none of the flow's steps changed what reaches it"
    )
    convert = flow(LOAD | SAVE, [("load", 0, "save", "images")])
    assert (
        check_outputs(convert, [output], ex("Save photo.png as a PNG.", inputs, "photo.png"), catalog) == []
    )
    assert (
        check_outputs(convert, [output], ex("Make a copy of photo.png.", inputs, "photo.png"), catalog) == []
    )
    negative = ex("Give me the negative of photo.png.", inputs, "photo.png")  # "png" only in the file name
    assert kinds(check_outputs(convert, [output], negative, catalog)) == [(K.VERIFICATION_FAILED, "save")]
    assert check_outputs(EDIT, [image_out(tmp_path, (256, 192))], task, catalog) == []


# -- grayscale ----------------------------------------------------------------------------------------


def _saved(tmp_path: Path, name: str, image: Image.Image, function_id: str = "save") -> OutputFile:
    path = tmp_path / name
    image.save(path)
    return OutputFile(function_id=function_id, path=path, kind="image", filename=name)


@pytest.mark.parametrize(
    ("task", "asks"),
    [
        ("Make a grayscale image from the green channel of photo.png and save it.", True),
        ("Save the mask of photo.png as a black-and-white image.", True),
        ("Turn photo.png into grayscale.", True),
        ("Colourise the black-and-white photo.png.", False),
        ("Paint a black and white cat in a garden.", False),
        ("Invert the colours of photo.png.", False),
    ],
)
def test_a_grayscale_result_is_expected_only_when_asked(
    task: str, asks: bool, inputs: dict[str, Path]
) -> None:
    assert ex(task, inputs, "photo.png").grayscale is asks


def test_a_colour_output_fails_a_grayscale_task_and_a_gray_one_passes(
    tmp_path: Path, inputs: dict[str, Path], catalog: Catalog
) -> None:
    expectations = ex("Make a grayscale image from the green channel of photo.png.", inputs, "photo.png")
    colour = _saved(tmp_path, "colour.png", Image.new("RGB", (256, 192), (10, 200, 10)))
    [found] = check_outputs(EDIT, [colour], expectations, catalog)
    assert (found.kind, found.function, found.port) == (K.VERIFICATION_FAILED, "save", "images")
    assert "colour image" in found.message and "grayscale" in found.message
    gray_rgb = _saved(tmp_path, "gray.png", Image.new("RGB", (256, 192), (90, 90, 90)))
    gray_l = _saved(tmp_path, "gray_l.png", Image.new("L", (256, 192), 90))
    assert check_outputs(EDIT, [gray_rgb], expectations, catalog) == []
    assert check_outputs(EDIT, [gray_l], expectations, catalog) == []
    assert check_outputs(EDIT, [colour, gray_rgb], expectations, catalog) == []  # one gray result is enough
    not_asked = ex("Invert the colours of photo.png.", inputs, "photo.png")
    assert check_outputs(EDIT, [colour], not_asked, catalog) == []


def test_a_two_tone_output_fails_a_task_asking_for_grayscale_shades(tmp_path: Path, catalog: Catalog) -> None:
    photo = tmp_path / "photo.png"
    Image.linear_gradient("L").resize((256, 192)).convert("RGB").save(photo)  # 256 shades
    shades = expect("Turn the blue channel of photo.png into a grayscale picture.", [photo])
    assert shades.grayscale and shades.shades
    two_tone = Image.new("L", (256, 192), 0)
    two_tone.paste(255, (0, 0, 128, 192))
    thresholded = _saved(tmp_path, "two_tone.png", two_tone)
    [found] = check_outputs(EDIT, [thresholded], shades, catalog)
    assert found.kind == K.VERIFICATION_FAILED and "two-tone" in found.message and found.function == "save"
    graded = _saved(tmp_path, "graded.png", Image.linear_gradient("L").rotate(90).resize((256, 192)))
    assert check_outputs(EDIT, [graded], shades, catalog) == []
    threshold = expect("Make a grayscale image of photo.png: white where blue is above 0.5.", [photo])
    assert not threshold.shades and check_outputs(EDIT, [thresholded], threshold, catalog) == []
    flat = tmp_path / "flat.png"
    Image.new("RGB", (256, 192), (0, 0, 0)).save(flat)  # no shades to keep: a two-tone result is right
    assert check_outputs(EDIT, [thresholded], expect("Make flat.png grayscale.", [flat]), catalog) == []


def test_a_result_with_more_than_two_tones_fails_a_two_tone_task(tmp_path: Path, catalog: Catalog) -> None:
    photo = tmp_path / "photo.png"
    Image.linear_gradient("L").resize((256, 192)).convert("RGB").save(photo)
    task = expect(
        "Make a two-tone mask picture of photo.png: white where red is above 0.4, black elsewhere.", [photo]
    )
    assert task.two_tone
    shaded = _saved(tmp_path, "shaded.png", Image.linear_gradient("L").rotate(90).resize((256, 192)))
    [found] = check_outputs(EDIT, [shaded], task, catalog)
    assert found.kind == K.VERIFICATION_FAILED and "only black and white" in found.message
    two_tone = Image.new("L", (256, 192), 0)
    two_tone.paste(255, (0, 0, 100, 192))
    assert check_outputs(EDIT, [_saved(tmp_path, "two.png", two_tone)], task, catalog) == []
    for other in ("Make a grayscale picture of photo.png.", "Invert photo.png (white becomes black)."):
        assert not expect(other, [photo]).two_tone


def test_a_picture_given_transparency_is_not_unchanged(
    tmp_path: Path, inputs: dict[str, Path], catalog: Catalog
) -> None:
    expectations = ex("Make the disc of mask.png transparent in photo.png.", inputs, "photo.png")
    rgba = Image.new("RGBA", (256, 192), (200, 10, 10, 255))
    rgba.putpixel((5, 5), (200, 10, 10, 0))
    holed = _saved(tmp_path, "holed.png", rgba)
    assert check_outputs(EDIT, [holed], expectations, catalog) == []
    same = _saved(tmp_path, "same.png", Image.new("RGB", (256, 192), (200, 10, 10)))
    found = check_outputs(EDIT, [same], expectations, catalog)
    assert [d.kind for d in found] == [K.VERIFICATION_FAILED] * 2  # unchanged, and opaque
    assert "unchanged" in found[0].message and "opaque" in found[1].message


# -- transparency -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "asks"),
    [
        ("Make the white disc of mask.png fully transparent in photo.png.", True),
        ("Turn the black areas of photo.png transparent.", True),
        ("Save photo.png with an alpha channel where mask.png is white.", True),
        ("Paste logo.png onto photo.png, keeping the logo's transparent background transparent.", False),
        ("Paste logo.png (respecting its transparency) onto photo.png.", False),
        ("Sharpen photo.png with radius 2 and alpha 1.5.", False),
        ("Extract the opacity of photo.png: opaque pixels white, transparent pixels black.", False),
    ],
)
def test_a_transparent_result_is_expected_only_when_asked(
    task: str, asks: bool, inputs: dict[str, Path]
) -> None:
    assert ex(task, inputs, "photo.png").transparent is asks


def test_an_opaque_output_fails_a_transparency_task(
    tmp_path: Path, inputs: dict[str, Path], catalog: Catalog
) -> None:
    expectations = ex("Turn the black areas of photo.png transparent.", inputs, "photo.png")
    opaque_rgba = _saved(tmp_path, "opaque.png", Image.new("RGBA", (256, 192), (90, 20, 20, 255)))
    [found] = [d for d in check_outputs(EDIT, [opaque_rgba], expectations, catalog) if "opaque" in d.message]
    assert (found.kind, found.function, found.port) == (K.VERIFICATION_FAILED, "save", "images")
    holed = Image.new("RGBA", (256, 192), (90, 20, 20, 255))
    holed.putpixel((3, 3), (0, 0, 0, 0))
    with_hole = _saved(tmp_path, "hole.png", holed)
    assert not [d for d in check_outputs(EDIT, [with_hole], expectations, catalog) if "opaque" in d.message]
    not_asked = ex("Invert the colours of photo.png.", inputs, "photo.png")
    assert not [d for d in check_outputs(EDIT, [opaque_rgba], not_asked, catalog) if "opaque" in d.message]
