"""anysym: natural-language generative tasks as explicit symbolic flows (A-Language) run on ComfyUI.

**Usage**: `anysym.generate("Invert the colors of photo.png", inputs=["photo.png"])` -> `Result`;
`build_graph(deps)` embeds the inference engine as a LangGraph subgraph; `parse`/`render` move between the
three A-Language syntaxes; `validate` checks a flow against a `Catalog`; `to_api`/`from_api` speak ComfyUI.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are loaded on first use (PEP 562): `import anysym` stays fast
    from anysym.errors import AnysymError
    from anysym.executor.client import ComfyClient
    from anysym.graph.api import agenerate, arerun, aresume, generate
    from anysym.graph.build import build_graph, compile_graph
    from anysym.graph.context import Context
    from anysym.graph.deps import Deps
    from anysym.graph.result import Result
    from anysym.language.catalog import Catalog
    from anysym.language.comfy_format import from_api, from_ui, to_api
    from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
    from anysym.language.flow import Flow, Function, Link
    from anysym.language.syntax import parse, render
    from anysym.language.validate import validate

_EXPORTS: dict[str, str] = {
    "AnysymError": "anysym.errors",
    "ComfyClient": "anysym.executor.client",
    "agenerate": "anysym.graph.api",
    "arerun": "anysym.graph.api",
    "aresume": "anysym.graph.api",
    "generate": "anysym.graph.api",
    "build_graph": "anysym.graph.build",
    "compile_graph": "anysym.graph.build",
    "Context": "anysym.graph.context",
    "Deps": "anysym.graph.deps",
    "Result": "anysym.graph.result",
    "Catalog": "anysym.language.catalog",
    "from_api": "anysym.language.comfy_format",
    "from_ui": "anysym.language.comfy_format",
    "to_api": "anysym.language.comfy_format",
    "Diagnostic": "anysym.language.diagnostics",
    "DiagnosticKind": "anysym.language.diagnostics",
    "Severity": "anysym.language.diagnostics",
    "Flow": "anysym.language.flow",
    "Function": "anysym.language.flow",
    "Link": "anysym.language.flow",
    "parse": "anysym.language.syntax",
    "render": "anysym.language.syntax",
    "validate": "anysym.language.validate",
}
"""Where each public name lives; a command that needs no engine never imports LangGraph."""


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'anysym' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "AnysymError",
    "Catalog",
    "ComfyClient",
    "Context",
    "Deps",
    "Diagnostic",
    "DiagnosticKind",
    "Flow",
    "Function",
    "Link",
    "Result",
    "Severity",
    "agenerate",
    "arerun",
    "aresume",
    "build_graph",
    "compile_graph",
    "from_api",
    "from_ui",
    "generate",
    "parse",
    "render",
    "to_api",
    "validate",
]
