"""Opening a picture nobody vouches for: the one place PIL's failures become a `MediaError`.

Inputs come from users and outputs from a server; either may be truncated, corrupt, not what its suffix
says, or a decompression bomb. PIL reports these with almost any exception (OSError, ValueError,
SyntaxError, struct.error, IndexError, EOFError, its bomb warning and error, found by the corrupt-file
tests), raised on open or later while decoding pixels. Every reader of pixels opens through
`open_picture`, so one table decides what "cannot be read" means and each caller handles one error.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from PIL import Image

from anysym.errors import MediaError
from anysym.graph.result import OutputFile

__all__ = ["PICTURE_ERRORS", "measure_images", "open_picture"]

_Measure = TypeVar("_Measure")

PICTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    SyntaxError,
    struct.error,
    IndexError,
    EOFError,
    NotImplementedError,  # a format feature PIL lacks, e.g. BlpImagePlugin.BLPFormatError
    Image.DecompressionBombWarning,
    Image.DecompressionBombError,
)
"""What PIL raises for a file it cannot read as a picture, on open or while decoding."""


@contextmanager
def open_picture(path: Path) -> Iterator[Image.Image]:
    """`Image.open(path)` with decompression bombs refused; any failure inside is a `MediaError`.

    A bomb is only a warning below twice PIL's pixel limit: it is an error here, so a picture too large
    to decode is never decoded. PIL's other warnings about a damaged file ("Tag data larger than file")
    are silenced: the file is read as far as it goes or fails, and a user's terminal is not the place.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                yield image
    except PICTURE_ERRORS as exc:
        raise MediaError(f"cannot read {path.name} as a picture ({type(exc).__name__}: {exc})") from exc


def measure_images(
    outputs: Sequence[OutputFile], measure: Callable[[Path], _Measure | None]
) -> list[tuple[OutputFile, _Measure]]:
    """Each image output with `measure` of its file, leaving out the files it could not read (None)."""
    measured = ((output, measure(output.path)) for output in outputs if output.kind == "image")
    return [(output, value) for output, value in measured if value is not None]
