"""The suite-authoring scripts (bench/scripts, outside the package) and the suites committed from them agree.

A suite edited by hand, or a script changed without regenerating its files, fails here: regenerate with
`python -m anysym.bench.scripts.build_cpu_suite` / `build_any2any_suite`.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

SUITES = Path(__file__).resolve().parents[2] / "bench" / "suites"


@pytest.mark.parametrize("script", ["build_cpu_suite", "build_any2any_suite"])
def test_the_committed_suite_is_what_its_script_writes(script: str) -> None:
    files = importlib.import_module(f"anysym.bench.scripts.{script}").build()
    assert len(files) > 5
    differing = [name for name, text in files.items() if (SUITES / name).read_text(encoding="utf-8") != text]
    assert not differing, f"regenerate with python -m anysym.bench.scripts.{script}: {differing[:5]}"
