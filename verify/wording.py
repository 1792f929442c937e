"""What a task's wording says about its result: stated sizes, scale factors, paddings, kept sizes.

Everything is read from general English patterns, never from particular sentences. Input file names are
masked first (`photo.png` -> `file0`) so a name such as `portrait_512x512.png` states nothing. Any
resizing word whose clause holds no quantity this module understands makes `size_known` False: the
verifier then checks no size at all rather than guess one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from anysym.executor.outputs import SUFFIX_KINDS
from anysym.verify.media import Size
from anysym.verify.relative_sizes import Factor, Span, clauses, read_factors, read_paddings

__all__ = ["DESTINATION_NOUNS", "RESIZE_WORDS", "StatedSize", "Wording", "mask_names", "read_wording"]


DESTINATION_NOUNS = frozenset({"canvas", "background", "collage"})
"""Nouns whose stated size is the final size even when other images are pasted onto it."""
_TARGET_NOUNS = (
    "image|images|canvas|picture|pictures|latent|latents|photo|output|result|collage|thumbnail|poster"
    "|video|animation|background|wallpaper|icon|png|webp|jpe?g|gif"
)
_NOT_IMAGE_NOUNS = (
    "kernel|filter|matrix|neighbou?rhood|structuring|grid|blur|median|dilation|erosion|convolution"
    "|checker\\w*|mesh"
)
_SMALL_NOT_IMAGE_NOUNS = "window|tiles?|blocks?|box"
"""Nouns of a region ("the 32x32 block of photo.png") that name a kernel's or a grid's cell when small."""
_SMALLEST_REGION = 16
"""The smallest side of a "block", "tile", "box" or "window" read as a region of a picture."""
_SUFFIXES = "|".join(s.lstrip(".") for s in sorted(SUFFIX_KINDS, key=len, reverse=True))
_OTHER_FILE = re.compile(rf"[\w\-]+(?:\.[\w\-]+)*\.(?:{_SUFFIXES}|safetensors|ckpt|pth?|json)\b")
_SIZE = re.compile(
    r"(?<![\w.])(\d{1,5})\s*[x×]\s*(\d{1,5})(?!\w|\.\d|\s*[x×]\s*\d)"
    r"|(?<![\w.])(\d{2,5})\s+by\s+(\d{2,5})(?!\w|\.\d)"  # "1024 by 768"
)
_AFTER_SIZE_NOUN = re.compile(rf"\s*(?:pixels?\s+|px\s+)?(?:[a-z-]+\s+)?({_TARGET_NOUNS})\b")
_AFTER_SIZE_NOT_IMAGE = re.compile(rf"\s*(?:pixels?\s+|px\s+)?(?:[a-z-]+\s+)?(?:{_NOT_IMAGE_NOUNS})\b")
_AFTER_SIZE_SMALL = re.compile(rf"\s*(?:pixels?\s+|px\s+)?(?:[a-z-]+\s+)?(?:{_SMALL_NOT_IMAGE_NOUNS})\b")
_PIXELS_AFTER_RESIZE = re.compile(
    r"\s*(?:pixels?|px)\b(?!\s+(?:[a-z-]+\s+)?(?:regions?|squares?|patch|area|rectangle|piece|section|portion"
    r"|part|detail|crop|window|block|tile)\b)"
)
_RESIZE_VERB = re.compile(r"\b(?:re-?siz\w*|(?:re|up|down)?scal\w*|shrink\w*|shrunk|enlarg\w*|magnif\w*)\b")
_BEFORE_TARGET = re.compile(
    r"(?:\b(?:to|into|at)|\b(?:size|resolution|dimensions))\s+(?:(?:exactly|precisely|a|an|the|size"
    r"|resolution|dimensions|of)\s+)*$"
)
_WIDE_HIGH = re.compile(
    r"(?<![\w.])(\d{1,5})\s*(?:pixels?|px)?\s*(?:wide|in width)\s*(?:,|and|by|x|×)?\s*"
    r"(\d{1,5})\s*(?:pixels?|px)?\s*(?:high|tall|in height)\b"
)
_HIGH_WIDE = re.compile(
    r"(?<![\w.])(\d{1,5})\s*(?:pixels?|px)?\s*(?:high|tall|in height)\s*(?:,|and|by|x|×)?\s*"
    r"(\d{1,5})\s*(?:pixels?|px)?\s*(?:wide|in width)\b"
)
_WIDTH_HEIGHT = re.compile(
    r"\bwidth\s*(?:of\s*|=\s*|:\s*)?(\d{1,5})\s*(?:pixels?|px)?\s*(?:,|and)?\s*(?:a\s+)?height\s*"
    r"(?:of\s*|=\s*|:\s*)?(\d{1,5})"
)
_SAFE_PHRASES = re.compile(
    r"\b(?:batch|kernel|brush|font|step|tile|block|window|file|sample|patch|grid|filter)[ _]sizes?\b"
    r"|\b(?:line|stroke|brush|pen)\s+width\b|\bgr[ae]y\s*scale\b"
    r"|\b(?:cfg|guidance|lora|noise|time|colou?r|strength)[ _]scale\b|\bscale[ _]?factor\s+of\s+the\s+noise"
)
RESIZE_WORDS = re.compile(
    r"\b(?:re-?siz\w*|(?:re|up|down)?scal(?:e|ed|es|ing)|scale_by|up-?sampl\w*|down-?sampl\w*|shrink\w*"
    r"|shrunk|enlarg\w*|magnif\w*|zoom\w*|crop\w*|cut|cuts|cutting|trim\w*|pad|pads|padded|padding"
    r"|extend\w*|expand\w*|outpaint\w*|canvas\w*|collage\w*|thumbnails?|icons?|sizes?|sized|wide|wider"
    r"|width|tall|taller|height|side by side|stitch\w*|concatenat\w*|stack\w*|tiles?|tiled|tiling"
    r"|grids?|mosaic\w*|borders?|margins?|regions?|portions?|patch|patches|pieces?|sections?"
    r"|keep only|only the|squares?|rectangles?|resolutions?|dimensions?|megapixels?|aspect|rotat\w*"
    r"|transpos\w*|smaller|larger|bigger|half|halve|halved|quarter|double|doubled|twice|triple|fit"
    r"|fits|letterbox\w*|downsiz\w*|upsiz\w*|montage\w*|panoram\w*|contact sheet|sprite sheet|film ?strip"
    r"|arrang\w*|lay(?:ing)? out|join\w*|beside|next to|one (?:above|below|after) the other"
    r"|into (?:a single|one) (?:image|picture|frame))\b"
    r"|(?<![\w.])\d+\s*-?\s*(?:pixels?|px)\b"
)
"""Words of resizing, cropping, padding and arranging: a task without any keeps its inputs' sizes."""
_COMPOSITING = re.compile(
    r"\b(?:paste[sd]?|pasting|onto|composit\w*|insert\w*|stamp\w*|place[sd]?|put|blend\w*|mix\w*|combin\w*"
    r"|merg\w*|overlay\w*|multipl\w*|screen\w*|apply|applied|mask\w*|layer\w*)\b"
)
_GENERATION = re.compile(
    r"\b(?:generat\w+|imagine|styles?|styled|styli[sz]\w*|reference|inspired|inspiration"
    r"|guided?|guidance|controlnet|pose|prompt\w*|txt2img|img2img|text-to-image|variations?)\b"
)
_KEPT = re.compile(
    r"\b(?:keeps?|keeping|preserv\w*|retain\w*|maintain\w*)\s+(?:(?:the|its|their)\s+)?(?:original\s+|"
    r"same\s+|full\s+)?(?:size|dimensions|resolution)(?:\s+of\s+file(\d+))?"
    r"|\b(?:same|original)\s+(?:size|dimensions|resolution)(?:\s+as\s+file(\d+))?"
    r"|\b(?:size|dimensions|resolution)\s+of\s+file(\d+)|\bfile(\d+)'s\s+(?:size|dimensions|resolution)"
    r"|\bas\s+(?:large|big)\s+as\s+file(\d+)|\bfull[- ](?:size|resolution)\b"
)
_KEPT_AXIS = re.compile(
    r"\b(?:keeps?|keeping|preserv\w*|retain\w*|maintain\w*|leav\w*)\s+(?:the\s+|its\s+)?"
    r"(?:original\s+|same\s+|full\s+)?(width|height)\b"
)
"""One side kept as it is ("keeping the full width"): a quantity (nothing changes along it)."""
_SAME_REGION = re.compile(
    r"\b(?:the\s+)?same\s+(?:square|region|patch|area|crop|rectangle|piece|section|portion|part|size)\b"
)


class StatedSize(NamedTuple):
    """A `WxH` size written in the task; `target` when phrased as a result ("to 128x96", "a 64x64 image")."""

    size: Size
    target: bool
    noun: str | None
    span: Span


@dataclass(frozen=True, kw_only=True)
class Wording:
    """The size-related facts of a task's text."""

    text: str
    """The task lower-cased with input names masked as `file<N>` (see `mask_names`)."""
    sizes: tuple[StatedSize, ...]
    factor_groups: tuple[tuple[Factor, ...], ...]
    """Scale factors, one group per phrase: "half" gives ((0.5, 0.5), (0.5, 1.0), (1.0, 0.5))."""
    paddings: tuple[Size, ...]
    """Extra (width, height) per padding phrase, negative for trimming; empty when none is stated."""
    kept: tuple[int | None, ...]
    """Input indexes whose size the task keeps ("keep the size of photo.png"); None: "the original size"."""
    resizes: bool
    size_known: bool
    composites: bool
    generates: bool

    @property
    def factors(self) -> tuple[Factor, ...]:
        """Every stated factor, once each."""
        return tuple(dict.fromkeys(f for group in self.factor_groups for f in group))


def mask_names(task: str, names: Sequence[str]) -> str:
    """Lower-case `task` with input names replaced by `file<N>` and other file names by `somefile`."""
    text = task.lower()
    order = sorted(range(len(names)), key=lambda i: -len(names[i]))
    for index in order:
        if names[index]:
            text = re.sub(rf"(?<![\w.\-]){re.escape(names[index].lower())}(?![\w\-])", f"file{index}", text)
    return _OTHER_FILE.sub("somefile", text)


def read_wording(task: str, names: Sequence[str]) -> Wording:
    """Read the sizes, factors, paddings and kept sizes stated by `task` about files `names`."""
    masked = mask_names(task, names)
    # Same-length blanking keeps offsets: "batch size" or "grayscale" are no resizing.
    text = _SAFE_PHRASES.sub(lambda m: "~" * len(m.group(0)), masked)
    kept_matches = list(_KEPT.finditer(text))
    kept = tuple(_kept_index(m) for m in kept_matches)
    sizes = _sizes(text)
    factors, factor_spans = read_factors(text)
    kept_axes = list(_KEPT_AXIS.finditer(text))
    factors = tuple(_keeping(group, {m.group(1) for m in kept_axes}) for group in factors)
    paddings, padding_spans = read_paddings(text)
    quantities = [s.span for s in sizes] + factor_spans + padding_spans + [m.span() for m in kept_matches]
    quantities += [m.span() for m in _SAME_REGION.finditer(text)]  # "the same square" refers back
    quantities += [m.span() for m in kept_axes]
    words = [m.span() for m in RESIZE_WORDS.finditer(text) if not _inside(m.span(), kept_matches)]
    has_word, has_quantity = _coverage(words, len(text)), _coverage(quantities, len(text))
    unquantified = [
        (a, b) for a, b in clauses(text) if has_word[b] > has_word[a] and has_quantity[b] == has_quantity[a]
    ]
    return Wording(
        text=masked,
        sizes=sizes,
        factor_groups=factors,
        paddings=paddings,
        kept=kept,
        resizes=bool(words or sizes or factors or paddings),
        size_known=not unquantified,
        composites=bool(_COMPOSITING.search(text)),
        generates=bool(_GENERATION.search(text)),
    )


def _keeping(group: tuple[Factor, ...], kept: set[str]) -> tuple[Factor, ...]:
    """The readings of a factor that leave each kept side as it is (all of them when none does)."""
    fitting = tuple(
        f for f in group if ("width" not in kept or f[0] == 1.0) and ("height" not in kept or f[1] == 1.0)
    )
    return fitting or group


def _kept_index(match: re.Match[str]) -> int | None:
    found = [g for g in match.groups() if g is not None]
    return int(found[0]) if found else None


def _sizes(text: str) -> tuple[StatedSize, ...]:
    found: list[StatedSize] = []
    for match in _SIZE.finditer(text):
        after = text[match.end() : match.end() + 40]
        width, height = (g for g in match.groups() if g is not None)
        size = Size(int(width), int(height))
        small = min(size.width, size.height) < _SMALLEST_REGION
        if _AFTER_SIZE_NOT_IMAGE.match(after) or (small and _AFTER_SIZE_SMALL.match(after)):
            continue  # a 5x5 kernel or an 8x8 block of a grid is no image size
        noun = _AFTER_SIZE_NOUN.match(after)
        before = _BEFORE_TARGET.search(text[max(0, match.start() - 40) : match.start()])
        # "resize photo.png 128x96 pixels": pixels after a resizing verb of the sentence is a target.
        begin = max(text.rfind(". ", 0, match.start()), text.rfind(";", 0, match.start())) + 1
        resized = _PIXELS_AFTER_RESIZE.match(after) and _RESIZE_VERB.search(text[begin : match.start()])
        target = bool(noun or before or resized)
        found.append(StatedSize(size, target, noun.group(1) if noun else None, match.span()))
    for pattern, swap in ((_WIDE_HIGH, False), (_HIGH_WIDE, True), (_WIDTH_HEIGHT, False)):
        for match in pattern.finditer(text):
            a, b = int(match.group(1)), int(match.group(2))
            target = pattern is _WIDTH_HEIGHT and bool(re.search(r"\bto\s+(?:a\s+)?$", text[: match.start()]))
            found.append(StatedSize(Size(b, a) if swap else Size(a, b), target, None, match.span()))
    return tuple(s for s in found if s.size.width > 0 and s.size.height > 0)


def _coverage(spans: Sequence[Span], length: int) -> list[int]:
    """Prefix counts of covered characters: `[a, b)` meets a span when `counts[b] > counts[a]`."""
    covered = [False] * length
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    counts = [0]
    for flag in covered:
        counts.append(counts[-1] + flag)
    return counts


def _inside(span: Span, matches: Sequence[re.Match[str]]) -> bool:
    return any(m.start() <= span[0] and span[1] <= m.end() for m in matches)
