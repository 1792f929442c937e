"""anysym: natural-language generative tasks as explicit symbolic flows (A-Language) run on ComfyUI."""

from __future__ import annotations

from anysym.errors import AnysymError
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow, Function, Link

__all__ = [
    "AnysymError",
    "Diagnostic",
    "DiagnosticKind",
    "Flow",
    "Function",
    "Link",
    "Severity",
]
