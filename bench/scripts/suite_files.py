"""Where the suite-authoring scripts write (bench/suites) and how: each script's `build()` is the data."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

SUITES = Path(__file__).resolve().parents[1] / "suites"


def write_files(files: Mapping[str, str]) -> None:
    """Write each `path under bench/suites -> text` of a script's `build()`."""
    for name, text in files.items():
        (SUITES / name).parent.mkdir(exist_ok=True)
        (SUITES / name).write_text(text, encoding="utf-8")
