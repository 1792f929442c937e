"""Facts stated by the task that small models tend to get wrong: input files, pixel sizes, numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from anysym.executor.outputs import PICTURE_SUFFIXES, SUFFIX_KINDS
from anysym.verify.media import read_media

__all__ = ["describe_inputs", "numbers_in", "retrieval_query", "task_steps"]

_KIND_WORDS = {"mesh": "3d model"}
"""How a prompt names an output kind whose table name reads badly."""
_STEP_BREAK = re.compile(
    r"[.;:!?](?:\s+|$)|\n|,?\s+(?:and\s+)?then\s+|,?\s+after\s+that,?\s+|,?\s+and\s+|,\s+|\s+with\s+",
    re.IGNORECASE,
)
_WORDY = re.compile(r"[A-Za-z]{4,}")
_FILE_NAME = re.compile(r"\b[\w-]+\.(?:[A-Za-z][A-Za-z0-9]{1,3})\b")
_NOISE = re.compile(r"\S+\.[A-Za-z0-9]{2,4}\b|\S*\d\S*|[()]")
"""File names, numbers, sizes and coordinates: they say nothing about which operation a phrase names."""
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:\s*[x×]\s*\d+(?:\.\d+)?)?%?(?![\w.])")


def describe_inputs(paths: Sequence[str | Path]) -> list[str]:
    """Describe each input file in one line: its file name, kind and, for images, real pixel size."""
    return [_describe(Path(p)) for p in paths]


def _describe(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PICTURE_SUFFIXES:
        facts = read_media(path)  # never raises: corrupt files and decompression bombs read as unknown
        if facts.size is None:
            return f'"{path.name}": image (size unknown: the file cannot be read)'
        width, height = facts.size
        return f'"{path.name}": image, {width}x{height} pixels (width x height), mode {facts.mode}'
    return f'"{path.name}": {_file_kind(path.name)}'


def numbers_in(task: str) -> list[str]:
    """Return the numbers and sizes written in the task (e.g. `512x384`, `0.35`, `50%`), in order."""
    return list(dict.fromkeys(m.group(0).replace(" ", "") for m in _NUMBER.finditer(task)))


def retrieval_query(task: str) -> str:
    """The task with each file name replaced by its kind ("Sharpen texture.png" -> "Sharpen image").

    A file's name says nothing about the operation, yet it pulls the search towards programs whose
    description shares the word ("texture.png" retrieved the texture-upscaling program first for a
    sharpening task).
    """
    return _FILE_NAME.sub(lambda m: _file_kind(m.group(0)), task)


def _file_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    kind = "image" if suffix in PICTURE_SUFFIXES else SUFFIX_KINDS.get(suffix, "file")
    return _KIND_WORDS.get(kind, kind)


def task_steps(task: str) -> list[str]:
    """Split a task into the phrases that may each name one operation ("sharpen it, then posterize").

    Splits at sentence ends, colons, semicolons, commas, "then", "after that", "and" and "with"; drops
    file names and numbers, and fragments without a word of four letters. Over-splitting costs little:
    each phrase only adds node candidates to a prompt, and the whole task is searched too.
    """
    phrases = (" ".join(_NOISE.sub(" ", part).split()) for part in _STEP_BREAK.split(task))
    return list(dict.fromkeys(p for p in phrases if _WORDY.search(p)))
