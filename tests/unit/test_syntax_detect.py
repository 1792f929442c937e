"""Syntax detection reads any text in linear time; `parse` refuses programs beyond its size limit."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from anysym.errors import ALangSyntaxError
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.syntax import MAX_PROGRAM_CHARS, SYNTAXES, Syntax, detect_syntax, parse

HANG_GUARD_S = 30
"""Far above what linear detection of these texts takes (well under a second each), far below what the
quadratic detection they once triggered took (hours for a few megabytes)."""


@pytest.fixture
def hang_guard() -> Iterator[None]:
    def fail(_signum: int, _frame: object) -> None:
        raise AssertionError(f"detect_syntax still running after {HANG_GUARD_S} s: it is not linear")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(HANG_GUARD_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "unit",
    [
        "a",  # one endless name
        "\\`",  # escapes inside a never-closed quoted name
        "`\\`",
        "x = ",  # assignments that never reach a call
        "ab is",  # names that never reach "is a"
        "a ",
        " ",
        "workflow.",
    ],
)
def test_detection_of_degenerate_text_ends(hang_guard: None, unit: str) -> None:
    text = "# a comment first, so the whole text is scanned\n" + unit * (2_000_000 // len(unit))
    assert detect_syntax(text) in SYNTAXES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# note\n\nloader = LoadImage(image='a.png')\n", "dataflow"),
        ("workflow.add_node('a', 'LoadImage', {})\n", "declarative"),
        ("loader is a LoadImage with image 'a.png'.\n", "pseudo"),
        ("`my loader` is a LoadImage.\n", "pseudo"),
        # the first statement is prose: the shape most lines start with decides
        (
            "Here is the flow:\nworkflow.add_node('a', 'A', {})\nworkflow.connect('a', 0, 'b', 'x')\n",
            "declarative",
        ),
        ("Flow:\na is a A.\nb is a B with x from a's X.\nc = C()\n", "pseudo"),
        ("nothing like a program", "dataflow"),
        ("", "dataflow"),
    ],
)
def test_detection_reads_the_first_statement_then_counts_line_shapes(text: str, expected: Syntax) -> None:
    assert detect_syntax(text) == expected


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_programs_beyond_the_size_limit_are_refused_with_a_diagnostic(syntax: Syntax) -> None:
    text = "x = LoadImage(image='a.png')\n" * (MAX_PROGRAM_CHARS // 28 + 1)
    with pytest.raises(ALangSyntaxError) as caught:
        parse(text, syntax)
    assert [d.kind for d in caught.value.diagnostics] == [DiagnosticKind.SYNTAX_ERROR]
    assert f"{MAX_PROGRAM_CHARS:,}" in str(caught.value)
    assert "smaller flows" in str(caught.value)
