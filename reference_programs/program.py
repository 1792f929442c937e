"""One reference program: a flow in declarative A-Language plus what it does, for whom and with what.

A program file (`<id>.alang`) starts with a header of comment lines, so the whole file is still a valid
declarative program (`anysym convert` reads it as is)::

    # title: Text to image (Stable Diffusion 1.5)
    # category: text-to-image
    # inputs: text
    # outputs: image
    # models: tiny_sd15_a.safetensors
    # catalogs: models
    # description: Draws one picture from a text prompt ...
    #   (continuation lines are indented by two or more spaces)
    # use when: someone asks for a picture of something | ...
    workflow.add_node("loader", "CheckpointLoaderSimple", {...})

`inputs`, `outputs`, `models` and `catalogs` are comma-separated; `use when` phrases are separated by `|`.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from anysym.errors import ALangSemanticError
from anysym.language.flow import Flow
from anysym.language.syntax import parse

__all__ = [
    "CATEGORIES",
    "MODALITIES",
    "Category",
    "Modality",
    "ReferenceProgram",
    "parse_header",
]

Category = Literal[
    "text-to-image",
    "inpaint",
    "outpaint",
    "image-merge",
    "novel-view-synthesis",
    "model-merge",
    "image-to-3d",
    "text-to-audio",
    "multi-view-images",
    "image-to-video",
    "text-to-video",
    "text-to-3d",
    "image-editing",
    "other",
]
"""The paper's 12 task categories, plus model-free `image-editing` and `other` (users' programs)."""

CATEGORIES: tuple[Category, ...] = get_args(Category)

Modality = Literal["text", "image", "mask", "video", "audio", "3d", "model", "latent"]
"""What a program takes or produces; `model` is a checkpoint file (model merge), `latent` a .latent file."""

MODALITIES: tuple[Modality, ...] = get_args(Modality)

_KEY = re.compile(r"^#\s?([a-z][a-z _]*):\s*(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
_LIST_KEYS = {"inputs", "outputs", "models", "catalogs"}
_KNOWN_KEYS = _LIST_KEYS | {"id", "title", "category", "description", "use when"}


class ReferenceProgram(BaseModel):
    """A curated (or user-supplied) program the inference engine can be shown as an example."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    title: str
    description: str
    """What the program does and when to use it (plain prose)."""
    category: Category
    input_modalities: tuple[Modality, ...]
    output_modalities: tuple[Modality, ...]
    node_types: tuple[str, ...]
    """Distinct node types of the flow, sorted."""
    models: tuple[str, ...] = ()
    """Model files the program loads (must exist on the server that runs it)."""
    catalogs: tuple[str, ...] = ()
    """Names of the catalog fragments (`reference_programs/catalogs/<name>.json`) it needs."""
    use_when: tuple[str, ...] = ()
    """Short typical requests this program answers."""
    source: str
    """The flow in declarative A-Language (header comments included)."""
    origin: str = "builtin"
    """Where it came from: `builtin` or the file path of a user's program."""

    def flow(self) -> Flow:
        """Parse the source into a Flow (raises `ALangError` when the source is broken)."""
        return parse(self.source, "declarative")

    def document(self) -> str:
        """The compact text shown to a language model: header facts plus the flow."""
        facts = [
            f"# {self.title} ({self.category})",
            f"# {self.description}",
            f"# inputs: {', '.join(self.input_modalities) or '-'}; "
            f"outputs: {', '.join(self.output_modalities) or '-'}",
        ]
        body = [
            line for line in self.source.splitlines() if line.strip() and not line.lstrip().startswith("#")
        ]
        return "\n".join([*facts, *body]) + "\n"


def parse_header(text: str) -> dict[str, str]:
    """Read the leading `# key: value` comment block of a program file (keys lower-cased)."""
    header: dict[str, str] = {}
    key: str | None = None
    for line in text.splitlines():
        stripped = line.rstrip()
        if not stripped.startswith("#"):
            break
        continuation = _CONTINUATION.match(stripped)
        if continuation and key is not None:
            header[key] = f"{header[key]} {continuation.group(1)}".strip()
            continue
        match = _KEY.match(stripped)
        key = match.group(1).strip() if match else None
        if match and key in _KNOWN_KEYS:
            header[key] = match.group(2).strip()
        elif match:
            raise ALangSemanticError(
                f"unknown header key {key!r}; use one of {', '.join(sorted(_KNOWN_KEYS))}"
            )
    return header


def split_list(value: str, separator: str = ",") -> tuple[str, ...]:
    """Split a header list value, dropping blanks."""
    return tuple(item.strip() for item in value.split(separator) if item.strip())
