from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from anysym.verify.expectations import Expectations, InputFact, expect
from anysym.verify.media import Size

REPO = Path(__file__).resolve().parents[2]
SIZES = {
    "photo.png": (256, 192),
    "portrait.png": (192, 256),
    "pattern.png": (256, 192),
    "mask.png": (256, 192),
    "logo.png": (64, 64),
    "texture.png": (128, 128),
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Real input images of the sizes the tasks talk about."""
    paths = {}
    for name, size in SIZES.items():
        paths[name] = tmp_path / name
        Image.new("RGB", size, (10, 20, 30)).save(paths[name])
    return paths


def ex(task: str, files: dict[str, Path], *names: str) -> Expectations:
    return expect(task, [files[n] for n in names])


def sizes(*pairs: tuple[int, int]) -> frozenset[Size]:
    return frozenset(Size(*p) for p in pairs)


def test_input_facts_real_sizes_and_kinds(tmp_path: Path, files: dict[str, Path]) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    others = [tmp_path / n for n in ("voice.wav", "clip.mp4", "model.glb", "notes.xyz")]
    for path in others:
        path.write_bytes(b"\0")
    given = [files["photo.png"], broken, *others]
    facts = expect("Do it.", given).inputs
    assert [fact.path for fact in facts] == given
    found = tuple(fact.model_copy(update={"path": None}) for fact in facts)
    assert found == (
        InputFact(name="photo.png", kind="image", size=Size(256, 192), frames=1),
        InputFact(name="broken.jpg", kind="image"),
        InputFact(name="voice.wav", kind="audio"),
        InputFact(name="clip.mp4", kind="video"),
        InputFact(name="model.glb", kind="mesh"),
        InputFact(name="notes.xyz", kind="file"),
    )


@pytest.mark.parametrize(
    "written", ["512x384", "512 x 384", "512×384", "512X384", "512 pixels wide and 384 high"]
)
def test_stated_size_forms(written: str) -> None:
    assert expect(f"Create a picture, {written}.", []).stated_sizes == (Size(512, 384),)


def test_sizes_that_are_no_image_sizes_or_only_in_file_names(files: dict[str, Path], tmp_path: Path) -> None:
    assert ex("Erode photo.png with a 5x5 kernel.", files, "photo.png").stated_sizes == ()
    assert ex("Pixelate photo.png in 8x8 blocks.", files, "photo.png").stated_sizes == ()
    block = ex("Cut out the 32x32 block of photo.png at (200, 150).", files, "photo.png")
    assert block.stated_sizes == (Size(32, 32),)  # a region of the picture, not a grid's cell
    named = tmp_path / "tile_512x512.png"
    Image.new("RGB", (64, 64)).save(named)
    found = expect("Invert tile_512x512.png.", [named])
    assert found.stated_sizes == () and not found.resizes and found.candidate_sizes == sizes((64, 64))


@pytest.mark.parametrize(
    ("task", "strict"),
    [
        ("Resize photo.png to 128x96.", (128, 96)),
        ("Resize photo.png to exactly 128 x 96 pixels using bilinear sampling.", (128, 96)),
        ("Resize photo.png 128x96 pixels with bicubic sampling.", (128, 96)),
        ("Create a 200x100 image filled with pure red.", (200, 100)),
        ("Make an empty 64x64 latent and decode it.", (64, 64)),
        ("Paste photo.png onto a black 512x512 canvas at (0, 0).", (512, 512)),
        ("Invert photo.png, keeping the size of photo.png.", (256, 192)),
        ("Crop the 64x96 region at (40, 80) out of photo.png.", None),
        ("Paste a 64x64 image onto photo.png.", None),
        ("Blend photo.png with a 256x256 noise image.", None),
        ("Resize photo.png to 1024 by 768.", (1024, 768)),
        ("Create a 128x128 latent and upscale it to 256x256.", None),
        ("Resize photo.png to 64x64 and pad it by 8 pixels on every side.", None),
        ("Resize photo.png to 128x96 and then upscale it with a model.", None),
        ("Invert photo.png.", None),
    ],
)
def test_strict_final_size(files: dict[str, Path], task: str, strict: tuple[int, int] | None) -> None:
    found = ex(task, files, "photo.png")
    assert found.strict_size == (Size(*strict) if strict else None)
    if strict:
        assert strict in found.candidate_sizes or not found.candidate_sizes


@pytest.mark.parametrize(
    ("task", "wanted"),
    [
        ("Shrink photo.png to half size.", {(128, 96), (128, 192), (256, 96)}),
        ("Make photo.png half as wide.", {(128, 192), (128, 96)}),
        ("Make photo.png half as wide and half as tall.", {(128, 96)}),
        ("Make photo.png twice as wide and half as tall.", {(512, 96)}),
        ("Scale photo.png to a quarter of its size.", {(64, 48), (128, 96)}),
        ("Double the size of photo.png.", {(512, 384)}),
        ("Make photo.png twice as tall.", {(256, 384), (512, 384)}),
        ("Double photo.png's width.", {(512, 192), (512, 384)}),
        ("Scale the width of photo.png by a factor of 2.", {(512, 192), (512, 384)}),
        ("Enlarge photo.png 2x (bilinear).", {(512, 384)}),
        ("Upscale photo.png by a factor of 3.", {(768, 576)}),
        ("Make photo.png 3 times larger.", {(768, 576)}),
        ("Make photo.png 2 times smaller.", {(128, 96)}),
        ("Scale photo.png with scale 0.5.", {(128, 96)}),
        ("Resize photo.png to 25% of its size.", {(64, 48)}),
        ("Pad photo.png by 16 pixels on every side.", {(288, 224)}),
        ("Extend photo.png by 64 pixels on the right and 32 pixels at the bottom.", {(320, 224)}),
        ("Add a 10-pixel border around photo.png.", {(276, 212)}),
        ("Give photo.png an empty 20-pixel band at the top and at the bottom.", {(256, 232)}),
        ("Crop 8 pixels from each side of photo.png.", {(240, 176)}),
        ("Squash photo.png vertically to a third of its height, keeping the full width.", {(256, 64)}),
    ],
)
def test_relative_sizes_and_paddings(files: dict[str, Path], task: str, wanted: set[tuple[int, int]]) -> None:
    found = ex(task, files, "photo.png")
    assert found.resizes and found.size_known and found.strict_size is None
    assert sizes(*wanted) <= found.candidate_sizes
    if "size of" not in task:  # "double the size of photo.png" reads as naming the size it keeps: lenient
        assert Size(256, 192) not in found.candidate_sizes  # scaling or padding its one input changes it
    assert Size(100, 100) not in found.candidate_sizes
    assert found.origin(next(iter(sizes(*wanted)))).startswith("photo.png 256x192")
    if "keeping the full width" in task:  # the kept side rules out the readings that change it
        assert found.candidate_sizes == sizes(*wanted)


def test_paddings_sum_per_axis(files: dict[str, Path]) -> None:
    found = ex(
        "Extend the canvas of photo.png by 64 pixels on the right and 32 at the bottom.", files, "photo.png"
    )
    assert Size(64, 0) in found.paddings
    found = ex("Pad photo.png by 64 pixels on the right and 32 pixels at the bottom.", files, "photo.png")
    assert found.paddings[-1] == Size(64, 32) and Size(320, 224) in found.candidate_sizes


def test_no_resizing_means_the_input_size(files: dict[str, Path]) -> None:
    found = ex(
        "Blend photo.png and pattern.png evenly (50/50, normal mode).", files, "photo.png", "pattern.png"
    )
    assert not found.resizes and found.candidate_sizes == sizes((256, 192))
    found = ex("Screen-blend portrait.png over photo.png at 0.7.", files, "photo.png", "portrait.png")
    assert found.candidate_sizes == sizes((256, 192), (192, 256))


@pytest.mark.parametrize(
    "task",
    [
        "Upscale photo.png with the RealESRGAN model.",
        "Make photo.png smaller.",
        "Grow the white disc of photo.png by 8 pixels.",
        "Rotate photo.png by 90 degrees.",
        "Cut out the face in photo.png.",
        "Arrange photo.png in a 2x2 grid.",
        "Generate a picture in the style of photo.png.",
    ],
)
def test_unsure_sizes_are_skipped(files: dict[str, Path], task: str) -> None:
    found = ex(task, files, "photo.png")
    assert found.candidate_sizes == frozenset() and found.strict_size is None


def test_editing_words_keep_the_input_size_plausible(files: dict[str, Path]) -> None:
    found = ex("Draw a 64x64 red square in the middle of photo.png.", files, "photo.png")
    assert found.candidate_sizes == sizes((64, 64), (256, 192)) and found.strict_size is None
    assert ex("Flip photo.png horizontally.", files, "photo.png").candidate_sizes == sizes((256, 192))
    assert ex("Add a 64x64 square to photo.png and save the combined mask.", files, "photo.png").size_known


def test_unknown_input_size_skips_candidates(tmp_path: Path, files: dict[str, Path]) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG nope")
    assert expect("Invert broken.png.", [broken]).candidate_sizes == frozenset()
    assert expect("Invert broken.png and resize it to 64x64.", [broken]).strict_size == Size(64, 64)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0")
    assert expect("Blend clip.mp4 with photo.png.", [clip, files["photo.png"]]).candidate_sizes == frozenset()


def test_no_inputs_and_no_size_means_no_size_expectation() -> None:
    assert expect("Generate a picture of a cat.", []).candidate_sizes == frozenset()
    assert expect("Generate a 512x512 picture of a cat.", []).strict_size == Size(512, 512)


@pytest.mark.parametrize(
    ("task", "names", "kinds"),
    [
        ("Invert photo.png.", ["photo.png"], {"image"}),
        ("Create a 200x100 image filled with red.", [], {"image"}),
        ("Make a 4-frame animated WEBP of photo.png.", ["photo.png"], {"video"}),
        ("Turn photo.png into a short video.", ["photo.png"], {"video"}),
        ("Create an empty latent for a 256x192 image and save it as a latent file.", [], {"latent"}),
        ("Encode photo.png with the VAE and save the latent.", ["photo.png"], {"latent"}),
        ("Decode an empty 128x128 latent and save the image.", [], {"image"}),
        ("Read the text aloud as speech: hello.", [], {"audio"}),
        ("Make a 3D model of the object in photo.png.", ["photo.png"], {"mesh"}),
        ("Describe photo.png in one sentence.", ["photo.png"], set()),
        ("Do something.", [], set()),
    ],
)
def test_output_kinds(files: dict[str, Path], task: str, names: list[str], kinds: set[str]) -> None:
    assert ex(task, files, *names).output_kinds == kinds


def test_a_kind_the_inputs_already_have_is_not_demanded(tmp_path: Path) -> None:
    clip = tmp_path / "clip.gif"
    frames = [Image.new("RGB", (8, 8), (i * 60, 0, 0)) for i in range(3)]
    frames[0].save(clip, save_all=True, append_images=frames[1:])
    found = expect("Take the first frame of the video clip.gif.", [clip])
    assert "video" not in found.output_kinds and found.frames is None
    assert found.inputs[0].size == Size(8, 8) and found.inputs[0].frames == 3


@pytest.mark.parametrize(
    ("task", "frames"),
    [
        ("Make a 4-frame animation of photo.png.", 4),
        ("Create an animation with 3 frames.", 3),
        ("Make an animation of eight frames.", 8),
        ("Animate photo.png at 8 frames per second.", None),
        ("Make 3 frames, then a 4-frame loop.", None),
        ("Invert photo.png.", None),
    ],
)
def test_frame_counts(files: dict[str, Path], task: str, frames: int | None) -> None:
    assert ex(task, files, "photo.png").frames == frames


def test_batch_size_and_kept_size_only_reference(files: dict[str, Path]) -> None:
    found = expect("Create an empty latent for a 256x192 image with a batch size of 2.", [])
    assert found.batch_size == 2 and found.strict_size == Size(256, 192) and found.size_known
    found = ex("Create a red image the same size as photo.png.", files, "photo.png")
    assert found.inputs[0].size_only and found.candidate_sizes == sizes((256, 192))
    assert not ex("Invert photo.png.", files, "photo.png").inputs[0].size_only


def test_every_cpu_suite_instruction_gives_expectations(files: dict[str, Path]) -> None:
    suite = json.loads((REPO / "bench" / "suites" / "cpu.json").read_text(encoding="utf-8"))
    for task in suite["tasks"]:
        found = ex(task["instruction"], files, *task["inputs"])
        assert [f.name for f in found.inputs] == task["inputs"]
        if found.strict_size is not None and found.candidate_sizes:
            assert found.strict_size in found.candidate_sizes


def test_the_input_size_stays_plausible_beside_a_composite_or_a_kept_size(files: dict[str, Path]) -> None:
    kept = ex("Save photo.png at full size and as a half-size copy.", files, "photo.png")
    assert sizes((256, 192), (128, 96)) <= kept.candidate_sizes
    composite = ex("Paste pattern.png at half size onto photo.png.", files, "photo.png", "pattern.png")
    assert Size(256, 192) in composite.candidate_sizes


@pytest.mark.parametrize(
    ("task", "names", "strict"),
    [
        (
            "Cut the 64x64 patch at (32, 32) out of texture.png and paste it onto portrait.png with its "
            "top-left corner at (64, 96).",
            ("texture.png", "portrait.png"),
            (192, 256),
        ),
        (
            "Screen-blend portrait.png over photo.png with factor 0.7.",
            ("portrait.png", "photo.png"),
            (256, 192),
        ),
        ("Insert logo.png into photo.png at (8, 8).", ("logo.png", "photo.png"), (256, 192)),
        # resized after the paste, two destinations, or no destination file: no sure size
        ("Paste logo.png onto photo.png, then crop a 100x80 region.", ("logo.png", "photo.png"), None),
        (
            "Paste logo.png onto photo.png and texture.png onto portrait.png.",
            ("logo.png", "photo.png", "texture.png", "portrait.png"),
            None,
        ),
        ("Paste logo.png onto a black canvas.", ("logo.png",), None),
        # a stated size beside a composite may be the pasted picture's: left to the candidates
        ("Paste logo.png onto photo.png and scale it to 128x96.", ("logo.png", "photo.png"), None),
    ],
)
def test_a_paste_destination_keeps_its_size(
    task: str, names: tuple[str, ...], strict: tuple[int, int] | None, files: dict[str, Path]
) -> None:
    found = ex(task, files, *names).strict_size
    assert found == (Size(*strict) if strict else None)
