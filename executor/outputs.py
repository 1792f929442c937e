"""Output files of a finished prompt: which history items to fetch and where to save them safely.

Server-supplied names are never trusted: only the last path component is kept, unusual characters are
replaced, dot-only names get a fallback, and an existing file gets a numbered sibling instead of being
overwritten. Files land in `out_dir/<function id>/<filename>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

TextPath = Annotated[Path, PlainSerializer(str, return_type=str)]
"""A path field dumped as text: a LangGraph server reads checkpointed state without anysym's types, and a
`Path` would reach its clients as a list of path parts."""

OutputKind = Literal["image", "video", "audio", "latent", "text", "mesh", "file"]

SUFFIX_KINDS: dict[str, OutputKind] = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"), "image"),
    **dict.fromkeys((".mp4", ".webm", ".gif", ".mov", ".mkv", ".avi"), "video"),
    **dict.fromkeys((".flac", ".wav", ".mp3", ".ogg", ".opus", ".m4a"), "audio"),
    **dict.fromkeys((".glb", ".gltf", ".obj", ".ply", ".stl", ".fbx"), "mesh"),
    ".latent": "latent",
    ".txt": "text",
}
PICTURE_SUFFIXES = frozenset({*(suffix for suffix, kind in SUFFIX_KINDS.items() if kind == "image"), ".gif"})
"""Files read as pictures (pixel size, frames): the image kind plus GIF, an animation as an output kind."""
FETCHED_TYPES = frozenset({"output", "temp"})
"""Item types worth downloading (`input` items only echo what was uploaded)."""
UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._ +=@-]")
MAX_NAME = 150


class OutputFile(BaseModel):
    """One file a flow produced, saved locally: which function made it, where it is, what it is.

    The one shape the executor returns, a run's `Result` records and the bench's results store.
    """

    model_config = ConfigDict(frozen=True)

    function_id: str = ""
    path: TextPath
    kind: OutputKind = "image"
    filename: str = ""


def collect_output_items(outputs: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield `(function id, key, item)` for each downloadable file or text in a history `outputs` dict.

    File items carry `filename`/`subfolder`/`type`; texts (e.g. PreviewString) become `{"text": ...}`.
    """
    if not isinstance(outputs, dict):
        return
    for function_id, node_output in outputs.items():
        if not isinstance(node_output, dict):
            continue
        for key, items in node_output.items():
            for item in items if isinstance(items, list) else ():
                if isinstance(item, str) and key in ("string", "text"):
                    yield str(function_id), str(key), {"text": item}
                elif (
                    isinstance(item, dict)
                    and isinstance(item.get("filename"), str)
                    and item.get("type", "output") in FETCHED_TYPES
                ):
                    yield str(function_id), str(key), {**item, "type": item.get("type", "output")}


def safe_name(name: str, fallback: str) -> str:
    """A file or folder name that cannot escape its directory (`../../x` -> `x`, `..` -> fallback)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = UNSAFE_CHARS.sub("_", last).strip(" .")
    return cleaned[-MAX_NAME:] if cleaned else fallback


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem_N.suffix` with the smallest N that does not exist yet."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while candidate.exists():
        candidate = folder / f"{stem}_{number}{suffix}"
        number += 1
    return candidate


def output_kind(key: str, filename: str, item: dict[str, Any]) -> OutputKind:
    """Classify an output by its history key and file suffix."""
    if "text" in item:
        return "text"
    if key == "latents":
        return "latent"
    kind = SUFFIX_KINDS.get(Path(filename).suffix.lower())
    if kind is None:
        return "video" if key in ("gifs", "videos") else "file"
    if key in ("gifs", "videos") and kind == "image":
        return "video"
    return kind


def save_output(
    out_dir: Path, function_id: str, key: str, item: dict[str, Any], content: bytes
) -> OutputFile:
    """Write one downloaded item under `out_dir/<function id>/` without overwriting anything."""
    folder = out_dir / safe_name(function_id, "function")
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_name(str(item.get("filename") or f"{key}.txt"), f"{key}.out")
    while True:
        path = unique_path(folder, name)
        try:
            with path.open("xb") as sink:  # exclusive: a concurrent writer never gets overwritten
                sink.write(content)
            break
        except FileExistsError:
            continue
    return OutputFile(
        function_id=function_id, path=path, kind=output_kind(key, name, item), filename=path.name
    )
