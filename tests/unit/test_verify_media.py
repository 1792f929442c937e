from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from anysym.verify.media import LatentFacts, MediaFacts, Size, read_latent, read_media


def write_latent(
    path: Path,
    shape: list[int],
    *,
    dtype: str = "F32",
    extra: dict[str, object] | None = None,
    data_bytes: int | None = None,
) -> Path:
    """Write a real ComfyUI-style `.latent` safetensors file: header length, JSON header, zero bytes."""
    count = 1
    for dim in shape:
        count *= dim
    size = count * {"F32": 4, "F16": 2}.get(dtype, 4) if data_bytes is None else data_bytes
    header: dict[str, object] = {
        "latent_tensor": {"dtype": dtype, "shape": shape, "data_offsets": [0, size]},
        "__metadata__": {"prompt": "{}"},
    }
    header.update(extra or {})
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + bytes(size))
    return path


def write_animation(path: Path, frames: int, size: tuple[int, int] = (32, 24)) -> Path:
    images = [Image.new("RGB", size, (i * 40 % 256, 0, 0)) for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=100, loop=0)
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_still_image_size_mode_and_one_frame(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("RGBA", (256, 192)).save(path)
    assert read_media(path) == MediaFacts(size=Size(256, 192), mode="RGBA", frames=1)
    assert str(Size(256, 192)) == "256x192"


@pytest.mark.parametrize("suffix", [".webp", ".png", ".gif"])
def test_animated_files_count_their_frames(tmp_path: Path, suffix: str) -> None:
    facts = read_media(write_animation(tmp_path / f"anim{suffix}", 4))
    assert facts.frames == 4
    assert facts.size == Size(32, 24)


def test_unreadable_files_give_no_facts(tmp_path: Path) -> None:
    garbage = tmp_path / "bad.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    empty = tmp_path / "empty.webp"
    empty.write_bytes(b"")
    for path in (garbage, empty, tmp_path / "missing.png", tmp_path):
        assert read_media(path) == MediaFacts()


def test_decompression_bomb_is_unknown_not_a_crash(tmp_path: Path) -> None:
    # Only a header claiming 60000x60000 pixels: PIL refuses it on open, before decoding anything.
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b""))
    assert read_media(path) == MediaFacts()
    # A size just above the warning limit (not the error one) is unknown too.
    ihdr = struct.pack(">IIBBBBB", 10000, 10000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b""))
    assert read_media(path) == MediaFacts()


def test_latent_shape_batch_and_decoded_size(tmp_path: Path) -> None:
    path = write_latent(tmp_path / "a.latent", [2, 4, 24, 32], extra={"latent_format_version_0": {
        "dtype": "F32", "shape": [], "data_offsets": [0, 0]}})  # fmt: skip
    facts = read_media(path)
    assert facts.latent == LatentFacts(shape=(2, 4, 24, 32))
    assert facts.latent.batch == 2
    assert facts.latent.image_size == Size(256, 192)
    assert facts.size is None


def test_latent_of_another_layout_has_no_image_size(tmp_path: Path) -> None:
    facts = read_latent(write_latent(tmp_path / "sd3.latent", [1, 16, 16, 16]))
    assert facts is not None and facts.image_size is None
    video = read_latent(write_latent(tmp_path / "video.latent", [1, 4, 3, 8, 8], dtype="F16"))
    assert video is not None and video.batch is None and video.image_size is None


def test_bad_latent_files_give_none(tmp_path: Path) -> None:
    bad: dict[str, bytes] = {
        "short": b"\x01\x00",
        "huge_header": (10**12).to_bytes(8, "little") + b"{}",
        "not_json": (4).to_bytes(8, "little") + b"nope",
        "list_header": (2).to_bytes(8, "little") + b"[]",
        "no_tensor": (2).to_bytes(8, "little") + b"{}",
    }
    for name, content in bad.items():
        path = tmp_path / f"{name}.latent"
        path.write_bytes(content)
        assert read_latent(path) is None, name
        assert read_media(path) == MediaFacts()
    assert read_latent(write_latent(tmp_path / "trunc.latent", [1, 4, 8, 8], data_bytes=10)) is None
    truncated = write_latent(tmp_path / "cut.latent", [1, 4, 8, 8])
    truncated.write_bytes(truncated.read_bytes()[:-1])
    assert read_latent(truncated) is None
    path = tmp_path / "shape.latent"
    header = json.dumps({"latent_tensor": {"dtype": "F32", "shape": [1, "4", True], "data_offsets": [0, 0]}})
    path.write_bytes(len(header).to_bytes(8, "little") + header.encode())
    assert read_latent(path) is None
    assert read_latent(tmp_path / "missing.latent") is None
