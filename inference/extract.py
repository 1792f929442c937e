"""Strict extraction of the program from an LLM answer: one fenced block, or the whole answer.

No HTML parsing, no heuristics that drop lines: the program is either the body of the only fenced code
block, the body after a lone unclosed fence (an answer cut by the token limit), or the whole answer
when it has no fence at all. Anything else is an `extraction_error` diagnostic.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from anysym.language.diagnostics import Diagnostic, DiagnosticKind

__all__ = ["Extracted", "extract_program"]

_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n`]*$", re.MULTILINE)


class Extracted(BaseModel):
    """The program text taken from an answer, or the reason none could be taken."""

    model_config = ConfigDict(frozen=True)

    text: str
    error: Diagnostic | None = None


def extract_program(answer: str) -> Extracted:
    """Return the program in `answer` (see the module docstring for the exact rules)."""
    fences = list(_FENCE.finditer(answer))
    if not fences:
        return _checked(answer.strip("\n"), answer)
    if len(fences) == 1:
        body = answer[fences[0].end() :].strip("\n")
        if answer[: fences[0].start()].strip():
            return _failed(answer, "the answer has text before an unclosed code fence")
        return _checked(body, answer)
    if len(fences) == 2:
        body = answer[fences[0].end() : fences[1].start()]
        return _checked(body.strip("\n"), answer)
    return _failed(
        answer,
        f"the answer has {len(fences) // 2 or 1} code blocks",
    )


def _checked(body: str, answer: str) -> Extracted:
    if not body.strip():
        return _failed(answer, "the answer holds no program")
    return Extracted(text=body)


def _failed(answer: str, why: str) -> Extracted:
    return Extracted(
        text=answer,
        error=Diagnostic(
            kind=DiagnosticKind.EXTRACTION_ERROR,
            message=f"{why}; no program could be taken from it",
            hint="reply with exactly one fenced code block that holds the complete program",
        ),
    )
