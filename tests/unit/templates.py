"""The official-template fixtures (tests/data/templates): where they are, reading one, all its nodes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "templates"


def load_template(path: Path) -> dict[str, Any]:
    """A template's UI workflow (or an API prompt of `api/`) as a dict."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def all_nodes(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of the root graph and of every subgraph definition."""
    subgraphs = workflow.get("definitions", {}).get("subgraphs", [])
    return [*workflow["nodes"], *(node for s in subgraphs for node in s["nodes"])]
