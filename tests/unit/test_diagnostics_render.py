"""The problem list of a repair prompt: every problem up to a limit, the rest counted in one line."""

from __future__ import annotations

from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity, render_for_llm

K = DiagnosticKind


def _unused(n: int) -> Diagnostic:
    return Diagnostic(
        kind=K.UNUSED_OUTPUT, severity=Severity.WARNING, message="no function uses it", function=f"copy_{n}"
    )


def test_a_short_list_is_numbered_with_errors_first() -> None:
    error = Diagnostic(kind=K.CYCLE, message="functions form a cycle", function="a")
    text = render_for_llm([_unused(1), error])
    assert text.splitlines() == [
        "1. error[cycle] a: functions form a cycle",
        "2. warning[unused_output] copy_1: no function uses it",
    ]


def test_a_long_list_ends_in_one_line_that_counts_the_rest() -> None:
    error = Diagnostic(kind=K.VERIFICATION_FAILED, message="saved its input unchanged", function="save")
    problems = [_unused(n) for n in range(1, 41)] + [error]
    lines = render_for_llm(problems, limit=5).splitlines()
    assert len(lines) == 6 and lines[0].startswith("1. error[verification_failed] save")
    assert lines[5] == (
        "6. and 36 more like the above: 36 x warning[unused_output], on functions copy_5, copy_6, copy_7, "
        "copy_8, copy_9, copy_10, copy_11, copy_12 and 28 more"
    )
