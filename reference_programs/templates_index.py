"""Comfy-Org's workflow-templates index as program metadata: a templates folder works as a library.

The official templates (`comfyui-workflow-templates`, and its `-json` repackaging) ship one UI workflow
per template beside `index.json`: a list of categories, each with `templates` entries (`name` = the
workflow's file stem, `title`, `description`, `tags`, `models`). In such a folder the programs are exactly
the templates the index lists, described by it; the other files (translated indexes, the schema, search
settings) are not programs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from anysym.reference_programs.program import CATEGORIES, MODALITIES

__all__ = ["TEMPLATES_INDEX", "templates_index"]

TEMPLATES_INDEX = "index.json"

_TAG_CATEGORIES = {"inpainting": "inpaint", "outpainting": "outpaint", "image-edit": "image-editing"}
"""Template tags whose slug differs from the category they name."""


def templates_index(folder: Path) -> dict[str, dict[str, str]] | None:
    """Template name -> program header (title, description, category, use when, models, inputs, outputs).

    None when `folder` holds no templates index (an unreadable or differently shaped `index.json` is none).
    """
    try:
        data = json.loads((folder / TEMPLATES_INDEX).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, list) or not all(_is_category(entry) for entry in data):
        return None
    headers: dict[str, dict[str, str]] = {}
    for entry in data:
        for template in entry["templates"]:
            if isinstance(template, Mapping) and isinstance(template.get("name"), str):
                headers.setdefault(template["name"], _header(template))
    return headers


def _is_category(entry: Any) -> bool:
    return isinstance(entry, Mapping) and isinstance(entry.get("templates"), list)


def _header(template: Mapping[str, Any]) -> dict[str, str]:
    tags = _strings(template.get("tags"))
    header = {
        "title": str(template.get("title") or ""),
        "description": " ".join(str(template.get("description") or "").split()),
        "category": _category(tags),
        "use when": " | ".join(tag for tag in tags if tag != "API"),
        "models": ", ".join(_strings(template.get("models"))),
        "inputs": _media(template, "inputs"),
        "outputs": _media(template, "outputs"),
    }
    return {key: value for key, value in header.items() if value}


def _media(template: Mapping[str, Any], side: str) -> str:
    """The modalities the index's `io` names for one side (`inputs` or `outputs`); "" when it names none.

    The flow's own node types say this too, but not for node types the catalog lacks (API nodes).
    """
    io = template.get("io")
    entries = io.get(side) if isinstance(io, Mapping) else None
    kinds = {str(e.get("mediaType")) for e in entries or () if isinstance(e, Mapping)}
    return ", ".join(sorted(kinds & set(MODALITIES)))


def _strings(value: Any) -> list[str]:
    return (
        [str(item) for item in value if isinstance(item, str | int | float)]
        if isinstance(value, list)
        else []
    )


def _category(tags: Sequence[str]) -> str:
    """The first tag that names one of anysym's categories ("Text to Image" -> text-to-image), else other."""
    for tag in tags:
        slug = re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")
        slug = _TAG_CATEGORIES.get(slug, slug)
        if slug in CATEGORIES:
            return slug
    return "other"
