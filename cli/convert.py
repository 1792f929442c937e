"""`anysym convert`: translate a flow between the three A-Language syntaxes and ComfyUI JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from anysym.cli.bench_group import bench_app
from anysym.cli.common import reporting_errors
from anysym.errors import ALangSemanticError

if TYPE_CHECKING:  # imported where used: `anysym --help` starts without pydantic and lark
    from anysym.language.catalog import Catalog
    from anysym.language.flow import Flow
    from anysym.language.syntax import Syntax


class Target(StrEnum):
    """Formats `convert` can write."""

    declarative = "declarative"
    dataflow = "dataflow"
    pseudo = "pseudo"
    api = "api"
    ui = "ui"


class Source(StrEnum):
    """Formats `convert` can read (detected from the content unless given)."""

    declarative = "declarative"
    dataflow = "dataflow"
    pseudo = "pseudo"
    api = "api"
    ui = "ui"


def detect_format(text: str) -> Source:
    """Tell the input format from the content: API JSON, UI-workflow JSON, else an A-Language syntax."""
    from anysym.language.comfy_format import is_api_prompt, is_ui_workflow
    from anysym.language.source_text import load_json
    from anysym.language.syntax import detect_syntax

    if text.lstrip().startswith("{"):
        data = load_json(text)
        if is_ui_workflow(data):
            return Source.ui
        if is_api_prompt(data) or (isinstance(data, dict) and is_api_prompt(data.get("prompt"))):
            return Source.api
        raise ALangSemanticError(
            "this JSON is neither an API prompt ({id: {class_type, inputs}}) nor a UI workflow (nodes, links)"
        )
    return Source(detect_syntax(text))


def read_flow(text: str, source: Source, catalog: Catalog | None) -> Flow:
    """Read `text` in the `source` format into a Flow."""
    from anysym.language.comfy_format import from_api, from_ui
    from anysym.language.source_text import load_json
    from anysym.language.syntax import parse

    if source is Source.api:
        return from_api(load_json(text))
    if source is Source.ui:
        if catalog is None:
            raise ALangSemanticError(
                "a UI workflow names its widget values only through a catalog; "
                "pass --catalog object_info.json"
            )
        return from_ui(load_json(text), catalog)
    return parse(text, _syntax(source.value))


def write_flow(flow: Flow, target: Target, catalog: Catalog | None) -> str:
    """Write a Flow in the `target` format (API JSON resolves output names and fills defaults by catalog)."""
    from anysym.language.syntax import render

    if target is Target.api:
        from anysym.language.comfy_format import to_api

        return json.dumps(to_api(flow, catalog), indent=2, ensure_ascii=False) + "\n"
    if target is Target.ui:
        from anysym.language.ui_export import to_ui

        if catalog is None:
            raise ALangSemanticError(
                "a UI workflow lays out sockets and widgets from the catalog; pass --catalog object_info.json"
            )
        return json.dumps(to_ui(flow, catalog), indent=2, ensure_ascii=False) + "\n"
    return render(flow, _syntax(target.value))


def _syntax(name: str) -> Syntax:
    from anysym.language.syntax import SYNTAXES

    return next(syntax for syntax in SYNTAXES if syntax == name)


def convert(
    file: Annotated[
        Path,
        typer.Argument(help="A-Language text, API prompt or UI workflow JSON, or a PNG saved by ComfyUI."),
    ],
    to: Annotated[Target, typer.Option("--to", help="Output format.")],
    from_: Annotated[
        Source | None, typer.Option("--from", help="Input format (default: detected from the content).")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here, not to stdout.")] = None,
    catalog_path: Annotated[
        Path | None,
        typer.Option("--catalog", help="Saved /object_info JSON: names UI widgets, resolves output names."),
    ] = None,
) -> None:
    """Convert a flow between declarative, dataflow, pseudo-natural and ComfyUI API/UI JSON.

    `--to ui` writes a workflow the ComfyUI editor opens; a PNG saved by ComfyUI is read for its workflow.
    """
    from anysym.language.catalog import Catalog
    from anysym.language.source_text import read_source

    with reporting_errors():
        text = read_source(file)
        catalog = Catalog.load(catalog_path) if catalog_path is not None else None
        source = from_ or detect_format(text)
        result = write_flow(read_flow(text, source, catalog), to, catalog)
        if output is None:
            typer.echo(result, nl=False)
        else:
            output.write_text(result, encoding="utf-8")


def bench_ui_import(
    folder: Annotated[
        Path | None,
        typer.Argument(help="Folder of workflows (default: the installed comfyui-workflow-templates-json)."),
    ] = None,
    catalog_path: Annotated[
        Path | None, typer.Option("--catalog", help="Saved /object_info JSON (default: the local ComfyUI's).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("-o", "--report", help="Write every file's outcome here.")
    ] = None,
) -> None:
    """Import a corpus of real workflows: imported / refused (with reasons) / traceback, time per file."""
    import dataclasses

    from anysym.bench.ui_corpus_bench import import_corpus, templates_folder
    from anysym.cli.validate import resolve_catalog

    with reporting_errors():
        corpus = folder or templates_folder()
        typer.echo(f"importing every workflow under {corpus} ...", err=True)
        result = import_corpus(corpus, resolve_catalog(catalog_path, None))
        for line in result.render():
            typer.echo(line)
        if report is not None:
            rows = [dataclasses.asdict(f) for f in result.files]
            report.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def bench_startup(
    runs: Annotated[int, typer.Option("--runs", min=1, help="Runs per command (the median is printed).")] = 5,
) -> None:
    """Time how long the commands that need no LLM take to start (help, version, validate, convert)."""
    from anysym.bench.startup_bench import startup_commands, time_commands

    with reporting_errors():
        for row in time_commands(startup_commands(), runs):
            typer.echo(row.render())


def register(app: typer.Typer) -> None:
    """Add the `convert`, `bench ui-import` and `bench startup` commands."""
    app.command("convert")(convert)
    bench_app.command("ui-import")(bench_ui_import)
    bench_app.command("startup")(bench_startup)
