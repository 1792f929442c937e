"""The catalog excerpt shown in prompts: which node types matter, as compact one-line signatures."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from anysym.language.catalog import MODEL_FILE_SUFFIXES, Catalog, InputSpec, NodeSpec
from anysym.language.flow import ParamValue

__all__ = [
    "counterparts",
    "installed_models",
    "is_model_input",
    "select_types",
    "signature",
    "types_named_in",
]

MAX_CHOICES = 10
"""How many COMBO choices a signature lists before `...`."""
OPEN_BOUND = 4000
"""A compact signature leaves out a range bound this large or larger (16384 pixels, 4096 frames, 2**64
seeds): no task's value reaches it, validation still checks it, and the model's tokenizer spends one
token per digit on it (a third of a size node's signature)."""

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,}")
_FILE = re.compile(r"\S+\.[A-Za-z0-9]{2,4}\b")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_MODALITY_WORDS = frozenset({"image", "mask", "latent", "audio", "video"})
"""Name words that say which kind of data a node type works on."""
_STOP = frozenset(
    "this that then than with into from them they their there where which while make turn give "
    "image images photo picture input output file result each both also only over under your".split()
)


def select_types(
    catalog: Catalog,
    *,
    task: str,
    first: Iterable[str] = (),
    examples: Iterable[str] = (),
    suggested: Iterable[str] = (),
    aside: Iterable[str] = (),
    io: Iterable[str] = ("SaveImage",),
    limit: int = 24,
    modality_names: bool = True,
) -> list[str]:
    """Pick the node types a prompt shows, most important first, known to `catalog`, at most `limit`.

    Order: `first` (key functions, the current flow's types and suggestions), the retrieved programs'
    types, node types the task names literally, the `io` loaders and savers of the task's kinds, the
    node-search `suggested` types, then node types whose names contain a task word, then the types of
    the retrieved programs set `aside` as off-task (lowest priority, cut first by `limit`: a step the
    node search missed may still be among them). Suggested, name-related and aside types are kept only
    within the modalities of the others, with their counterparts in those modalities. Without
    `modality_names`, a task word that only names a kind of data ("latent", "mask") relates no type: it
    would pull in every operation on that kind.
    """
    words = _WORD.findall(_FILE.sub(" ", task))
    mentioned = [word for word in words if word in catalog]
    anchors = [*first, *examples, *mentioned, *io]
    operation_words = words if modality_names else [w for w in words if w.lower() not in _MODALITY_WORDS]
    found = [*suggested, *_related(catalog, operation_words), *aside]
    ordered = [*anchors, *_within_modalities(catalog, [name for name in found if name in catalog], anchors)]
    known = [name for name in dict.fromkeys(ordered) if name in catalog]
    return known[:limit]


def _related(catalog: Catalog, words: list[str]) -> list[str]:
    """Node types whose name contains a task word of 4+ letters (e.g. "invert" -> ImageInvert)."""
    stems = {w.lower()[:6] for w in words if len(w) >= 4 and w.lower() not in _STOP}
    return sorted(name for name in catalog if any(stem in name.lower() for stem in stems))


def _within_modalities(catalog: Catalog, candidates: list[str], anchors: Sequence[str]) -> list[str]:
    """Keep the candidates whose link types all occur in the anchor types' sockets.

    Name matches alone pull in look-alikes from other modalities ("scale" -> LatentUpscale, RescaleCFG)
    that confuse small models; an image edit keeps only IMAGE/MASK-typed candidates.
    """
    socket_types = {t for name in anchors if name in catalog for t in _link_types(catalog[name])}
    table = _names_by_words(catalog)
    kept: list[str] = []
    for name in candidates:
        fitting = [name, *_counterparts(table, name)]
        kept.extend(other for other in fitting if _link_types(catalog[other]) <= socket_types)
    return kept


def counterparts(catalog: Catalog, name: str) -> list[str]:
    """The same operation in the other modalities: `name` with its modality word swapped.

    A step's search often finds the operation in the wrong modality ("keep only the central region"
    -> CropMask, "paste onto a canvas" -> LatentCompositeMasked) where the task's modality has it
    under the same words (ImageCrop, ImageCompositeMasked); word order does not matter.
    """
    return _counterparts(_names_by_words(catalog), name)


def _counterparts(table: dict[frozenset[str], list[str]], name: str) -> list[str]:
    words = _name_words(name)
    found: list[str] = []
    for word in words & _MODALITY_WORDS:
        for other in sorted(_MODALITY_WORDS - {word}):
            found.extend(c for c in table.get((words - {word}) | {other}, ()) if c != name)
    return found


def _names_by_words(catalog: Catalog) -> dict[frozenset[str], list[str]]:
    table: dict[frozenset[str], list[str]] = {}
    for candidate in catalog:
        table.setdefault(_name_words(candidate), []).append(candidate)
    return table


def _name_words(name: str) -> frozenset[str]:
    return frozenset(word.lower() for word in _CAMEL.findall(name))


def _link_types(spec: NodeSpec) -> set[str]:
    inputs = {i.type for i in spec.socket_inputs()}
    return inputs | {o.type for o in spec.outputs}


def signature(spec: NodeSpec, gist: str | None = None, *, compact: bool = False) -> str:
    """Render `Name(input: TYPE, widget: INT=512 [1..16384], ...) -> NAME: TYPE, ...` on one line.

    `gist` (what the node does, one line) follows as `  # gist`. `compact`: an output named like its
    type is written once (`-> IMAGE`) and range bounds from `OPEN_BOUND` on are left out (`[1..]`).
    """
    inputs = ", ".join(_input(i, compact) for i in spec.visible_inputs())
    outputs = ", ".join(_output(o.name, o.type, compact) for o in spec.outputs) or "nothing"
    sink = "  (output node: saves or shows its result)" if spec.output_node else ""
    doc = f"  # {gist}" if gist else ""
    return f"{spec.name}({inputs}) -> {outputs}{sink}{doc}"


def _output(name: str, kind: str, compact: bool) -> str:
    return name if compact and name == kind else f"{name}: {kind}"


def _input(spec: InputSpec, compact: bool) -> str:
    name = spec.name if spec.section == "required" else f"{spec.name}?"
    if spec.options.get("image_upload") or spec.options.get("upload"):
        kind = "INPUT_FILE_NAME"  # the server's own upload folder is noise: the task's files are listed
    elif spec.type == "COMBO":
        kind = "MODEL_FILE" if is_model_input(spec) else _choices(spec.choices or ())
    else:
        kind = spec.type
    text = f"{name}: {kind}"
    if spec.default is not None and not is_model_input(spec):
        text += f"={_literal(spec.default)}"
    low, high = (None if compact and _open(b) else b for b in (spec.min, spec.max))
    if low is not None or high is not None:
        text += f" [{_num(low)}..{_num(high)}]"
    return text


def _open(bound: float | None) -> bool:
    return bound is not None and abs(bound) >= OPEN_BOUND


def _choices(choices: Sequence[ParamValue]) -> str:
    shown = [_literal(c) for c in choices[:MAX_CHOICES]]
    if len(choices) > MAX_CHOICES:
        shown.append(f"... {len(choices) - MAX_CHOICES} more")
    return "one of " + "|".join(shown) if shown else "FILE_NAME"


def _literal(value: ParamValue) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def is_model_input(spec: InputSpec) -> bool:
    """Whether `spec` picks a model file on the server (choices that look like files, or none listed)."""
    if not spec.is_model_file:
        return False
    choices = spec.choices or ()
    return not choices or any(str(c).lower().endswith(MODEL_FILE_SUFFIXES) for c in choices)


def installed_models(catalog: Catalog, types: Iterable[str]) -> list[str]:
    """Return `input_name: file, file, ...` lines for the model-file inputs of `types`."""
    found: dict[str, list[str]] = {}
    for name in types:
        spec = catalog.get(name)
        for inp in spec.visible_inputs() if spec else ():
            if is_model_input(inp):
                found.setdefault(inp.name, [])
                found[inp.name].extend(str(c) for c in inp.choices or () if str(c) not in found[inp.name])
    return [f"{name}: {', '.join(files) if files else '(none installed)'}" for name, files in found.items()]


def types_named_in(text: str, catalog: Catalog) -> list[str]:
    """Return the catalog node types written in `text` (e.g. a program), in first-use order."""
    return list(dict.fromkeys(w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if w in catalog))
