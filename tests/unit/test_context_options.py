"""`--set name=value`: any `Context` field from the command line, typed by the field."""

from __future__ import annotations

from typing import Any

import pytest

from anysym.graph.context import Context, parse_option


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max_llm_calls=20", ("max_llm_calls", 20)),
        ("execute_timeout_s=7.5", ("execute_timeout_s", 7.5)),
        ("brief-descriptions=off", ("brief_descriptions", False)),
        ("constrained=TRUE", ("constrained", True)),
        ("syntax=pseudo", ("syntax", "pseudo")),
        ("base_url=none", ("base_url", None)),
        ("base_url = http://127.0.0.1:9/v1", ("base_url", "http://127.0.0.1:9/v1")),
        ("model=", ("model", "")),
    ],
)
def test_a_field_is_read_with_its_own_type(text: str, expected: tuple[str, Any]) -> None:
    assert parse_option(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("verbose=1", "a Context field name"),
        ("k", "a Context field name"),
        ("outputs_dir=/tmp", "a Context field name"),
        ("k=three", "give a number (int)"),
        ("syntax=json", "choose one of declarative, dataflow, pseudo"),
        ("review=perhaps", "give true or false"),
    ],
)
def test_a_bad_option_is_one_line_that_says_what_to_give(text: str, says: str) -> None:
    with pytest.raises(ValueError, match="--set") as caught:
        parse_option(text)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_every_field_but_the_folders_can_be_set_from_text() -> None:
    for name, value in vars(Context()).items():
        if name in ("run_dir", "outputs_dir"):
            continue
        text = "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        assert parse_option(f"{name}={text}") == (name, value)
