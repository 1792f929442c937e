"""The task's input files as facts: name, kind, real pixel size, whether the task names one for its size."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from anysym.executor.outputs import PICTURE_SUFFIXES, SUFFIX_KINDS
from anysym.verify.media import MediaFacts, Size, read_media

__all__ = ["InputFact", "input_fact"]

_SIZE_REF_BEFORE = re.compile(
    r"(?:\b(?:size|dimensions|resolution)\s+(?:of|as)|\bas\s+(?:large|big|wide|tall)\s+as)\s+$"
)
_SIZE_REF_AFTER = re.compile(r"'s\s+(?:size|dimensions|resolution|width|height)\b")


class InputFact(BaseModel):
    """One input file of the task: its name, kind and, for images, its real pixel size."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: str
    """A kind of `SUFFIX_KINDS` (image, video, audio, mesh, latent, text) or `file`."""
    path: Path | None = None
    """Where the file is (to compare outputs with it)."""
    size: Size | None = None
    """The real pixel size (images, GIFs, SD latents decoded); None when unknown or unreadable."""
    frames: int | None = None
    size_only: bool = False
    """Whether the task names the file only for its size ("the same size as photo.png")."""


def input_fact(path: Path, index: int, text: str) -> InputFact:
    """Read input `index` (`path`) of a task whose masked text is `text` (see `verify.wording.mask_names`)."""
    suffix = path.suffix.lower()
    kind = SUFFIX_KINDS.get(suffix, "file")
    facts = read_media(path) if suffix in PICTURE_SUFFIXES or kind == "latent" else MediaFacts()
    size = facts.size or (facts.latent.image_size if facts.latent else None)
    refs = [m.start() for m in re.finditer(rf"\bfile{index}\b", text)]
    size_only = bool(refs) and all(
        _SIZE_REF_BEFORE.search(text[max(0, at - 40) : at])
        or _SIZE_REF_AFTER.match(text, at + len(f"file{index}"))
        for at in refs
    )
    return InputFact(
        name=path.name, path=path, kind=kind, size=size, frames=facts.frames, size_only=size_only
    )
