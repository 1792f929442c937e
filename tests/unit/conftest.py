"""Unit-test fixtures."""

from __future__ import annotations

import tempfile

import pytest


@pytest.fixture(autouse=True)
def temporary_files_in_the_test_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point `tempfile` at a folder of the test, removed with pytest's own folders.

    A graph run without a run directory writes its outputs to a new temporary folder the caller owns.
    """
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("tempfile")))
