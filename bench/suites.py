"""Benchmark suites: the JSON schema (pydantic), the suite loader and the ComfyBench instruction loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from anysym.bench.checkspec import Check
from anysym.errors import BenchError, first_problem
from anysym.language.catalog import Catalog

__all__ = [
    "ExpectedOutput",
    "Modality",
    "OutputKind",
    "Suite",
    "Task",
    "load_comfybench",
    "load_suite",
    "suite_catalog",
]

Modality = Literal["text", "image", "mask", "video", "audio", "3d", "model", "latent"]
OutputKind = Literal["image", "video", "audio", "mesh", "latent", "model", "text"]
PAPER_CATEGORIES = (
    "text-to-image",
    "inpaint",
    "outpaint",
    "image merge",
    "novel-view synthesis",
    "model merge",
    "image-to-3D",
    "text-to-audio",
    "multi-view images",
    "image-to-video",
    "text-to-video",
    "text-to-3D",
)
"""The 12 task categories of the Any-2-Any paper's multi-task set."""


def _image_only() -> list[Modality]:
    return ["image"]


class ExpectedOutput(BaseModel):
    """An output the task must produce: a kind and how many files of it (at least `count`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: OutputKind
    count: int = Field(default=1, ge=1)


class Task(BaseModel):
    """One benchmark task: an instruction, its input files and how its result is judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    instruction: str = Field(min_length=1)
    inputs: list[str] = []
    category: str = "uncategorised"
    input_modalities: list[Modality] = []
    output_modalities: list[Modality] = Field(default_factory=_image_only)
    expected_outputs: list[ExpectedOutput] = []
    check: list[Check] = []
    key_functions: list[str] = []
    functions: int | None = Field(default=None, description="function count of the reference solution")

    @field_validator("check", mode="before")
    @classmethod
    def _single_check(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _checks_read_declared_inputs(self) -> Task:
        for check in self.check:
            missing = check.inputs() - set(self.inputs)
            if missing:
                raise ValueError(f"the check reads {sorted(missing)}, which are not among the task's inputs")
        return self


class Suite(BaseModel):
    """A named list of tasks, with an optional catalog for offline compile/validation rates."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    catalog: list[str] = Field(default=[], description="object_info JSON files, relative to the suite file")
    inputs_generator: str | None = Field(
        default=None, description="module that writes the input files: `python -m MODULE DIR`"
    )
    tasks: list[Task]
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_ids(self) -> Suite:
        seen: set[str] = set()
        for task in self.tasks:
            if task.id in seen:
                raise ValueError(f"duplicate task id {task.id!r}")
            seen.add(task.id)
        return self

    def categories(self) -> list[str]:
        """Return the task categories in first-seen order."""
        return list(dict.fromkeys(task.category for task in self.tasks))


def load_suite(path: str | Path) -> Suite:
    """Load and validate a suite JSON file (raises `BenchError` with the first problem)."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        suite = Suite.model_validate(data)
    except OSError as exc:
        raise BenchError(f"cannot read suite {source}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise BenchError(f"suite {source} is not JSON: {exc}") from exc
    except ValidationError as exc:
        raise BenchError(f"suite {source} is invalid: {first_problem(exc)}") from exc
    suite.source = source.resolve()
    return suite


def suite_catalog(suite: Suite) -> Catalog | None:
    """Merge the suite's catalog files (core snapshot plus custom-node fragments), or None if it has none."""
    if not suite.catalog:
        return None
    base = suite.source.parent if suite.source else Path.cwd()
    catalogs = [Catalog.load(base / name) for name in suite.catalog]
    return catalogs[0].merged(*catalogs[1:])


_COMFYBENCH_MODALITIES: dict[str, Modality] = {
    "t": "text",
    "text": "text",
    "i": "image",
    "image": "image",
    "v": "video",
    "video": "video",
    "a": "audio",
    "audio": "audio",
    "m": "mask",
    "mask": "mask",
    "3d": "3d",
    "mesh": "3d",
}
_KIND_OF: dict[str, OutputKind] = {"image": "image", "video": "video", "audio": "audio", "3d": "mesh"}


def load_comfybench(path: str | Path, *, name: str | None = None) -> Suite:
    """Load ComfyBench's instruction format as a suite.

    The file is a JSON list (or `{key: entry}` map) of entries with `name`, `instruction`, `resource`
    (an input file name, a list of them, or null), `modality` ("t2i", "i2v", "v2v"... or "text2image")
    and `category` ("vanilla", "complex", "creative"). Task ids are `<key>_<name>`; input files are
    looked up in the inputs directory given to the benchmark.
    """
    source = Path(path)
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BenchError(f"cannot read ComfyBench file {source}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise BenchError(f"ComfyBench file {source} is not JSON: {exc}") from exc
    if isinstance(raw, dict):
        entries = [{"_key": key, **value} if isinstance(value, dict) else value for key, value in raw.items()]
    else:
        entries = raw
    if not isinstance(entries, list):
        raise BenchError(f"ComfyBench file {source} must hold a list or a map of task entries")
    tasks = [_comfybench_task(entry, index, source) for index, entry in enumerate(entries)]
    try:
        description = f"ComfyBench tasks from {source.name}"
        suite = Suite(name=name or source.stem, description=description, tasks=tasks)
    except ValidationError as exc:
        raise BenchError(f"ComfyBench file {source} is invalid: {first_problem(exc)}") from exc
    suite.source = source.resolve()
    return suite


def _comfybench_task(entry: Any, index: int, source: Path) -> Task:
    if not isinstance(entry, dict) or not entry.get("instruction"):
        raise BenchError(f"ComfyBench entry {index} in {source} has no instruction")
    modality = str(entry.get("modality") or "t2i").lower().replace("_to_", "2").replace("-to-", "2")
    source_mod, _, target_mod = modality.partition("2")
    inputs_mod: list[Modality] = [_COMFYBENCH_MODALITIES.get(source_mod, "text")]
    outputs_mod: list[Modality] = [_COMFYBENCH_MODALITIES.get(target_mod or "i", "image")]
    resource = entry.get("resource") or []
    resources = [resource] if isinstance(resource, str) else [str(item) for item in resource]
    kind = _KIND_OF.get(outputs_mod[0], "image")
    try:
        return Task(
            id=_comfybench_id(entry, index),
            instruction=str(entry["instruction"]),
            inputs=resources,
            category=str(entry.get("category") or "uncategorised"),
            input_modalities=inputs_mod,
            output_modalities=outputs_mod,
            expected_outputs=[ExpectedOutput(kind=kind)],
        )
    except ValidationError as exc:
        raise BenchError(f"ComfyBench entry {index} in {source} is invalid: {first_problem(exc)}") from exc


def _comfybench_id(entry: dict[str, Any], index: int) -> str:
    key, name = entry.get("_key"), entry.get("name")
    parts = [str(part) for part in (key, name) if part]
    return "_".join(parts) if parts else f"task_{index + 1:03d}"
