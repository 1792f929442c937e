"""Checking one literal parameter value against its catalog input spec (type, range, choices, file name).

ComfyUI's own `validate_inputs` casts INT with `int()`, FLOAT with `float()` and STRING with `str()`, then
checks `min`/`max` and combo membership; it never checks BOOLEAN. anysym accepts what those casts accept
(so `"512"` for an INT passes, as on the server) but is stricter where the server silently does the wrong
thing: a bool for a number, a non-integral float for an INT (the server truncates 3.7 to 3), a non-bool
for a BOOLEAN (the node would read the string "false" as true), a non-finite number.
"""

from __future__ import annotations

import difflib
import math
import re

from anysym.language.catalog import InputSpec
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import ParamValue
from anysym.language.types import is_any

_Finding = tuple[DiagnosticKind, str, str | None]
"""A problem found in a value: kind, message, hint."""

MAX_CHOICES_SHOWN = 12
"""How many choices a message lists before it says how many more there are."""

_DRIVE = re.compile(r"^[A-Za-z]:")

OUTPUT_PREFIX_INPUT = "filename_prefix"
"""The input every ComfyUI saver names its files by, relative to the server's output directory."""


def where(function_id: str, node_type: str, port: str) -> str:
    """Name an input for a message: `input "x" of function "f" (Type)`."""
    return f'input "{port}" of function "{function_id}" ({node_type})'


def article(type_name: str) -> str:
    """Prefix a type name with "a" or "an" (`an IMAGE`, `a LATENT`)."""
    return f"{'an' if type_name[:1].upper() in 'AEIOU' else 'a'} {type_name}"


def show(value: ParamValue) -> str:
    """Render a value briefly for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def trimmed_choices(choices: tuple[ParamValue, ...], near: object = None) -> str:
    """List choices for a message, the ones closest to `near` first, at most `MAX_CHOICES_SHOWN`."""
    names = [str(c) for c in choices]
    if len(names) > MAX_CHOICES_SHOWN and isinstance(near, str):
        close = difflib.get_close_matches(near, names, n=MAX_CHOICES_SHOWN // 2, cutoff=0.4)
        names = close + [n for n in names if n not in close]
    shown = ", ".join(names[:MAX_CHOICES_SHOWN])
    extra = len(names) - MAX_CHOICES_SHOWN
    return f"{shown} (and {extra} more)" if extra > 0 else shown


def is_file_input(spec: InputSpec) -> bool:
    """Whether a COMBO lists files of the server's input directory (LoadImage, LoadLatent...).

    Such inputs name files that anysym uploads right before queueing, so any safe file name is accepted:
    `image_upload` inputs always, and other non-model combos whose snapshot list is empty.
    """
    if spec.type != "COMBO":
        return False
    if spec.options.get("image_upload"):
        return True
    return not spec.choices and not spec.is_model_file


def check_value(function_id: str, node_type: str, spec: InputSpec, value: ParamValue) -> Diagnostic | None:
    """Return the problem with giving `value` to input `spec`, or None when the server will accept it."""
    return _diagnostic(function_id, spec, _find(spec, value, where(function_id, node_type, spec.name)))


def path_problem(function_id: str, node_type: str, spec: InputSpec, value: ParamValue) -> Diagnostic | None:
    """The problem with a file name or output prefix that leaves the server's folders, else None.

    The one check the executor repeats on every prompt it sends, validated or not: the 2024 server reads
    input files from anywhere on its machine when given an absolute or `../` name.
    """
    at = where(function_id, node_type, spec.name)
    if spec.type == "COMBO" and is_file_input(spec) and isinstance(value, str) and value.strip():
        finding = _check_file_name(value, at)
    elif spec.type == "STRING" and spec.name == OUTPUT_PREFIX_INPUT:
        finding = _check_output_prefix(value, at)
    else:
        return None
    return _diagnostic(function_id, spec, finding)


def _diagnostic(function_id: str, spec: InputSpec, finding: _Finding | None) -> Diagnostic | None:
    if finding is None:
        return None
    kind, message, hint = finding
    return Diagnostic(kind=kind, message=message, function=function_id, port=spec.name, hint=hint)


def _find(spec: InputSpec, value: ParamValue, at: str) -> _Finding | None:
    if isinstance(value, list):
        return _problem(
            DiagnosticKind.WRONG_VALUE_TYPE,
            f"{at} got the list {show(value)}; ComfyUI reads a list value as a link, "
            f"so give one {spec.type} value or connect an output to it",
        )
    if value is None:
        return _problem(
            DiagnosticKind.WRONG_VALUE_TYPE,
            f"{at} got null; give {article(spec.type)} value, or drop the parameter to use the default",
        )
    kind = spec.type
    if kind in ("INT", "FLOAT"):
        return _check_number(spec, value, at)
    if kind == "STRING":
        if isinstance(value, bool):
            return _problem(DiagnosticKind.WRONG_VALUE_TYPE, f"{at} got {show(value)}; write a quoted string")
        return _check_output_prefix(value, at) if spec.name == OUTPUT_PREFIX_INPUT else None
    if kind == "BOOLEAN":
        if not isinstance(value, bool):
            return _problem(
                DiagnosticKind.WRONG_VALUE_TYPE, f"{at} got {show(value)}; write true or false (unquoted)"
            )
        return None
    if kind == "COMBO":
        return _check_choice(spec, value, at)
    if is_any(kind):
        return None
    return _problem(
        DiagnosticKind.WRONG_VALUE_TYPE,
        f"{at} takes a link from {article(kind)} output, not the value {show(value)}; "
        f"remove the value and connect {article(kind)} output to it",
    )


def _problem(kind: DiagnosticKind, message: str, hint: str | None = None) -> _Finding:
    return (kind, message, hint)


def _check_number(spec: InputSpec, value: ParamValue, at: str) -> _Finding | None:
    number = _as_int(value) if spec.type == "INT" else _as_float(value)
    if number is None:
        example = (
            spec.default if isinstance(spec.default, int | float) else (1 if spec.type == "INT" else 1.0)
        )
        if spec.type == "INT" and isinstance(value, float) and math.isfinite(value):
            what = f"write a whole number such as {math.floor(value)} or {math.ceil(value)}"
        else:
            what = f"write {'a whole number' if spec.type == 'INT' else 'a finite number'} such as {example}"
        return _problem(
            DiagnosticKind.WRONG_VALUE_TYPE, f"{at} needs {spec.type} but got {show(value)}; {what}"
        )
    low, high = spec.min, spec.max
    if (low is not None and number < low) or (high is not None and number > high):
        allowed = bounds(low, high)
        return _problem(
            DiagnosticKind.VALUE_OUT_OF_RANGE,
            f"{at} got {show(value)}, outside the allowed range {allowed}; use a value in {allowed}",
        )
    return None


def bounds(low: float | None, high: float | None) -> str:
    """Render a numeric range as `[low, high]` (`-inf`/`inf` for a missing bound)."""
    left = "-inf" if low is None else _num(low)
    right = "inf" if high is None else _num(high)
    return f"[{left}, {right}]"


def _num(x: float) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _as_int(value: ParamValue) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _as_float(value: ParamValue) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _check_choice(spec: InputSpec, value: ParamValue, at: str) -> _Finding | None:
    if is_file_input(spec):
        return _check_file_name(value, at)
    choices = spec.choices or ()
    if value in choices:
        return None
    if spec.is_model_file:
        installed = trimmed_choices(choices, value) if choices else "none"
        return _problem(
            DiagnosticKind.VALUE_NOT_IN_LIST,
            f"{at} got {show(value)}: model file not installed on the server; installed: {installed}",
            "use an installed file, or install the model on the server"
            if choices
            else "install a model file for this loader on the server, or build the flow without it",
        )
    if not choices:
        return _problem(
            DiagnosticKind.VALUE_NOT_IN_LIST,
            f"{at} got {show(value)}, but the server offers no choices for it; use another node type",
        )
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return _problem(
        DiagnosticKind.VALUE_NOT_IN_LIST,
        f"{at} got {show(value)}, which is not a choice; use one of: {trimmed_choices(choices, value)}",
        f"did you mean {close[0]!r}?" if close else None,
    )


def _leaves_folder(name: str) -> bool:
    """Whether a relative file path, as the server joins it to one of its folders, ends up outside it."""
    parts = [part for part in re.split(r"[\\/]", name) if part not in ("", ".")]
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else 1
        if depth < 0:
            return True
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name))


def _check_output_prefix(value: ParamValue, at: str) -> _Finding | None:
    # The 2024 server accepts such a prefix when queueing and refuses to save at run time, after the
    # whole flow has run: caught here, the refinement loop can fix it before anything is spent.
    if isinstance(value, str) and _leaves_folder(value):
        return _problem(
            DiagnosticKind.INVALID_OUTPUT_PATH,
            f"{at} got the path {show(value)}, which leaves the server's output directory; "
            "give a plain prefix such as 'anysym' or a subfolder such as 'edits/photo'",
        )
    return None


def _check_file_name(value: ParamValue, at: str) -> _Finding | None:
    if not isinstance(value, str) or not value.strip():
        return _problem(
            DiagnosticKind.WRONG_VALUE_TYPE,
            f"{at} got {show(value)}; give the input file's name as a string, e.g. 'photo.png'",
        )
    name = value.removesuffix(" [input]").strip()
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
        return _problem(
            DiagnosticKind.INVALID_INPUT_FILE,
            f"{at} got the path {show(value)}, which leaves the server's input directory; "
            "give a plain file name such as 'photo.png' (anysym uploads the file before running)",
        )
    return None
