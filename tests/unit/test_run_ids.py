"""Run ids and directories: sortable, and never shared by two runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from anysym.graph import runs
from anysym.graph.runs import new_run_dir, new_run_id


def test_run_ids_sort_by_time_and_carry_a_random_suffix() -> None:
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", new_run_id())


def test_a_run_directory_taken_in_the_same_second_is_never_reused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drawn = iter(["20260101-120000-aaaa", "20260101-120000-aaaa", "20260101-120000-bbbb"])
    monkeypatch.setattr(runs, "new_run_id", lambda: next(drawn))
    first = new_run_dir(tmp_path / "runs")
    second = new_run_dir(tmp_path / "runs")  # the same id came up first: the next one is taken
    assert (first.name, second.name) == ("20260101-120000-aaaa", "20260101-120000-bbbb")
    assert first.is_dir() and second.is_dir()
