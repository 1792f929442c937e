"""The final image sizes a task makes plausible, and the one it makes sure, from its wording and its inputs.

A size stated as a result ("to 128x96", "a 64x64 image"), every input's size scaled by the stated
factors and padded by the stated paddings (in either order, rounded every way), and the one size that is
certain: a single stated target, a kept input's size ("keeping the size of photo.png"). Unsure: none.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence

from anysym.verify.input_facts import InputFact
from anysym.verify.media import Size
from anysym.verify.wording import DESTINATION_NOUNS, RESIZE_WORDS, Wording

__all__ = ["candidate_sizes", "strict_size"]

_MAX_FACTORS = 4
_ONTO = re.compile(r"\b(?:onto|on\s+to|on\s+top\s+of|over|into)\s+(?:the\s+)?file(\d+)\b")


def candidate_sizes(wording: Wording, facts: Sequence[InputFact]) -> dict[Size, str]:
    """Every plausible final size and how it arises; empty when the task leaves the size open."""
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


def _paste_destination(wording: Wording, facts: Sequence[InputFact]) -> InputFact | None:
    """The one input pasted or blended onto ("paste it onto photo.png") when nothing is sized after it.

    The result of a composite keeps its destination's size: "cut the 64x64 patch out of texture.png and
    paste it onto portrait.png" ends at portrait.png's size, which the 0.5B's answer with the two
    pictures' places swapped missed. Any resize word after the phrase ("then crop ...") withdraws it.
    """
    found = list(_ONTO.finditer(wording.text))
    indexes = {int(match.group(1)) for match in found}
    if len(indexes) != 1 or RESIZE_WORDS.search(wording.text, found[-1].end()):
        return None
    index = indexes.pop()
    fact = facts[index] if index < len(facts) else None
    return fact if fact is not None and fact.size is not None else None


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


def strict_size(wording: Wording, facts: Sequence[InputFact]) -> tuple[Size | None, str | None]:
    """The one final size the task makes sure, and the input it is kept from (None: stated); else None."""
    if not wording.size_known or wording.factors or wording.paddings:
        return None, None
    if not any(s.target for s in wording.sizes) and (pasted := _paste_destination(wording, facts)):
        return pasted.size, pasted.name
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
