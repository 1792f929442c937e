"""Importing a corpus of real ComfyUI workflows: imported, refused with a reason, or a traceback (never).

The default corpus is Comfy-Org's official workflow templates (the registry package
`comfyui-workflow-templates-json`, MIT): UI workflows with subgraphs, bypassed and muted nodes,
reroutes and notes, most of them for models and custom nodes a CPU catalog lacks. Each file goes
through what `anysym convert` and `anysym validate` do with it: read, detect the format, import into a
Flow, compile back to an API prompt and validate against the catalog.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from anysym.errors import AnysymError, BenchError
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind, Severity

__all__ = ["CorpusReport", "FileOutcome", "import_corpus", "templates_folder"]

TEMPLATES_PACKAGE = "comfyui_workflow_templates_json"


def templates_folder() -> Path:
    """The `templates` folder of the installed official-templates package."""
    spec = importlib.util.find_spec(TEMPLATES_PACKAGE)
    if spec is None or spec.origin is None:
        raise BenchError(
            "the official workflow templates are not installed: pip install comfyui-workflow-templates-json "
            "(or pass a folder of workflows)"
        )
    return Path(spec.origin).parent / "templates"


@dataclass(frozen=True)
class FileOutcome:
    """What importing one file gave: `imported`, `refused` (a one-line reason) or `traceback`."""

    name: str
    outcome: str
    detail: str
    milliseconds: float
    unknown_types: int = 0
    error_kinds: tuple[str, ...] = ()


@dataclass
class CorpusReport:
    """Counts over a corpus, the reasons for refusals, and the time per workflow."""

    files: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many files ended in `outcome`."""
        return sum(f.outcome == outcome for f in self.files)

    def reasons(self) -> Counter[str]:
        """Refusal reasons, the start of each one-line message."""
        return Counter(f.detail.split(":")[0][:80] for f in self.files if f.outcome == "refused")

    def render(self) -> list[str]:
        """Lines for the terminal."""
        times = sorted(f.milliseconds for f in self.files) or [0.0]
        imported = [f for f in self.files if f.outcome == "imported"]
        complete = [f for f in imported if f.unknown_types == 0]
        valid = sum(not f.error_kinds for f in complete)
        kinds = Counter(kind for f in complete for kind in set(f.error_kinds))
        lines = [
            f"files {len(self.files)}: imported {len(imported)} ({len(complete)} with every node type in the "
            f"catalog, {valid} of them valid), refused {self.count('refused')}, "
            f"traceback {self.count('traceback')}",
            "  errors in those with every type known (files): "
            + (", ".join(f"{kind} {n}" for kind, n in kinds.most_common()) or "none"),
            f"time per workflow: median {statistics.median(times):.1f} ms, p90 "
            f"{times[int(0.9 * (len(times) - 1))]:.1f} ms, max {times[-1]:.1f} ms",
        ]
        lines += [f"  refused {n}x: {reason}" for reason, n in self.reasons().most_common(10)]
        lines += [f"  TRACEBACK {f.name}: {f.detail}" for f in self.files if f.outcome == "traceback"]
        return lines


def import_one(path: Path, catalog: Catalog) -> FileOutcome:
    """Read, import, compile and validate one workflow file, timing all of it."""
    from anysym.cli.convert import detect_format, read_flow
    from anysym.cli.validate import diagnose_text
    from anysym.language.comfy_format import to_api
    from anysym.language.source_text import read_source

    started = time.perf_counter()
    try:
        text = read_source(path)
        flow = read_flow(text, detect_format(text), catalog)
        to_api(flow, catalog)
        diagnostics = diagnose_text(text, catalog)
    except AnysymError as exc:
        return FileOutcome(path.name, "refused", str(exc).splitlines()[0], _ms(started))
    except Exception as exc:  # what the benchmark exists to find: it must never happen
        return FileOutcome(path.name, "traceback", f"{type(exc).__name__}: {exc}"[:200], _ms(started))
    unknown = sum(d.kind is DiagnosticKind.UNKNOWN_FUNCTION for d in diagnostics)
    kinds = tuple(d.kind.value for d in diagnostics if d.severity is Severity.ERROR)
    return FileOutcome(path.name, "imported", "", _ms(started), unknown_types=unknown, error_kinds=kinds)


def import_corpus(folder: Path, catalog: Catalog) -> CorpusReport:
    """Import every `*.json` workflow under `folder` (the package's index files are not workflows)."""
    paths = sorted(p for p in folder.rglob("*.json") if not p.name.startswith("index"))
    if not paths:
        raise BenchError(f"no .json workflows under {folder}")
    return CorpusReport([import_one(path, catalog) for path in paths])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
