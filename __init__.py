"""anysym: natural-language generative tasks as explicit symbolic flows (A-Language) run on ComfyUI.

**Usage**: `anysym.generate("Invert the colors of photo.png", inputs=["photo.png"])` -> `Result`;
`build_graph(deps)` embeds the inference engine as a LangGraph subgraph; `parse`/`render` move between the
three A-Language syntaxes; `validate` checks a flow against a `Catalog`; `to_api`/`from_api` speak ComfyUI.
"""

from __future__ import annotations

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
