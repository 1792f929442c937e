"""UI-workflow import: FLOAT widgets saved as JSON ints (cfg 8, denoise 1) come back as floats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.ui_workflow import from_ui

DATA = Path(__file__).resolve().parents[1] / "data"


def test_float_widgets_are_floats_and_ints_stay_ints(snapshot_catalog: Catalog) -> None:
    workflow = json.loads((DATA / "ui_default_t2i.json").read_text())
    params = from_ui(workflow, snapshot_catalog).functions["3"].params
    assert [(k, type(params[k])) for k in ("seed", "steps", "cfg", "denoise")] == [
        ("seed", int),
        ("steps", int),
        ("cfg", float),
        ("denoise", float),
    ]
    assert (params["cfg"], params["denoise"]) == (8.0, 1.0)
    api = to_api(from_ui(workflow, snapshot_catalog), snapshot_catalog, fill_defaults=False)
    assert json.dumps(api["3"]["inputs"]["cfg"]) == "8.0"


def test_widgets_saved_by_name_are_coerced_too(snapshot_catalog: Catalog) -> None:
    values: dict[str, Any] = {"blend_factor": 1, "blend_mode": "normal"}
    workflow: dict[str, Any] = {
        "nodes": [{"id": 1, "type": "ImageBlend", "inputs": [], "widgets_values": values}],
        "links": [],
    }
    params = from_ui(workflow, snapshot_catalog).functions["1"].params
    assert params == {"blend_factor": 1.0, "blend_mode": "normal"}
    assert isinstance(params["blend_factor"], float)


def test_booleans_are_not_turned_into_floats() -> None:
    catalog = Catalog.from_object_info(
        {"N": {"input": {"required": {"x": ["FLOAT", {}], "n": ["INT", {}]}}, "output": []}}
    )
    workflow: dict[str, Any] = {
        "nodes": [{"id": 1, "type": "N", "inputs": [], "widgets_values": [True, 3]}],
        "links": [],
    }
    params = from_ui(workflow, catalog).functions["1"].params
    assert params["x"] is True and type(params["n"]) is int
