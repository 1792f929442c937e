"""Random bytes, random JSON shapes and random A-Language text through validate, convert and execute's
reading: only diagnostics or one typed `AnysymError`, never another exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from anysym.errors import AnysymError
from anysym.language.catalog import Catalog
from anysym.language.source_text import read_source
from tests.unit.hostile import FUZZ, NAMES, TYPES, all_paths, json_values, scalars

api_like = st.dictionaries(
    st.text(max_size=3),
    st.fixed_dictionaries({"class_type": TYPES, "inputs": st.dictionaries(NAMES, json_values, max_size=4)}),
    max_size=4,
)
slot = st.fixed_dictionaries({"name": NAMES, "type": st.sampled_from(["IMAGE", "*", 3]), "link": json_values})
ui_like = st.fixed_dictionaries(
    {
        "nodes": st.lists(
            st.fixed_dictionaries(
                {
                    "id": st.one_of(st.integers(-2, 5), st.text(max_size=2)),
                    "type": TYPES,
                    "mode": st.sampled_from([0, 2, 4, "x"]),
                    "inputs": st.lists(slot, max_size=3),
                    "outputs": st.lists(slot, max_size=2),
                    "widgets_values": st.one_of(st.lists(scalars, max_size=4), json_values),
                }
            ),
            max_size=4,
        ),
        "links": st.lists(st.one_of(st.lists(st.integers(-1, 6), max_size=6), json_values), max_size=4),
    }
)
statements = st.lists(
    st.sampled_from(
        [
            'a = LoadImage(image="a.png")',
            "b = ImageInvert(image=a.IMAGE)",
            "b = ImageInvert(image=a)",
            'workflow.add_node("s", "SaveImage", {})',
            'workflow.connect("b", "IMAGE", "s", "images")',
            "s is a SaveImage with images from b's IMAGE.",
            "x = `Foo",
            "(((",
            "# comment",
            '"unterminated',
        ]
    ),
    max_size=8,
).map("\n".join)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(tmp_path_factory: Any, data: bytes, snapshot_catalog: Catalog) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / "flow.txt"
    path.write_bytes(data)
    try:
        text = read_source(path)
    except AnysymError as exc:
        assert "not UTF-8" in str(exc) or "PNG" in str(exc)
        return
    all_paths(text, snapshot_catalog)


@FUZZ
@given(value=st.one_of(json_values, api_like, ui_like))
def test_random_json_shapes(value: Any, snapshot_catalog: Catalog) -> None:
    all_paths(json.dumps(value), snapshot_catalog)


@FUZZ
@given(text=statements)
def test_random_a_language_text(text: str, snapshot_catalog: Catalog) -> None:
    all_paths(text, snapshot_catalog)
