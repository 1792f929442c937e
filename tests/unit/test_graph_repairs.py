"""Strict extraction, deterministic repairs, key functions, task facts, prompt excerpts."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from anysym.errors import ALangSyntaxError
from anysym.graph.state import Draft
from anysym.inference.catalog_excerpt import select_types, signature
from anysym.inference.extract import extract_program
from anysym.inference.keys import check_key_functions, parse_key_function
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.flow import Flow, Function, Link
from anysym.language.syntax import parse
from anysym.nodes.compile import compile_draft
from anysym.repair.flow_repairs import repair, unique_close
from anysym.repair.task_repairs import load_inputs
from anysym.task.facts import describe_inputs, numbers_in
from anysym.task.values import bind_task_values
from anysym.verify.media import Size

PHOTO = Path(__file__).resolve().parents[2] / "examples" / "photo.png"


@pytest.mark.parametrize(
    ("answer", "program"),
    [
        ("```python\na = 1\n```", "a = 1"),
        ("Here you go:\n```\nx <b>y</b>\n```\nDone.", "x <b>y</b>"),
        ("a = LoadImage()\nb = 2", "a = LoadImage()\nb = 2"),
        ("```python\na = 1\nb = 2", "a = 1\nb = 2"),
    ],
)
def test_extraction_keeps_every_character_of_the_program(answer: str, program: str) -> None:
    extracted = extract_program(answer)
    assert extracted.error is None and extracted.text == program


@pytest.mark.parametrize("answer", ["", "```\n```", "```\na\n```\n```\nb\n```", "text\n```\nunclosed"])
def test_extraction_failures_are_diagnostics(answer: str) -> None:
    extracted = extract_program(answer)
    assert extracted.error is not None and extracted.error.kind is DiagnosticKind.EXTRACTION_ERROR


def test_unique_close_refuses_ambiguous_names() -> None:
    assert unique_close("load_image", ["LoadImage", "SaveImage"]) == "LoadImage"
    assert unique_close("ImageBlurr", ["ImageBlur", "ImageBlend"]) == "ImageBlur"
    assert unique_close("Image", ["ImageBlur", "ImageBlend"]) is None


def test_repairs_fix_names_values_and_add_the_missing_output(snapshot_catalog: Catalog) -> None:
    flow = parse(
        'photo = load_image(image="photo.png")\n'
        'scaled = ImageScale(upscale_method="Bilinear", widht="64", height=48.0, pixels=photo)\n',
        "dataflow",
    )
    repaired, notes = repair(flow, snapshot_catalog)
    scaled = repaired.functions["scaled"]
    assert repaired.functions["photo"].type == "LoadImage"
    assert scaled.params["upscale_method"] == "bilinear"
    assert scaled.params["width"] == 64 and isinstance(scaled.params["width"], int)
    assert scaled.params["height"] == 48 and isinstance(scaled.params["height"], int)
    assert {(lk.source, lk.target, lk.input) for lk in repaired.links} == {
        ("photo", "scaled", "image"),
        ("scaled", "save", "images"),
    }
    assert repaired.functions["save"].type == "SaveImage"
    assert len(notes) >= 6
    assert any("load_image -> LoadImage" in n for n in notes)


def test_repairs_leave_unclear_problems_to_the_llm(snapshot_catalog: Catalog) -> None:
    flow = parse('a = Frobnicate(x=1)\nb = ImageBlend(blend_mode="sparkles")\n', "dataflow")
    repaired, _ = repair(flow, snapshot_catalog)
    assert repaired.functions["a"].type == "Frobnicate"
    assert repaired.functions["b"].params["blend_mode"] == "sparkles"


def test_compile_records_repairs_and_reads_another_syntax(snapshot_catalog: Catalog) -> None:
    text = 'photo = LoadImage(image="photo.png")\nsave = SaveImage(images=photo)\n'
    attempt, prompt = compile_draft(
        Draft(stage="edit", text=text), index=0, catalog=snapshot_catalog, syntax="declarative"
    )
    assert attempt.failed_stage is None and prompt is not None
    assert any("dataflow" in n for n in attempt.repairs)
    assert any("filled defaults of save" in n for n in attempt.repairs)


def test_key_functions_are_parsed_and_enforced() -> None:
    key = parse_key_function('CheckpointLoaderSimple(ckpt_name="sd15.safetensors")')
    assert key.function.params == {"ckpt_name": "sd15.safetensors"}
    wrong = parse('ck = CheckpointLoaderSimple(ckpt_name="other.safetensors")\n', "dataflow")
    right = parse('ck = CheckpointLoaderSimple(ckpt_name="sd15.safetensors")\n', "dataflow")
    none = parse("x = EmptyImage()\n", "dataflow")
    assert check_key_functions(right, [key]) == []
    [differs] = check_key_functions(wrong, [key])
    assert differs.kind is DiagnosticKind.MISSING_KEY_FUNCTION and differs.function == "ck"
    [absent] = check_key_functions(none, [key])
    assert "no CheckpointLoaderSimple" in absent.message
    with pytest.raises(ALangSyntaxError):
        parse_key_function("Broken(x=")


def test_task_facts() -> None:
    assert numbers_in("crop the central 100x100 region at 50% and blend 0.35") == ["100x100", "50%", "0.35"]
    assert describe_inputs([PHOTO, Path("clip.mp4")]) == [
        '"photo.png": image, 320x240 pixels (width x height), mode RGB',
        '"clip.mp4": video',
    ]


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels and holds none (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [12_000, 40_000])  # over PIL's pixel limit, then over twice it
def test_a_decompression_bomb_input_is_described_not_opened(tmp_path: Path, side: int) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header(side, side))
    assert describe_inputs([bomb]) == ['"bomb.png": image (size unknown: the file cannot be read)']


def test_catalog_excerpt(snapshot_catalog: Catalog) -> None:
    io = ["LoadImage", "SaveImage"]
    types = select_types(snapshot_catalog, task="Blur photo.png with ImageBlur", io=io, limit=3)
    assert types == ["ImageBlur", "LoadImage", "SaveImage"]
    assert signature(snapshot_catalog["ImageBlur"]) == (
        "ImageBlur(image: IMAGE, blur_radius: INT=1 [1..31], sigma: FLOAT=1.0 [0.1..10]) -> IMAGE: IMAGE"
    )


def test_catalog_excerpt_keeps_name_matches_within_the_task_modalities(snapshot_catalog: Catalog) -> None:
    types = select_types(
        snapshot_catalog,
        task="Invert the colors of photo.png and scale it to 256x256",
        examples=["LoadImage", "ImageInvert", "ImageScale", "SaveImage"],
        io=["LoadImage", "SaveImage"],
    )
    assert {"ImageScaleBy", "ImageScaleToTotalPixels"} <= set(types)  # image-typed look-alikes stay
    assert not {"LatentUpscale", "RescaleCFG", "ImageUpscaleWithModel"} & set(types)  # other modalities go


def test_compact_signatures_write_an_output_once_and_leave_out_open_bounds(snapshot_catalog: Catalog) -> None:
    def compact(name: str) -> str:
        return signature(snapshot_catalog[name], compact=True)

    # small bounds say something and stay; 16384 pixels and 4096 images do not
    assert compact("ImageBlur") == (
        "ImageBlur(image: IMAGE, blur_radius: INT=1 [1..31], sigma: FLOAT=1.0 [0.1..10]) -> IMAGE"
    )
    assert compact("EmptyLatentImage") == (
        "EmptyLatentImage(width: INT=512 [16..], height: INT=512 [16..], batch_size: INT=1 [1..]) -> LATENT"
    )
    assert compact("LoadImage") == "LoadImage(image: INPUT_FILE_NAME) -> IMAGE, MASK"
    assert compact("StableCascade_EmptyLatentImage").endswith("-> stage_c: LATENT, stage_b: LATENT")
    assert "[0..16384]" in signature(snapshot_catalog["ImageCrop"])  # the full form is unchanged


def test_upload_inputs_ask_for_an_input_file_not_the_servers_folder(snapshot_catalog: Catalog) -> None:
    assert signature(snapshot_catalog["LoadImage"]) == (
        "LoadImage(image: INPUT_FILE_NAME) -> IMAGE: IMAGE, MASK: MASK"
    )


def test_psi1_gets_a_loader_for_each_input_image_it_forgot(snapshot_catalog: Catalog) -> None:
    forgot = Flow.build(
        {
            "invert": Function(type="ImageInvert"),
            "save": Function(type="SaveImage", params={"filename_prefix": "out"}),
        }
    )
    loaded, notes = load_inputs(forgot, ["/data/My Photo.PNG", "/data/clip.mp4"], snapshot_catalog)
    assert list(loaded.functions) == ["my_photo", "invert", "save"]
    assert loaded.functions["my_photo"] == Function(type="LoadImage", params={"image": "My Photo.PNG"})
    assert notes == ['added my_photo = LoadImage(image="My Photo.PNG"): the input file was not loaded']
    # a file some function already names (any loader, any parameter) is left alone; ids never collide
    again, none = load_inputs(loaded, ["/data/My Photo.PNG"], snapshot_catalog)
    assert again == loaded and none == []
    clash = forgot.with_function("image_1", Function(type="ImageInvert"))
    assert "image_1_2" in load_inputs(clash, ["1.png"], snapshot_catalog)[0].functions


def test_a_loader_of_a_file_the_task_lacks_is_pointed_at_the_unloaded_input(
    snapshot_catalog: Catalog,
) -> None:
    copied = Flow.build(
        {
            "first": Function(type="LoadImage", params={"image": "photo.png"}),
            "second": Function(type="LoadImage", params={"image": "second.png"}),  # from a reference program
            "save": Function(type="SaveImage", params={"filename_prefix": "out"}),
        }
    )
    fixed, notes = load_inputs(copied, ["/in/photo.png", "/in/pattern.png"], snapshot_catalog)
    assert fixed.functions["second"].params == {"image": "pattern.png"}
    assert list(fixed.functions) == ["first", "second", "save"]  # no extra loader
    assert notes == ['set second.image "second.png" -> "pattern.png": the task has no file "second.png"']
    # no inputs: nothing to point at (the static check reports the loader instead)
    assert load_inputs(copied, [], snapshot_catalog) == (copied, [])


def test_a_loader_naming_no_file_gets_the_task_file_of_its_kind(snapshot_catalog: Catalog) -> None:
    unnamed = Flow.build(
        {
            "source": Function(type="LoadImage", params={"image": "portrait.png"}),
            "step": Function(type="LoadImageMask", params={"channel": "alpha"}),  # the 0.5B without examples
        }
    )
    fixed, notes = load_inputs(unnamed, ["/in/portrait.png"], snapshot_catalog)
    assert fixed.functions["step"].params == {"channel": "alpha", "image": "portrait.png"}  # the only image
    assert notes == ['set step.image None -> "portrait.png": the loader named no file']
    two, _ = load_inputs(unnamed, ["/in/portrait.png", "/in/mask.png"], snapshot_catalog)
    assert two.functions["step"].params["image"] == "mask.png"  # the image nothing loads yet
    three = unnamed.with_function("other", Function(type="LoadImage", params={"image": "mask.png"}))
    assert (
        "image"
        not in load_inputs(three, ["/in/portrait.png", "/in/mask.png"], snapshot_catalog)[0]
        .functions["step"]
        .params
    )  # two images, both loaded: which one is unsure
    copied = unnamed.with_params("step", {"channel": "red", "image": "stencil.png"})  # an example's file
    fixed, notes = load_inputs(copied, ["/in/portrait.png"], snapshot_catalog)
    assert fixed.functions["step"].params["image"] == "portrait.png"  # the only image, loaded twice
    assert notes == ['set step.image "stencil.png" -> "portrait.png": the task has no file "stencil.png"']
    sounds, _ = load_inputs(unnamed, ["/in/voice.wav"], snapshot_catalog)
    assert "image" not in sounds.functions["step"].params  # no image to name


def test_the_one_size_the_task_states_is_bound(snapshot_catalog: Catalog) -> None:
    scale = Function(type="ImageScale", params={"upscale_method": "bilinear", "width": 96, "height": 96})
    flow = Flow.build({"resize": scale})
    fixed, notes = bind_task_values(flow, "Invert photo.png and scale it to 256 x 192", snapshot_catalog)
    assert fixed.functions["resize"].params == {"upscale_method": "bilinear", "width": 256, "height": 192}
    assert notes == [
        "set resize.width 96 -> 256: the value the task states",
        "set resize.height 96 -> 192: the value the task states",
    ]
    assert bind_task_values(fixed, "scale it to 256x192", snapshot_catalog) == (fixed, [])  # already right
    two_sizes = "crop 64x64 then scale to 128x128"
    assert bind_task_values(flow, two_sizes, snapshot_catalog) == (flow, [])  # two sizes, one function
    assert bind_task_values(flow, "blur photo.png with radius 4", snapshot_catalog) == (flow, [])
    two = flow.with_function("crop", Function(type="ImageCrop", params={"width": 8, "height": 8}))
    assert bind_task_values(two, "make it 256x192", snapshot_catalog) == (two, [])  # a choice: left alone


def test_a_task_without_files_creates_what_a_copied_loader_would_load(snapshot_catalog: Catalog) -> None:
    from anysym.repair.task_repairs import apply_task_repairs

    flow = Flow.build(
        {
            "photo": Function(type="LoadImage", params={"image": "photo.png"}),
            "latent": Function(type="LoadLatent", params={"latent": "x.latent"}),
            "inverted": Function(type="ImageInvert"),
            "save": Function(type="SaveImage"),
        },
        [
            Link(source="photo", output="IMAGE", target="inverted", input="image"),
            Link(source="inverted", output="IMAGE", target="save", input="images"),
        ],
    )
    task = "Create a 200x100 image filled with pure red and save it."
    repaired, notes = apply_task_repairs(flow, task=task, inputs=[], catalog=snapshot_catalog)
    assert repaired.functions["photo"].type == "EmptyImage"
    assert repaired.functions["latent"].type == "EmptyLatentImage"
    assert Link(source="photo", output="IMAGE", target="inverted", input="image") in repaired.links
    assert repaired.functions["photo"].params["color"] == 0xFF0000
    assert notes[0] == (
        "changed photo from LoadImage to EmptyImage: the task has no input files, so the value is created"
    )
    with_files, _ = apply_task_repairs(flow, task=task, inputs=["photo.png"], catalog=snapshot_catalog)
    assert with_files.functions["photo"].type == "LoadImage"


@pytest.mark.parametrize(
    "task",
    [
        "Cut out the central 96x96 square of portrait.png (portrait.png is 192 pixels wide and 256 high).",
        "Keep the 96x96 region in the middle of portrait.png.",
    ],
)
def test_a_centred_crop_is_placed_from_the_input_size(
    task: str, snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    from PIL import Image

    from anysym.repair.anchored_crops import anchored_crops
    from anysym.repair.task_repairs import apply_task_repairs

    portrait = tmp_path / "portrait.png"
    Image.new("RGB", (192, 256)).save(portrait)
    flow = Flow.build(
        {
            "source": Function(type="LoadImage", params={"image": "portrait.png"}),
            "crop": Function(type="ImageCrop", params={"width": 32, "height": 32, "x": 16, "y": 16}),
            "save": Function(type="SaveImage"),
        },
        [
            Link(source="source", output="IMAGE", target="crop", input="image"),
            Link(source="crop", output="IMAGE", target="save", input="images"),
        ],
    )
    repaired, notes = apply_task_repairs(flow, task=task, inputs=[portrait], catalog=snapshot_catalog)
    assert repaired.functions["crop"].params == {"width": 96, "height": 96, "x": 48, "y": 80}
    assert "set crop.x 16 -> 48: the centred 96x96 of the input's 192x256" in notes
    scaled = flow.with_function("scale", Function(type="ImageScaleBy", params={"scale_by": 2.0})).with_links(
        [
            Link(source="source", output="IMAGE", target="scale", input="image"),
            Link(source="scale", output="IMAGE", target="crop", input="image"),
            Link(source="crop", output="IMAGE", target="save", input="images"),
        ]
    )
    assert anchored_crops(scaled, task, [Size(192, 256)], snapshot_catalog) == (
        scaled,
        [],
    )  # not the file's size


def test_a_resize_by_width_and_height_takes_the_stated_factor_of_the_input_size(
    snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    from PIL import Image

    from anysym.repair.task_repairs import apply_task_repairs
    from anysym.task.scaled_sizes import scaled_sizes

    photo = tmp_path / "photo.png"
    Image.new("RGB", (256, 192)).save(photo)
    scale = Function(type="ImageScale", params={"upscale_method": "area", "width": 32, "height": 32})
    flow = Flow.build(
        {"source": Function(type="LoadImage", params={"image": "photo.png"}), "resize": scale},
        [Link(source="source", output="IMAGE", target="resize", input="image")],
    )
    task = "Reduce photo.png to a quarter of its width and a quarter of its height."
    sizes = [Size(256, 192)]
    fixed, notes = scaled_sizes(flow, task, ["photo.png"], sizes, snapshot_catalog)
    assert fixed.functions["resize"].params == {"upscale_method": "area", "width": 64, "height": 48}
    assert notes[0] == "set resize.width 32 -> 64: the input's 256x192 x 0.25 wide, 0.25 high"
    assert scaled_sizes(fixed, task, ["photo.png"], sizes, snapshot_catalog) == (fixed, [])  # already right
    unsure = (
        "Scale photo.png to 100x80 and then to half of that",  # a stated size
        "Make photo.png half as wide, then double it",  # two factors
        "Invert photo.png",  # no factor
    )
    for other in unsure:
        assert scaled_sizes(flow, other, ["photo.png"], sizes, snapshot_catalog) == (flow, []), other
    by_factor = flow.with_function("factor", Function(type="ImageScaleBy", params={"scale_by": 1.0}))
    assert scaled_sizes(by_factor, task, ["photo.png"], sizes, snapshot_catalog) == (by_factor, [])  # itself
    repaired, _ = apply_task_repairs(
        flow, task=task, inputs=[photo], catalog=snapshot_catalog
    )  # reads the file
    assert repaired.functions["resize"].params["width"] == 64


def test_the_system_prompt_example_shows_the_syntax_with_a_placeholder_step() -> None:
    from anysym.inference.prompting import system_prompt

    for syntax in ("declarative", "dataflow", "pseudo"):
        neutral = system_prompt(syntax)  # type: ignore[arg-type]
        assert "NodeType" in neutral and "ImageInvert" not in neutral and "inverted" not in neutral
    assert "ImageInvert" in system_prompt("declarative", neutral_example=False)
