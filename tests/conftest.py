"""Fixtures shared by every test tier."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from anysym.language.catalog import Catalog

REPO = Path(__file__).resolve().parents[1]
VENDORED_SNAPSHOT = REPO / "tests" / "data" / "object_info_comfyui_0.0.1.json"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate tests from the developer's anysym/LLM configuration."""
    # ANYSYM_HOME stays: the integration tests use the managed services installed under it
    for name in (
        "ANYSYM_LLM_BASE_URL",
        "ANYSYM_LLM_MODEL",
        "OPENAI_API_KEY",
        "ANYSYM_CHROMA_URL",
        "ANYSYM_EMBEDDING",
        "ANYSYM_EMBEDDING_MODEL",
        "ANYSYM_EMBEDDING_BASE_URL",
        "ANYSYM_CHECKPOINTS_URL",
        "ANYSYM_JUDGE_API_KEY",
        "ANYSYM_COMFY_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def default_logging() -> Iterator[None]:
    """Undo the structlog set-up a CLI command made: it prints to that command's captured, closed stream."""
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def object_info() -> dict[str, Any]:
    """The real `/object_info` snapshot of the local CPU ComfyUI (comfyui 0.0.1, 244 node types)."""
    data: dict[str, Any] = json.loads(VENDORED_SNAPSHOT.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def snapshot_catalog(object_info: dict[str, Any]) -> Catalog:
    """A Catalog built from the real snapshot."""
    return Catalog.from_object_info(object_info)
