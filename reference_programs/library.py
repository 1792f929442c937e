"""Load the reference-program library: the built-in programs plus users' folders (A-Language or ComfyUI JSON).

A user folder may hold `.alang` files (any of the three syntaxes, with or without the header described in
`anysym.reference_programs.program`) and ComfyUI API or UI workflow `.json` files, converted on import;
a sidecar `<stem>.meta.json` (`title`, `description`, `category`, `inputs`, `outputs`, `use_when`) gives a
JSON program its metadata. A folder of Comfy-Org's official templates (with their `index.json`) holds the
templates its index lists, described by it (`anysym.reference_programs.templates_index`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from anysym.errors import AnysymError, RetrievalError, first_problem
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import from_api, is_api_prompt, is_ui_workflow
from anysym.language.flow import Flow
from anysym.language.syntax import detect_syntax, parse, render
from anysym.language.ui_workflow import from_ui
from anysym.reference_programs.modalities import infer_inputs, infer_outputs
from anysym.reference_programs.program import ReferenceProgram, parse_header, split_list
from anysym.reference_programs.templates_index import templates_index

__all__ = [
    "BUILTIN_CATALOGS",
    "BUILTIN_PROGRAMS",
    "content_hash",
    "library_catalog_fragments",
    "load_library",
    "load_program_file",
]

BUILTIN_PROGRAMS = Path(__file__).resolve().parent / "programs"
"""The curated programs shipped with anysym."""

BUILTIN_CATALOGS = Path(__file__).resolve().parent / "catalogs"
"""Catalog fragments (`/object_info` JSON) for the custom nodes and model files the programs need."""

_META_SUFFIX = ".meta.json"


def load_library(
    extra_dirs: Iterable[str | Path] = (), *, catalog: Catalog | None = None
) -> list[ReferenceProgram]:
    """Load the built-in programs, then every program in `extra_dirs` (sorted by path within a folder).

    `catalog` is needed only to import ComfyUI UI workflows (it maps widget values to inputs). Raises
    `RetrievalError` naming the file when a program cannot be read or two programs share an id.
    """
    programs = [_load_builtin(path) for path in sorted(BUILTIN_PROGRAMS.glob("*.alang"))]
    for folder in extra_dirs:
        programs.extend(_load_folder(Path(folder), catalog))
    seen: dict[str, str] = {}
    for program in programs:
        if program.id in seen:
            raise RetrievalError(
                f"two reference programs are called {program.id!r} "
                f"({seen[program.id]} and {program.origin}); rename one file"
            )
        seen[program.id] = program.origin
    return programs


def library_catalog_fragments() -> Catalog:
    """Merge every shipped catalog fragment (custom nodes and model-file lists) into one Catalog."""
    fragments = [Catalog.load(path) for path in sorted(BUILTIN_CATALOGS.glob("*.json"))]
    return Catalog({}).merged(*fragments)


def content_hash(programs: Sequence[ReferenceProgram]) -> str:
    """A sha256 over every program's content (order-independent): changes whenever the library does."""
    digest = hashlib.sha256()
    for program in sorted(programs, key=lambda p: p.id):
        digest.update(program.model_dump_json(exclude={"origin"}).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def load_program_file(
    path: Path,
    *,
    catalog: Catalog | None = None,
    origin: str | None = None,
    header: Mapping[str, str] | None = None,
) -> ReferenceProgram:
    """Read one program file (`.alang` with an optional header, or ComfyUI API/UI `.json`).

    `header`: a JSON program's metadata when it comes from elsewhere than a `.meta.json` sidecar.
    """
    try:
        if path.suffix == ".json":
            return _from_json(path, catalog, origin or str(path), header)
        return _from_alang(path.read_text(encoding="utf-8"), path.stem, origin or str(path))
    except ValidationError as exc:
        raise RetrievalError(f"cannot load the reference program {path}: {first_problem(exc)}") from exc
    except (AnysymError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RetrievalError(f"cannot load the reference program {path}: {reason}") from exc


def _load_builtin(path: Path) -> ReferenceProgram:
    return load_program_file(path, origin="builtin")


def _load_folder(folder: Path, catalog: Catalog | None) -> list[ReferenceProgram]:
    if not folder.is_dir():
        raise RetrievalError(
            f"the program library folder {folder} does not exist; pass an existing --library DIR"
        )
    templates = templates_index(folder)
    if templates is not None:  # Comfy-Org's templates: the index lists the programs and describes them
        files = [folder / f"{name}.json" for name in sorted(templates)]
        return [_from_template(path, catalog, templates[path.stem]) for path in files]
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and _is_program_file(p)]
    return [load_program_file(p, catalog=catalog) for p in files]


def _is_program_file(path: Path) -> bool:
    return path.suffix == ".alang" or (path.suffix == ".json" and not path.name.endswith(_META_SUFFIX))


def _from_alang(text: str, stem: str, origin: str) -> ReferenceProgram:
    header = parse_header(text)
    syntax = detect_syntax(text)
    flow = parse(text, syntax)
    if header.get("id", stem) != stem:
        raise RetrievalError(f"header id {header['id']!r} differs from the file name {stem!r}")
    source = text if syntax == "declarative" else _with_header(header, render(flow, "declarative"))
    return _program(stem, flow, header, source, origin)


def _from_template(path: Path, catalog: Catalog | None, header: Mapping[str, str]) -> ReferenceProgram:
    if not path.is_file():
        raise RetrievalError(f"the templates index lists {path.stem!r} but {path} is missing")
    return load_program_file(path, catalog=catalog, header=header)


def _from_json(
    path: Path, catalog: Catalog | None, origin: str, given: Mapping[str, str] | None = None
) -> ReferenceProgram:
    data = json.loads(path.read_text(encoding="utf-8"))
    if is_api_prompt(data) or (isinstance(data, Mapping) and is_api_prompt(data.get("prompt"))):
        flow = from_api(data)
    elif is_ui_workflow(data):
        if catalog is None:
            raise RetrievalError(
                "importing a ComfyUI UI workflow needs the server catalog: run `anysym comfy serve` once "
                "(it saves /object_info) or export the workflow in API format"
            )
        flow = from_ui(data, catalog)
    else:
        raise RetrievalError("neither a ComfyUI API prompt nor a UI workflow")
    meta_path = path.with_name(path.stem + _META_SUFFIX)
    header = dict(given or {})
    if meta_path.is_file():  # the user's sidecar wins
        header |= _meta_header(json.loads(meta_path.read_text(encoding="utf-8")))
    return _program(path.stem, flow, header, _with_header(header, render(flow, "declarative")), origin)


def _meta_header(meta: Any) -> dict[str, str]:
    if not isinstance(meta, Mapping):
        raise RetrievalError("a .meta.json sidecar must be a JSON object")
    header: dict[str, str] = {}
    for key, value in meta.items():
        name = "use when" if key == "use_when" else str(key)
        if isinstance(value, list):
            header[name] = (" | " if name == "use when" else ", ").join(str(v) for v in value)
        else:
            header[name] = str(value)
    return header


def _with_header(header: Mapping[str, str], body: str) -> str:
    lines = [f"# {key}: {value}" for key, value in header.items() if value]
    return "\n".join([*lines, body.rstrip("\n")]) + "\n"


def _program(stem: str, flow: Flow, header: Mapping[str, str], source: str, origin: str) -> ReferenceProgram:
    node_types = tuple(sorted(flow.node_types()))
    inputs = split_list(header["inputs"]) if "inputs" in header else infer_inputs(flow)
    outputs = split_list(header["outputs"]) if "outputs" in header else infer_outputs(flow)
    description = header.get("description") or f"A user program built from {', '.join(node_types)}."
    return ReferenceProgram.model_validate(
        {
            "id": stem,
            "title": header.get("title") or stem.replace("_", " "),
            "description": description,
            "category": header.get("category", "other"),
            "input_modalities": inputs,
            "output_modalities": outputs,
            "node_types": node_types,
            "models": split_list(header.get("models", "")),
            "catalogs": split_list(header.get("catalogs", "")),
            "use_when": split_list(header.get("use when", ""), "|"),
            "source": source,
            "origin": origin,
        }
    )
