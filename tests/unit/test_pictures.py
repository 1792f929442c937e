"""Corrupt pictures of every format PIL reads end in one MediaError, on open or while decoding pixels."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image

from anysym.errors import MediaError
from anysym.verify.media import read_media
from anysym.verify.pictures import open_picture
from anysym.verify.tones import colourfulness
from anysym.verify.transparency import transparent_share

FORMATS = ("PNG", "GIF", "JPEG", "WEBP", "TIFF", "BMP")


def _encoded(fmt: str) -> bytes:
    picture = Image.new("RGB", (40, 30), (30, 120, 200))
    for x in range(40):
        picture.putpixel((x, x % 30), (250, x * 6, 10))
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt)
    return buffer.getvalue()


def _damaged(data: bytes, seed: int) -> list[bytes]:
    """Truncations at spread offsets and copies with a few bytes overwritten (seeded, reproducible)."""
    chance = random.Random(seed)
    cuts = [data[: len(data) * k // 12] for k in range(1, 12)]
    flips = []
    for _ in range(24):
        damaged = bytearray(data)
        for _ in range(chance.randint(1, 6)):
            damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        flips.append(bytes(damaged))
    return cuts + flips


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_damaged_picture_is_read_or_is_a_media_error(fmt: str, tmp_path: Path) -> None:
    failed = 0
    for index, data in enumerate(_damaged(_encoded(fmt), seed=len(fmt))):
        path = tmp_path / f"damaged_{index}.{fmt.lower()}"
        path.write_bytes(data)
        try:
            with open_picture(path) as picture:
                picture.convert("RGBA").load()  # decoding is where truncation usually shows
        except MediaError as exc:
            failed += 1
            assert "\n" not in str(exc) and path.name in str(exc)
        read_media(path)  # the verifier's readers never raise
        colourfulness(path)
        transparent_share(path)
    assert failed > 0  # the damage is real: some copies cannot be read


def test_a_decompression_bomb_is_a_media_error_before_it_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(path)  # 144 Mpx: above PIL's warning limit
    with pytest.raises(MediaError, match="bomb.png"):
        with open_picture(path):
            pass
    assert read_media(path).size is None


def test_a_missing_file_or_a_text_file_is_a_media_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not a picture", encoding="utf-8")
    for path in (tmp_path / "absent.png", text):
        with pytest.raises(MediaError):
            with open_picture(path):
                pass


def test_a_format_feature_pil_lacks_is_a_media_error(tmp_path: Path) -> None:
    # A BLP2 header naming compression 7: PIL raises BLPFormatError, a NotImplementedError, while decoding.
    import struct

    path = tmp_path / "texture.png"
    header = b"BLP2" + struct.pack("<i", 7) + struct.pack("<bbbb", 1, 0, 0, 0) + struct.pack("<II", 4, 4)
    path.write_bytes(header + bytes(2048))
    with pytest.raises(MediaError, match="texture.png .*BLPFormatError"):
        with open_picture(path) as image:
            image.load()
    read_media(path)  # the header alone is readable; decoding is what fails, and never raises here
    colourfulness(path)
    transparent_share(path)
