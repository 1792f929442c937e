"""Expectations of a task's result, derived from its text and its real input files.

**Usage**: `expect("Resize photo.png to 128x96.", [Path("photo.png")]).strict_size == Size(128, 96)`.

Unsure expectations are left out, never guessed: a false failure makes the engine "repair" a correct
flow. An empty `candidate_sizes` means "no size expectation"; an empty `output_kinds` "no kind one".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from anysym.verify.fill_colour import stated_fill
from anysym.verify.final_sizes import candidate_sizes, strict_size
from anysym.verify.input_facts import InputFact, input_fact
from anysym.verify.media import Size
from anysym.verify.wording import read_wording

__all__ = ["ExpectedKind", "Expectations", "InputFact", "expect"]

ExpectedKind = Literal["image", "video", "audio", "mesh", "latent"]
"""Output kinds a task can demand; `video` is any animation (a video file or a multi-frame image)."""

_NUMBER_WORDS = "two three four five six seven eight nine ten eleven twelve sixteen".split()
_NUMBER_VALUES = dict(zip(_NUMBER_WORDS, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16], strict=True))
# Output-kind words are strict ("a video game poster" asks for no video); the broad `_NOT_IMAGE` words
# only withdraw the image expectation, which is the safe direction.
_VIDEO = re.compile(
    r"\b(?:animations?|animated\s+(?:webp|png|gif|images?|pictures?|loop|sequence)|animate|videos?(?!\s+games?)"
    r"|mp4|webm|mkv|avi)\b"
)
_AUDIO = re.compile(
    r"\b(?:audio|speech|tts|text-to-speech|voice-?over|spoken|narrat\w+|wav|mp3|flac)\b|\b(?:generate|create"
    r"|make|compose|produce|record|synthesi[sz]e)\s+(?:an?\s+|some\s+|the\s+)?(?:[a-z-]+\s+){0,2}(?:music|songs?"
    r"|sounds?|melody|voice|jingle)\b"
)
_MESH = re.compile(
    r"\b3d\s+(?:model|mesh|object|asset|shape)s?\b|\b(?:glb|gltf|ply|stl)\b"
    r"|\b(?:as|into|save|export)\s+(?:an?\s+|the\s+)?(?:3d\s+)?mesh(?:es)?\b"
)
_NOT_IMAGE = re.compile(
    r"\b(?:animat\w*|videos?|movie|gif|frames|sounds?|voice|music|songs?|sing\w*|melody|podcast|mesh\w*"
    r"|3d|obj)\b"
)
_LATENT = re.compile(
    r"\blatents?\s+files?\b|\b(?:save|saves|saved|saving|store|export|write)\s+(?:(?:it|them|the|both|this"
    r"|that|as|an?)\s+)*(?:[a-z-]+\s+)?(?:(?:as|an?)\s+)*latents?\b(?!\s+(?:as\s+(?:an?\s+)?)?images?)"
)
_TEXT = re.compile(
    r"\b(?:describ\w*|description|caption\w*|transcri\w+|tell|answer|text|words?|json|how many|string"
    r"|tags?|ocr|summar\w+|explain\w*)\b"
)
_IMAGE = re.compile(
    r"\b(?:images?|pictures?|photos?|photograph|png|jpe?g|webp|bmp|tiff?|drawing|painting|illustration"
    r"|icon|logo|poster|wallpaper|portrait|sketch|mask)\b"
)
_FRAMES = re.compile(
    rf"(?<![\w.])(\d{{1,4}}|{'|'.join(_NUMBER_WORDS)})\s*-?\s*frames?\b(?!\s*(?:per|/|a)\s*(?:second|sec|s)\b)"
)
_NOT_FRAME_COUNT = re.compile(r"\b(?:every|each|first|last|skip\w*|at)\s+$")
_SAVED_COUNT = re.compile(
    rf"\b(?:save|saves|saving|export|exports|output|outputs|return|produce|write)\s+(?:all\s+)?(?:the\s+)?"
    rf"(both|\d|{'|'.join(_NUMBER_WORDS)})\b(?!\s*(?:-\s*)?(?:frames?|times?|seconds?|steps?)\b)"
)
"""A number of results to save: "save both the full-size result and a half-size copy", "save the two
inverted images". Frames, times and steps are not results; an animation is one file."""
_BATCH = re.compile(r"\bbatch\s+(?:size\s+)?(?:of\s+)?(\d{1,3})\b")
_GRAY = r"(?:gr[ae]y-?scale|black[- ]and[- ]white|monochrome|single[- ]channel)"
_GRAY_RESULT = re.compile(
    rf"\b(?:an?|the|as)\s+(?:pure\s+)?{_GRAY}\s+(?:image|picture|photo|copy|version|mask|map|png)\b"
    rf"|\b(?:as|into|to|in)\s+{_GRAY}\b(?!\s+\w)"
    rf"|\b(?:make|turn|convert|render|save)\s+(?:it|them|this|the\s+\w+|file\d+)\s+(?:in(?:to)?\s+)?{_GRAY}\b"
)
_TRANSPARENT_RESULT = re.compile(
    r"\bwith\s+(?:an?\s+)?(?:alpha\s+channel|transparency)\b"
    r"|\b(?:make|turn|render|set)\s+[^.;,]{0,80}?\b(?:fully\s+|partly\s+|completely\s+)?"
    r"(?:transparent|see-through)\b"
)
"""A result with transparent pixels: "make the disc fully transparent", "save it with an alpha channel".

"Keeping the logo's transparent background transparent" or "respecting its transparency" speak of
an input's transparency, and a sharpen's `alpha 1.5` is a parameter: neither matches.
"""
_SHADES = re.compile(r"\bgr[ae]y-?scale\b|\bmonochrome\b")
_THRESHOLD_WORDS = re.compile(
    r"black[- ]and[- ]white|two[- ]tone|\bbinary\b|threshold|stencil|\bpure\s+(?:black|white)\b"
    r"|\b(?:above|below|greater|exceed\w*|less\s+than|brighter\s+than|darker\s+than|cut-?off)\b"
)
"""Words that make a black-and-white result right: a threshold is asked for, not the channel's shades."""
_TWO_TONE_RESULT = re.compile(
    r"\btwo[- ]tone\b|\bpure\s+black[- ]and[- ]white\b"
    r"|\bwhite\s+where\b[^.;]{0,120}\bblack\b|\bbecomes?\s+white\b[^.;]{0,80}\bblack\b"
)
"""A result of only black and white: "a two-tone mask picture", "white where ... black elsewhere"."""
_COLOURS_RESULT = re.compile(r"\bcolou?ri[sz]\w*|\bin\s+colou?rs?\b|\bfull[- ]colou?r\b")


class Expectations(BaseModel):
    """What a correct result of the task must look like, as far as it is sure."""

    model_config = ConfigDict(frozen=True)

    task: str
    inputs: tuple[InputFact, ...] = ()
    stated_sizes: tuple[Size, ...] = ()
    """Image sizes written in the task (`512x384`, `512 x 384`, `512×384`, `192 pixels wide and ...`)."""
    strict_size: Size | None = None
    """The one final size the task asks for, when it states one as a target."""
    strict_source: str | None = None
    """Where `strict_size` comes from: None for a size stated in the task, else the input file kept."""
    factors: tuple[tuple[float, float], ...] = ()
    """Stated scale factors per axis (`half` gives (0.5, 0.5), (0.5, 1) and (1, 0.5))."""
    paddings: tuple[Size, ...] = ()
    """Stated extra width/height per padding phrase, plus their total (negative for trimming)."""
    resizes: bool = False
    """Whether the task mentions any resizing, cropping, padding, canvas, collage or size at all.

    Phrases that change nothing are not counted: "keep the size of photo.png", "batch size", "grayscale".
    """
    size_known: bool = True
    """Whether every resizing the task mentions comes with a quantity understood here."""
    candidate_sizes: frozenset[Size] = frozenset()
    """Final image sizes the task makes plausible; empty: no size expectation."""
    size_origins: tuple[tuple[Size, str], ...] = ()
    """How each candidate size arises, e.g. `(Size(128, 96), "photo.png 256x192 x 0.5")`."""
    output_kinds: frozenset[ExpectedKind] = frozenset()
    """Kinds of output the task explicitly asks for."""
    frames: int | None = None
    """The number of frames the task states ("a 4-frame animation")."""
    batch_size: int | None = None
    """The batch size the task states ("with a batch size of 2")."""
    output_count: int | None = None
    """How many results the task says to save ("save both ...", "save the two images"), at least."""
    grayscale: bool = False
    """Whether the task asks for a grayscale (black-and-white, monochrome) image as its result."""
    two_tone: bool = False
    """Whether the task asks for a result of only black and white pixels (a thresholded picture)."""
    shades: bool = False
    """Whether that grayscale image keeps its shades: "grayscale" or "monochrome", with no word of a
    threshold or of black and white ("above 0.5", "two-tone", "stencil")."""
    transparent: bool = False
    """Whether the task asks for a result with transparent pixels (an alpha channel)."""
    fill_colour: int | None = None
    """The packed 0xRRGGBB colour a task without inputs asks its picture to be filled with."""

    def origin(self, size: Size) -> str:
        """Describe how `size` is made plausible by the task ("" when it is not a candidate)."""
        return next((text for known, text in self.size_origins if known == size), "")

    def input_images(self) -> list[InputFact]:
        """Return the input files with a known pixel size."""
        return [fact for fact in self.inputs if fact.size is not None]


def expect(task: str, inputs: Sequence[Path]) -> Expectations:
    """Derive the expectations of `task` given its real input files (read, never trusted)."""
    names = [path.name for path in inputs]
    wording = read_wording(task, names)
    facts = tuple(input_fact(path, i, wording.text) for i, path in enumerate(inputs))
    origins = candidate_sizes(wording, facts)
    strict, source = strict_size(wording, facts)
    if strict is not None and origins:
        origins.setdefault(strict, source or "stated in the task")
    grayscale = _asks_grayscale(wording.text)
    return Expectations(
        task=task,
        inputs=facts,
        stated_sizes=tuple(dict.fromkeys(s.size for s in wording.sizes)),
        strict_size=strict,
        strict_source=source,
        factors=wording.factors,
        paddings=wording.paddings,
        resizes=wording.resizes,
        size_known=wording.size_known,
        candidate_sizes=frozenset(origins),
        size_origins=tuple(origins.items()),
        output_kinds=_kinds(wording.text, facts),
        frames=_single(_frame_counts(wording.text)),
        batch_size=_single(int(m.group(1)) for m in _BATCH.finditer(wording.text)),
        output_count=_output_count(wording.text),
        grayscale=grayscale,
        two_tone=bool(_TWO_TONE_RESULT.search(wording.text)),
        shades=grayscale and bool(_SHADES.search(wording.text)) and not _THRESHOLD_WORDS.search(wording.text),
        transparent=bool(_TRANSPARENT_RESULT.search(wording.text)),
        fill_colour=stated_fill(task, names),
    )


def _asks_grayscale(text: str) -> bool:
    """A grayscale result ("a black-and-white image", "into grayscale"), unless colour is asked for too.

    "Colourise the black-and-white photo" names grayscale as the input's state: any colour word in the
    task withdraws the expectation (unsure expectations are skipped).
    """
    return bool(_GRAY_RESULT.search(text)) and not _COLOURS_RESULT.search(text)


def _kinds(text: str, facts: Sequence[InputFact]) -> frozenset[ExpectedKind]:
    has = {f.kind for f in facts} | {"video" for f in facts if (f.frames or 1) > 1}
    kinds: set[ExpectedKind] = set()
    if _VIDEO.search(text) and "video" not in has:
        kinds.add("video")
    if _AUDIO.search(text) and "audio" not in has:
        kinds.add("audio")
    if _MESH.search(text) and "mesh" not in has:
        kinds.add("mesh")
    if _LATENT.search(text):
        kinds.add("latent")
    other = _VIDEO.search(text) or _AUDIO.search(text) or _MESH.search(text) or _TEXT.search(text)
    other = other or _NOT_IMAGE.search(text)
    images_in = any(f.kind == "image" for f in facts)
    if not kinds and not other and (images_in or _IMAGE.search(text)):
        kinds.add("image")
    return frozenset(kinds)


def _frame_counts(text: str) -> Iterable[int]:
    for match in _FRAMES.finditer(text):
        if _NOT_FRAME_COUNT.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        word = match.group(1)
        yield _NUMBER_VALUES[word] if word in _NUMBER_VALUES else int(word)


def _output_count(text: str) -> int | None:
    """How many results the task says to save, unless it asks for an animation (frames are one file)."""
    if _VIDEO.search(text) or _FRAMES.search(text):
        return None
    words = (m.group(1) for m in _SAVED_COUNT.finditer(text))
    return _single(2 if w == "both" else _NUMBER_VALUES.get(w) or int(w) for w in words)


def _single(values: Iterable[int]) -> int | None:
    """The one value stated, or None when none or several different ones are (unsure)."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 and next(iter(distinct)) > 0 else None
