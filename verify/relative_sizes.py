"""Relative size phrases of a task: scale factors ("half", "2x", "by a factor of 3") and paddings.

Both read lower-cased task text with file names masked (see `anysym.verify.wording.mask_names`) and
return what they found with the spans they matched, so the caller can tell quantified clauses apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from anysym.verify.media import Size

__all__ = ["Factor", "Span", "clauses", "read_factors", "read_paddings", "read_side_pixels"]

Span = tuple[int, int]
Factor = tuple[float, float]
"""A scale factor per axis: (width factor, height factor)."""

_NUM = r"\d+(?:\.\d+)?"
_FACTOR_PHRASES = (
    re.compile(rf"\bby\s+a\s+factor\s+of\s+({_NUM})"),
    re.compile(rf"\bscale(?:_by|[ _]factor)\s*(?:of\s*|=\s*|:\s*)?({_NUM})"),
    re.compile(
        rf"\b(?:(?:re|up|down)?scal(?:e|ed|ing)|resiz(?:e|ed|ing)|zoom(?:ed)?|enlarg(?:e|ed)|shrink|shrunk"
        rf"|magnif(?:y|ied))(?:\s+(?:it|them|file\d+|the\s+\w+))?\s+(?:of\s+|by\s+|to\s+)?(?:=\s*)?"
        rf"({_NUM})(?!\d|\.\d|\s*[x×]\s*\d|\s*(?:pixels?|px|%))"
    ),
    re.compile(rf"(?<![\w.])({_NUM})\s*[x×](?![\w\d])"),
    re.compile(r"(?<![\w.])x(\d+(?:\.\d+)?)\b"),
)
_TIMES = re.compile(
    rf"\b({_NUM}|two|three|four)\s+times\s+(?:(larger|bigger|wider|taller|smaller|narrower|shorter)\b"
    r"|as\s+(?:large|big|wide|tall|high|small)\b|(?:the|its)\s+(?:original\s+)?(?:size|width|height)\b)"
)
_REACH = 200
_AXIS_WORDS = re.compile(r"\b(?:wide|wider|width|tall|taller|high|higher|height|horizontal\w*|vertical\w*)\b")
_PERCENT = re.compile(rf"(?<![\w.])({_NUM})\s*%")
_PERCENT_CONTEXT = re.compile(r"resiz|scal|shrink|enlarg|size|zoom|reduc|downsiz|upsiz|magnif")
_FRACTION_WORDS = re.compile(
    r"\b(half|halve[sd]?|quarter|third|double[sd]?|twice|triple[sd]?|thrice|quadruple[sd]?)\b"
    r"(?:[\s-]*(?:of\s+)?(?:as\s+|the\s+|its\s+)?(wide|width|wider|tall|taller|high|height))?"
)
_FRACTIONS = {"hal": 0.5, "qua": 0.25, "thi": 1 / 3, "dou": 2.0, "twi": 2.0, "tri": 3.0, "thr": 3.0}
_NUMBER_WORDS = {"two": 2.0, "three": 3.0, "four": 4.0}
_PIXELS = re.compile(r"(?<![\w.])(\d{1,5})\s*-?\s*(?:pixels?|px)\b")
_SIDE_WORDS = re.compile(
    r"\b(every\s+side|each\s+side|all\s+(?:four\s+)?(?:sides|edges)|every\s+edge|each\s+edge|all\s+around"
    r"|all\s+round|around|left|right|top|bottom|horizontally|vertically)\b"
)
_PAD_VERBS = re.compile(
    r"\b(?:pad\w*|extend\w*|expand\w*|outpaint\w*|borders?|margins?|add\w*|bands?|strips?|bars?)\b"
)
_TRIM_VERBS = re.compile(r"\b(?:crop\w*|trim\w*|cut\w*|remov\w*|shav\w*|chop\w*)\b")
_SIDES = ("left", "top", "right", "bottom")
_SEPARATORS = re.compile(r"[,;:!?]|\.(?=\s|$)|\b(?:and|then|but|while|before|after)\b")


def read_factors(text: str) -> tuple[tuple[tuple[Factor, ...], ...], list[Span]]:
    """Return the scale factors stated, one group of readings per phrase, and the phrases' spans."""
    found: list[tuple[list[Factor], Span]] = []
    for pattern in _FACTOR_PHRASES:
        for match in pattern.finditer(text):
            value = float(match.group(1))
            found.append(([(value, value)], match.span()))
    for match in _TIMES.finditer(text):
        value = _NUMBER_WORDS.get(match.group(1)) or float(match.group(1))
        value = 1 / value if match.group(2) in ("smaller", "narrower", "shorter") and value else value
        found.append(([(value, value)], match.span()))
    for match in _PERCENT.finditer(text):
        window = text[max(0, match.start() - 40) : match.end() + 30]
        if _PERCENT_CONTEXT.search(window):
            value = float(match.group(1)) / 100
            found.append(([(value, value)], match.span()))
    joint = _joint_axes(text)
    found += _fractions(text, joint[1] if joint is not None else None)
    spans_of_clauses = clauses(text)
    groups: list[tuple[Factor, ...]] = []
    spans: list[Span] = []
    if joint is not None:
        groups.append((joint[0],))
        spans.append(joint[1])
    for group, span in found:
        clause = next((text[a:b] for a, b in spans_of_clauses if a <= span[0] < b), "")
        if _AXIS_WORDS.search(clause):  # "scale the width by 2": one axis may be meant
            group = group + [(f[0], 1.0) for f in group] + [(1.0, f[1]) for f in group]
        sane = tuple(dict.fromkeys(f for f in group if 0 < f[0] <= 16 and 0 < f[1] <= 16 and f != (1.0, 1.0)))
        if sane:  # "resize to 1024" is no factor, and quantifies nothing
            groups.append(sane)
            spans.append(span)
    # One scaling is often written twice ("half size (scale 0.5)"): keep each distinct group once.
    return tuple(dict.fromkeys(groups)), spans


def _fractions(text: str, joint: Span | None) -> list[tuple[list[Factor], Span]]:
    """Fraction words, one reading group each, but for the two of the joint per-axis phrase at `joint`."""
    return [
        (_fraction(m.group(1), m.group(2)), m.span())
        for m in _FRACTION_WORDS.finditer(text)
        if joint is None or not joint[0] <= m.start() < joint[1]
    ]


def _joint_axes(text: str) -> tuple[Factor, Span] | None:
    """One fraction per axis ("half as wide and half as tall"), read together as one (x, y) factor."""
    matches = list(_FRACTION_WORDS.finditer(text))
    wide = [m for m in matches if _axis(m) == "x"]
    tall = [m for m in matches if _axis(m) == "y"]
    if len(wide) != 1 or len(tall) != 1:
        return None
    factor = (_fraction(wide[0].group(1), None)[0][0], _fraction(tall[0].group(1), None)[0][0])
    return factor, (min(wide[0].start(), tall[0].start()), max(wide[0].end(), tall[0].end()))


def _axis(match: re.Match[str]) -> str | None:
    axis = match.group(2)
    if axis is None:
        return None
    return "x" if axis.startswith("wid") else "y"


def _fraction(word: str, axis: str | None) -> list[Factor]:
    value = 4.0 if word.startswith("quad") else _FRACTIONS[word[:3]]
    if axis is not None:
        along_x = axis.startswith("wid")
        return [(value, 1.0) if along_x else (1.0, value), (value, value)]
    if value >= 1:
        return [(value, value)]
    # "the left half" keeps one side; "a quarter of the size" may mean the area (half each side).
    found = [(value, value), (value, 1.0), (1.0, value)]
    return found + [(0.5, 0.5)] if word.startswith("qua") else found


def read_paddings(text: str) -> tuple[tuple[Size, ...], list[Span]]:
    """Return the extra (width, height) per padding phrase (negative for trims), their total, and spans."""
    pads: list[Size] = []
    spans: list[Span] = []
    for match, amount, words, sentence_start in _pixel_phrases(text):
        if words is None:
            sentence = text[sentence_start : match.end() + 20]
            if not re.search(r"\b(?:pad\w*|borders?|margins?)\b", sentence):
                continue
            sides = (2, 2)  # "pad by 16 pixels", "a 10-pixel border": every side
        else:
            sides = _side_counts(words)
        pads.append(Size(amount * sides[0], amount * sides[1]))
        spans.append(match.span())
    if len(pads) > 1:
        pads.append(Size(sum(p.width for p in pads), sum(p.height for p in pads)))
    return tuple(dict.fromkeys(pads)), spans


def read_side_pixels(text: str) -> dict[str, int] | None:
    """The pixels added to each of left/top/right/bottom ("24 pixels to the left and to the right").

    None when no side is stated or one side is given two amounts; sides not named get 0.
    """
    amounts: dict[str, int] = {}
    for _, amount, words, _ in _pixel_phrases(text):
        for side in _named_sides(words or []):
            if amounts.setdefault(side, amount) != amount:
                return None
    return {side: amounts.get(side, 0) for side in _SIDES} if amounts else None


def _pixel_phrases(text: str) -> Iterator[tuple[re.Match[str], int, list[str] | None, int]]:
    """Each `N pixels` phrase of a padding or trim: (match, signed amount, side words, sentence start)."""
    for match in _PIXELS.finditer(text):
        # Phrases are short: looking at most _REACH characters around keeps long texts linear.
        low = max(0, match.start() - _REACH)
        sentence_start = (
            max(text.rfind(".", low, match.start()), text.rfind(";", low, match.start()), low - 1) + 1
        )
        sign = _pad_sign(text[sentence_start : match.start()], text[match.end() : match.end() + _REACH])
        if sign != 0:
            yield match, int(match.group(1)) * sign, _side_words(text, match, sentence_start), sentence_start


def _pad_sign(before: str, after: str) -> int:
    verbs = [(m.start(), 1) for m in _PAD_VERBS.finditer(before)]
    verbs += [(m.start(), -1) for m in _TRIM_VERBS.finditer(before)]
    if verbs:
        return max(verbs)[1]
    tail = re.split(r"[.;]", after, maxsplit=1)[0]
    if _TRIM_VERBS.search(tail):
        return -1
    return 1 if _PAD_VERBS.search(tail) else 0


def _side_words(text: str, match: re.Match[str], sentence_start: int) -> list[str] | None:
    tail = re.split(r"\d|[.;(]", text[match.end() : match.end() + 60], maxsplit=1)[0]
    head = re.split(r"\d|[.;,)]", text[sentence_start : match.start()][::-1], maxsplit=1)[0][::-1]
    for part in (tail, head):
        words = [m.group(1) for m in _SIDE_WORDS.finditer(part)]
        if words:
            return words
    return None


def _side_counts(words: Sequence[str]) -> tuple[int, int]:
    """How many sides along x and along y the side words name."""
    named = _named_sides(words)
    return sum(side in ("left", "right") for side in named), sum(side in ("top", "bottom") for side in named)


def _named_sides(words: Sequence[str]) -> list[str]:
    if any(w.startswith(("every", "each", "all", "around")) for w in words):
        return list(_SIDES)
    named = [w for w in words if w in _SIDES]
    named += ["left", "right"] if "horizontally" in words else []
    named += ["top", "bottom"] if "vertically" in words else []
    return list(dict.fromkeys(named))


def clauses(text: str) -> list[Span]:
    """Split `text` into clauses at punctuation and conjunctions, never inside parentheses."""
    depth = [0] * (len(text) + 1)
    for i, char in enumerate(text):
        depth[i + 1] = depth[i] + (char in "([") - (char in ")]")
    cuts = [m.span() for m in _SEPARATORS.finditer(text) if depth[m.start()] <= 0]
    starts = [0] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(text)]
    return [(a, b) for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]
