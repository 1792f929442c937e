"""Where a task states values: its tokens and the positions of choices, numbers, negations and points.

Shared by the task binding (`anysym.task.values`, which writes the values) and the task claims
(`anysym.task.claims`, which checks that some function takes each). Words are compared the way
the task spells them: lower case, British spellings and plurals folded ("colours" names `colors`), file
names masked as `FILE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from anysym.inference.catalog_excerpt import is_model_input
from anysym.language.catalog import InputSpec, NodeSpec
from anysym.language.flow import ParamValue
from anysym.language.validate_values import is_file_input

__all__ = [
    "GENERIC_KEYS",
    "accepts",
    "bindable_inputs",
    "choice_positions",
    "is_scale_factor",
    "name_words",
    "negation_positions",
    "number_positions",
    "numbers_by_key",
    "read_number",
    "singular",
    "stated_positions",
    "task_tokens",
]

_SPELLING = {
    "colour": "color",
    "colours": "colors",
    "neighbour": "neighbor",
    "grey": "gray",
    "centre": "center",
}
_FILLERS = frozenset({"=", ":", "of", "is", "to", "at", "a", "an", "the", "set", "with", "value", "by"})
GENERIC_KEYS = frozenset(
    {"by", "of", "to", "the", "image", "images", "value", "mode", "method", "name", "type", "amount", "size"}
)
_GENERIC_CHOICES = frozenset(
    {
        "none",
        "default",
        "auto",
        "and",
        "or",
        "disabled",
        "enabled",
        "enable",
        "disable",
        "true",
        "false",
        "center",
        "fixed",
        "simple",
        "normal_map",
    }
)
_OFF_CHOICES = ("none", "disabled", "disable", "off")
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?(?:x\d+)?|[=:(),]")
_FILE = re.compile(r"\S+\.[a-z][a-z0-9]{1,3}\b")


def task_tokens(task: str) -> list[str]:
    """Lower-case words, numbers (`12`, `0.5`, `5x5`) and punctuation of `task`, file names as `FILE`."""
    text = _FILE.sub(" FILE ", task.lower()).replace("×", "x")
    tokens = [singular(_SPELLING.get(t, t)) for t in _TOKEN.findall(text.replace("FILE", "file_"))]
    return ["FILE" if t == "file" else t for t in tokens]


def bindable_inputs(spec: NodeSpec | None) -> list[InputSpec]:
    """The literal inputs a task can state a value for: numbers, choices, switches (no files, no models)."""
    return [
        inp
        for inp in (spec.widget_inputs() if spec is not None else ())
        if inp.type in ("INT", "FLOAT", "COMBO", "BOOLEAN")
        and not is_file_input(inp)
        and not is_model_input(inp)
    ]


def is_scale_factor(inp: InputSpec) -> bool:
    """Whether `inp` takes a scale factor itself (`ImageScaleBy.scale_by`): a FLOAT named `scale...`."""
    return inp.type == "FLOAT" and inp.name.startswith("scale")


def choice_positions(inp: InputSpec, tokens: Sequence[str]) -> list[tuple[int, ParamValue]]:
    """Where the task tokens name one of `inp`'s choices ("normal mode", "nearest-neighbour"), in order."""
    if inp.type != "COMBO" or not inp.choices:
        return []
    found: list[tuple[int, ParamValue]] = []
    firsts = [(_words(str(c)) or [""])[0] for c in inp.choices]
    for choice, first in zip(inp.choices, firsts, strict=True):
        words = _words(str(choice))
        if not words or str(choice).lower() in _GENERIC_CHOICES or len(str(choice)) < 3:
            continue
        found.extend((position, choice) for position in _find(tokens, words))
        if len(words) > 1 and len(first) >= 5 and firsts.count(first) == 1:  # "nearest-neighbour"
            found.extend((position, choice) for position in _find(tokens, [first]))
        if len(words) == 1 and len(first) >= 4:  # "a 5x5 erosion" names `erode`
            found.extend((i, choice) for i, token in enumerate(tokens) if first in _verb_forms(token))
    return sorted(set(found), key=lambda item: item[0])


def _verb_forms(noun: str) -> set[str]:
    """The verbs a noun or gerund may come from: erosion -> erode, dilation -> dilate, closing -> close."""
    if noun.endswith("sion"):
        return {noun[:-4] + "de", noun[:-3] + "e"}
    if noun.endswith("ation"):
        return {noun[:-5] + "ate", noun[:-5] + "e"}
    if noun.endswith("ing") and len(noun) > 5:
        return {noun[:-3], noun[:-3] + "e"}
    return set()


def number_positions(
    inp: InputSpec, tokens: Sequence[str], *, whole_name: bool = False
) -> list[tuple[int, ParamValue]]:
    """Where a number stands next to a word of `inp`'s name ("radius 4"), for its first key that finds one.

    `whole_name`: only next to all of the name's words ("blend factor 0.6", not "factor 0.6").
    """
    found = numbers_by_key(inp, tokens, whole_name=whole_name)
    return found[1] if found is not None else []


def numbers_by_key(
    inp: InputSpec, tokens: Sequence[str], *, whole_name: bool = False
) -> tuple[str, list[tuple[int, ParamValue]]] | None:
    """The numbers next to `inp`'s name (all its words, then each distinctive one), with the key used."""
    if inp.type not in ("INT", "FLOAT"):
        return None
    parts = _words(inp.name)
    keys = [parts] if len(parts) > 1 or whole_name else []
    keys += [] if whole_name else [[part] for part in parts if part not in GENERIC_KEYS and len(part) >= 1]
    for key in keys:
        near = (_number_near(tokens, position, len(key)) for position in _find(tokens, key))
        values: list[tuple[int, ParamValue]] = [found for found in near if found is not None]
        if values:
            return f"number:{' '.join(key)}", values
    return None


def _number_near(tokens: Sequence[str], position: int, width: int) -> tuple[int, float] | None:
    """The number right after the key (fillers such as `=`, `of`, `to` skipped) or right before it."""
    after = position + width
    while after < len(tokens) and after - position - width < 3 and tokens[after] in _FILLERS:
        after += 1
    if after < len(tokens) and (value := read_number(tokens[after])) is not None:
        return after, value
    if position > 0 and (value := read_number(tokens[position - 1])) is not None:
        return position - 1, value
    return None


def read_number(token: str) -> float | None:
    """A token's number: `4`, `0.5`, or one side of a square `5x5`; None for anything else."""
    square = re.fullmatch(r"(\d+)x(\d+)", token)
    if square:  # "a 5x5 kernel" states one side
        return float(square.group(1)) if square.group(1) == square.group(2) else None
    return float(token) if re.fullmatch(r"\d+(?:\.\d+)?", token) else None


def stated_positions(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """The `at (16, 16)` / `at 64, 48` positions the task tokens state, in order."""
    return [(int(x), int(y)) for x, y in re.findall(r"\bat (?:\( )?(\d+) , (\d+)", " ".join(tokens))]


def negation_positions(inp: InputSpec, tokens: Sequence[str]) -> list[tuple[int, ParamValue]]:
    """Where the task switches `inp` off ("no feathering", "without any dithering"), with its off value."""
    stem = inp.name.lower()
    off = _off_value(inp)
    if len(stem) < 5 or off is None:
        return []
    found: list[tuple[int, ParamValue]] = []
    for i, token in enumerate(tokens[:-1]):
        following = i + 2 if tokens[i + 1] == "any" and i + 2 < len(tokens) else i + 1  # "without any"
        if token in ("no", "without") and tokens[following].startswith(stem[:6]):
            found.append((following, off))
    return found


def _off_value(spec: InputSpec) -> ParamValue:
    if spec.type == "BOOLEAN":
        return False
    if spec.type in ("INT", "FLOAT") and (spec.min is None or spec.min <= 0):
        return 0 if spec.type == "INT" else 0.0
    if spec.type == "COMBO":
        return next((c for c in spec.choices or () if str(c).lower() in _OFF_CHOICES), None)
    return None


def accepts(spec: InputSpec, value: ParamValue) -> bool:
    """Whether `spec` takes `value` as stated: a listed choice, or a number of its type within its range."""
    if spec.type == "COMBO":
        return value in (spec.choices or ())
    if not isinstance(value, float):
        return False
    if spec.type == "INT" and not value.is_integer():
        return False
    return (spec.min is None or value >= spec.min) and (spec.max is None or value <= spec.max)


def name_words(name: str) -> list[str]:
    """The words of an input or choice name as the task tokens spell them (`blend_mode` -> blend, mode)."""
    return _words(name)


def _words(name: str) -> list[str]:
    return [singular(_SPELLING.get(w, w)) for w in re.findall(r"[a-z]+|\d+", name.lower())]


def singular(word: str) -> str:
    """`colors` -> `color`, so "4 colours" names the `colors` input (and "8 steps" `steps`)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _find(tokens: Sequence[str], words: Sequence[str]) -> Iterator[int]:
    """Positions where `words` occur as consecutive tokens (`-` and `_` split words in both)."""
    width = len(words)
    for i in range(len(tokens) - width + 1):
        if list(tokens[i : i + width]) == list(words):
            yield i
