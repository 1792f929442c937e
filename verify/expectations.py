"""Expectations of a task's result, derived from its text and its real input files.

**Usage**: `expect("Resize photo.png to 128x96.", [Path("photo.png")]).strict_size == Size(128, 96)`.

Unsure expectations are left out, never guessed: a false failure makes the engine "repair" a correct
flow. An empty `candidate_sizes` means "no size expectation"; an empty `output_kinds` "no kind one".
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from anysym.executor.outputs import PICTURE_SUFFIXES, SUFFIX_KINDS
from anysym.verify.media import MediaFacts, Size, read_media
from anysym.verify.wording import DESTINATION_NOUNS, Wording, read_wording

__all__ = ["ExpectedKind", "Expectations", "InputFact", "expect"]

ExpectedKind = Literal["image", "video", "audio", "mesh", "latent"]
"""Output kinds a task can demand; `video` is any animation (a video file or a multi-frame image)."""

_MAX_FACTORS = 4
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
_COLOURS_RESULT = re.compile(r"\bcolou?ri[sz]\w*|\bin\s+colou?rs?\b|\bfull[- ]colou?r\b")
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
    grayscale: bool = False
    """Whether the task asks for a grayscale (black-and-white, monochrome) image as its result."""
    transparent: bool = False
    """Whether the task asks for a result with transparent pixels (an alpha channel)."""

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
    facts = tuple(_input_fact(path, i, wording.text) for i, path in enumerate(inputs))
    origins = _candidates(wording, facts)
    strict, source = _strict(wording, facts)
    if strict is not None and origins:
        origins.setdefault(strict, source or "stated in the task")
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
        grayscale=_asks_grayscale(wording.text),
        transparent=bool(_TRANSPARENT_RESULT.search(wording.text)),
    )


def _asks_grayscale(text: str) -> bool:
    """A grayscale result ("a black-and-white image", "into grayscale"), unless colour is asked for too.

    "Colourise the black-and-white photo" names grayscale as the input's state: any colour word in the
    task withdraws the expectation (unsure expectations are skipped).
    """
    return bool(_GRAY_RESULT.search(text)) and not _COLOURS_RESULT.search(text)


def _input_fact(path: Path, index: int, text: str) -> InputFact:
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


def _candidates(wording: Wording, facts: Sequence[InputFact]) -> dict[Size, str]:
    if not wording.size_known:
        return {}
    if any(f.size is None and f.kind in ("image", "video", "mesh", "latent", "file") for f in facts):
        return {}  # the result may take the size of an input whose size is unknown
    if wording.generates and any(f.size is not None and not f.size_only for f in facts):
        return {}  # a picture generated from a style or reference input may take any size the flow sets
    bases: dict[Size, str] = {s.size: "stated in the task" for s in wording.sizes}
    for fact in facts:
        if fact.size is not None:
            bases.setdefault(fact.size, f"{fact.name} {fact.size}")
    scales = [((1.0, 1.0), "")] + [(f, f" x {_factor_text(f)}") for f in _products(wording.factor_groups)]
    pads = [(Size(0, 0), "")] + [(p, f" {_pad_text(p)}") for p in wording.paddings]
    found: dict[Size, str] = {}
    changed: set[Size] = set()
    for (factor, factor_text), (pad, pad_text) in itertools.product(scales, pads):
        for base, base_text in bases.items():
            for size in _apply(base, factor, pad):
                found.setdefault(size, f"{base_text}{factor_text}{pad_text}")
                if factor_text or pad_text:
                    changed.add(size)
    if _rescales_its_one_input(wording, facts):
        stated = {s.size for s in wording.sizes}
        found = {size: text for size, text in found.items() if size in changed or size in stated}
    return found


def _rescales_its_one_input(wording: Wording, facts: Sequence[InputFact]) -> bool:
    """Whether the task scales or pads its one input picture, so its own size is no longer a result.

    "Shrink photo.png to half size" or "pad it by 16 pixels" cannot end at photo.png's size; a
    composite, a kept size ("full-size copy") or another input leaves it plausible, and a stated size
    alone may be an object's ("draw a 64x64 square on photo.png").
    """
    images = [fact for fact in facts if fact.size is not None]
    rescaled = bool(wording.factor_groups or wording.paddings)
    return rescaled and len(images) == 1 and not wording.kept and not wording.composites


def _products(groups: Sequence[Sequence[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Every factor and the products of factors of up to three phrases (a task may scale twice)."""
    kept = list(groups[:_MAX_FACTORS])
    found: dict[tuple[float, float], None] = {}
    for count in (1, 2, 3):
        for chosen in itertools.combinations(kept, count):
            for combo in itertools.product(*chosen):
                found[(math.prod(f[0] for f in combo), math.prod(f[1] for f in combo))] = None
    return [f for f in found if f != (1.0, 1.0)]


def _apply(base: Size, factor: tuple[float, float], pad: Size) -> Iterable[Size]:
    """The sizes of scaling then padding and of padding then scaling, rounded down, nearest and up."""
    for width, height in ((base.width, base.height), (base.width + pad.width, base.height + pad.height)):
        padded_first = (width, height) != (base.width, base.height)
        for rounding in (math.floor, round, math.ceil):
            w, h = rounding(width * factor[0]), rounding(height * factor[1])
            if not padded_first:
                w, h = w + pad.width, h + pad.height
            if 0 < w <= 65536 and 0 < h <= 65536:
                yield Size(int(w), int(h))


def _factor_text(factor: tuple[float, float]) -> str:
    x, y = (f"{v:g}" for v in factor)
    return x if x == y else f"{x} wide, {y} high"


def _pad_text(pad: Size) -> str:
    sign = "+" if pad.width >= 0 and pad.height >= 0 else "-"
    return f"{sign} padding {abs(pad.width)}x{abs(pad.height)}"


def _strict(wording: Wording, facts: Sequence[InputFact]) -> tuple[Size | None, str | None]:
    if not wording.size_known or wording.factors or wording.paddings:
        return None, None
    distinct = {s.size for s in wording.sizes}
    if len(distinct) == 1:
        targets = [s for s in wording.sizes if s.target]
        destination = any(s.noun in DESTINATION_NOUNS for s in targets)
        if targets and (destination or not wording.composites):
            return targets[0].size, None
        return None, None
    kept = set(wording.kept)
    # No size words but a keeping phrase ("keeping the size of photo.png"): that input's size is final.
    if not distinct and len(kept) == 1 and None not in kept and not wording.resizes:
        index = next(iter(kept))
        if index is not None and index < len(facts) and facts[index].size is not None:
            return facts[index].size, facts[index].name
    return None, None


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


def _single(values: Iterable[int]) -> int | None:
    """The one value stated, or None when none or several different ones are (unsure)."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 and next(iter(distinct)) > 0 else None
