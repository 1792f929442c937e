"""Syntax and semantic errors: positions, caret snippets, fix hints, diagnostics; hostile input fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anysym.errors import ALangSemanticError, ALangSyntaxError
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.syntax import SYNTAXES, Syntax, parse


def syntax_error(text: str, syntax: Syntax) -> ALangSyntaxError:
    with pytest.raises(ALangSyntaxError) as info:
        parse(text, syntax)
    return info.value


def semantic_error(text: str, syntax: Syntax) -> ALangSemanticError:
    with pytest.raises(ALangSemanticError) as info:
        parse(text, syntax)
    return info.value


@pytest.mark.parametrize(
    ("syntax", "text", "line", "column", "hint"),
    [
        ("declarative", 'workflow.add_node(sampler, "KSampler", {})', 1, 19, "double quotes"),
        (
            "declarative",
            '# c\nworkflow.add_node("s", "KSampler")\nworkflow.connect("a", 0, "s")',
            3,
            29,
            "4 arguments",
        ),
        ("declarative", 'workflow.add_node("s")', 1, 22, "3 arguments"),
        ("declarative", 'workflow.add_node("s", "K", {}, "x")', 1, 33, "3 arguments"),
        ("declarative", 'workflow.connect("a", 0, "b", "c", "d")', 1, 36, "4 arguments"),
        ("declarative", 'workflow.add_node("s", "K", {"seed"=4})', 1, 36, "dict"),
        ("declarative", 'workflow.add_node("s", "K", seed=4)', 1, 29, "dict"),
        ("declarative", 'print("hi")', 1, 1, "every statement"),
        ("dataflow", "x = RIFE VFI(frames=v)", 1, 10, "backticks"),
        ("dataflow", "x = ImageResize+(image=v)", 1, 16, "backticks"),
        ("dataflow", "x = Foo(seed: 1)", 1, 13, "name=value"),
        ("dataflow", "x = Foo(seed=1 cfg=2)", 1, 16, "commas"),
        ("dataflow", 'x = Foo("a")', 1, 9, "need a name"),
        ("dataflow", "\n\nimport os", 3, 8, "only assignments"),
        ("dataflow", "__import__('os').system('rm -rf /')", 1, 11, "only assignments"),
        ("dataflow", 'x = Foo(text="unterminated)', 1, 14, "close the quote"),
        ("dataflow", 'x = Foo(text="a\\qb")', 1, 14, "backslash"),
        ("dataflow", "x = Foo(v=1e999)", 1, 11, "finite"),
        ("dataflow", "x = Foo(v=a[-1])", 1, 13, "numbered from 0"),
        ("dataflow", "x = Foo(v=" + "[" * 40 + "]" * 40 + ")", 1, 18, "flatten"),
        ("pseudo", "sampler is a KSampler with seed=42.", 1, 32, "not seed=42"),
        ("pseudo", "sampler is a KSampler with seed 42", 1, 35, "period"),
        ("pseudo", "sampler is KSampler.", 1, 12, "is a"),
        ("pseudo", "s is a K with seed 1 cfg 2.", 1, 22, "commas"),
        ("pseudo", "s is a K with sampler_name euler.", 1, 28, "quote text"),
        ("pseudo", "s is a RIFE VFI.", 1, 13, "backticks"),
    ],
)
def test_syntax_errors_point_at_the_problem(
    syntax: Syntax, text: str, line: int, column: int, hint: str
) -> None:
    error = syntax_error(text, syntax)
    assert (error.line, error.column) == (line, column), str(error)
    assert hint in error.message
    source_line = text.split("\n")[line - 1]
    shown, caret = error.snippet.split("\n")
    assert shown == source_line[:72]
    assert caret.index("^") == column - 1
    [diagnostic] = error.diagnostics
    assert diagnostic.kind is DiagnosticKind.SYNTAX_ERROR
    assert (diagnostic.line, diagnostic.column) == (line, column)
    assert diagnostic.hint and hint in diagnostic.hint
    assert str(error).startswith(f"line {line}, column {column}: ")


def test_long_lines_are_clipped_around_the_error() -> None:
    text = "x = Foo(" + ", ".join(f"p{i}={i}" for i in range(60)) + " oops=1)"
    error = syntax_error(text, "dataflow")
    shown, caret = error.snippet.split("\n")
    assert shown.startswith("...") and "oops" in shown and len(shown) <= 80
    assert shown[caret.index("^") :].startswith("oops")


@pytest.mark.parametrize(
    ("syntax", "text", "kind", "where"),
    [
        ("dataflow", "a = A()\nb = B(x=a)\na = C()", DiagnosticKind.DUPLICATE_FUNCTION, (3, 1)),
        ("dataflow", "a = A(seed=1, cfg=2, seed=3)", DiagnosticKind.DUPLICATE_PARAMETER, (1, 22)),
        ("dataflow", "a = A(model=loadr)", DiagnosticKind.UNKNOWN_LINK_SOURCE, (1, 13)),
        (
            "declarative",
            'workflow.add_node("a", "A", {"s": 1, "s": 2})',
            DiagnosticKind.DUPLICATE_PARAMETER,
            (1, 38),
        ),
        ("declarative", 'workflow.connect("a", 0, "b", "x")', DiagnosticKind.UNKNOWN_LINK_SOURCE, (1, 18)),
        ("declarative", 'workflow.add_node("a", "")', DiagnosticKind.UNKNOWN_FUNCTION, (1, 24)),
        ("pseudo", "a is an A.\na is a B.", DiagnosticKind.DUPLICATE_FUNCTION, (2, 1)),
        ("pseudo", "a is an A with x from b's IMAGE.", DiagnosticKind.UNKNOWN_LINK_SOURCE, (1, 23)),
    ],
)
def test_semantic_errors_carry_positions(
    syntax: Syntax, text: str, kind: DiagnosticKind, where: tuple[int, int]
) -> None:
    error = semantic_error(text, syntax)
    first = error.diagnostics[0]
    assert first.kind is kind
    assert (first.line, first.column) == where
    assert str(error).startswith(f"line {where[0]}, column {where[1]}: ")


def test_every_semantic_problem_is_listed() -> None:
    error = semantic_error("a = A(x=q, y=r)\na = B()", "dataflow")
    kinds = [d.kind for d in error.diagnostics]
    assert kinds.count(DiagnosticKind.UNKNOWN_LINK_SOURCE) == 2
    assert DiagnosticKind.DUPLICATE_FUNCTION in kinds
    assert "2 more problems" in str(error)


def test_empty_and_comment_only_programs_are_empty_flows() -> None:
    for syntax in SYNTAXES:
        assert parse("", syntax).functions == {}
        assert parse("# nothing here\n\n   \n", syntax).functions == {}


def test_unknown_syntax_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown syntax"):
        parse("", "python")  # type: ignore[arg-type]


FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = [
    "__import__('os').system('touch /tmp/anysym-pwned')",
    "exec('import os')",
    "x = eval(1)",
    "workflow.add_node(__import__('os'))",
    "x is a Foo with y from __import__('os')'s system.",
    "((((((((((((((((((((((((((((((((((((((((((((((((((",
    "x = Foo(a=" + "[" * 5000,
    "x = Foo(a=" + "[" * 3000 + "]" * 3000 + ")",
    "while True: pass",
    "x = Foo(a=b.c.d)",
    "x = `Foo",
    "`",
    "'s",
    "\x00\x01\ufffe",
    'x = Foo(a="\\',
    "x = Foo(a=1" + "0" * 5000 + ")",
]


def assert_typed_failure_or_flow(text: str) -> None:
    for syntax in SYNTAXES:
        try:
            parse(text, syntax)
        except (ALangSyntaxError, ALangSemanticError) as exc:
            assert exc.diagnostics
            assert str(exc)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_programs_give_typed_errors(text: str) -> None:
    assert_typed_failure_or_flow(text)


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_gives_typed_errors(text: str) -> None:
    assert_typed_failure_or_flow(text)


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_give_typed_errors(data: bytes) -> None:
    assert_typed_failure_or_flow(data.decode("utf-8", errors="surrogateescape"))


TOKENS = st.sampled_from(
    [
        "x",
        "=",
        "Foo",
        "(",
        ")",
        "[",
        "]",
        ",",
        ".",
        "'s",
        "is",
        "a",
        "with",
        "from",
        "output",
        '"s"',
        "'q'",
        "`n`",
        "1",
        "-2.5",
        "True",
        "null",
        "workflow",
        "add_node",
        "connect",
        "{",
        "}",
        ":",
        "#",
        "\n",
        " ",
        "\\",
        "`",
    ]
)


@FUZZ
@given(tokens=st.lists(TOKENS, max_size=60))
def test_token_soup_gives_typed_errors(tokens: list[str]) -> None:
    assert_typed_failure_or_flow(" ".join(tokens))


@settings(max_examples=5, deadline=None)
@given(unit=st.sampled_from(["a", "x = Foo(a=1)\n", "# c\n", "(", "[", '"', "é🦊", "s is a T."]))
def test_a_megabyte_of_text_is_handled(unit: str) -> None:
    assert_typed_failure_or_flow(unit * (1_000_000 // len(unit.encode())))
