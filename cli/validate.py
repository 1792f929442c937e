"""`anysym validate FILE` (static checks against a node catalog) and `anysym bench validate` (its timing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from anysym.cli.bench_group import bench_app
from anysym.cli.common import console, fail, paths_from_env, reporting_errors
from anysym.errors import (
    ALangError,
    AnysymError,
)

if TYPE_CHECKING:  # imported where used: `validate --help` and other commands start without pydantic
    from anysym.language.catalog import Catalog, NodeSpec
    from anysym.language.diagnostics import Diagnostic

EXIT_INVALID = 1
"""Exit code when the flow has errors."""
EXIT_UNUSABLE = 2
"""Exit code when the flow could not be checked at all (no catalog, unreadable file, server down)."""


def default_catalog_path() -> Path:
    """The catalog saved by the managed local ComfyUI (`anysym comfy serve` writes it)."""
    from anysym.services.comfy.server import LocalComfy

    return LocalComfy(paths_from_env()).catalog_path


def resolve_catalog(catalog_path: Path | None, server: str | None) -> Catalog:
    """Pick the catalog: `--catalog`, else `--server`, else the managed local server's saved one."""
    from anysym.language.catalog import Catalog

    if catalog_path is not None and server is not None:
        raise typer.BadParameter("give either --catalog or --server, not both")
    if catalog_path is not None:
        return Catalog.load(catalog_path)
    if server is not None:
        from anysym.executor.object_info import fetch_catalog

        return fetch_catalog(server)
    saved = default_catalog_path()
    if not saved.is_file():
        fail(
            "no node catalog: pass --catalog object_info.json or --server URL "
            f"(or run `anysym comfy serve` once, which saves {saved})",
            EXIT_UNUSABLE,
        )
    return Catalog.load(saved)


def diagnose_text(text: str, catalog: Catalog) -> list[Diagnostic]:
    """Validate a flow written in any A-Language syntax, as an API prompt, or as a UI workflow."""
    from anysym.language.comfy_format import is_ui_workflow
    from anysym.language.diagnostics import Diagnostic, DiagnosticKind
    from anysym.language.source_text import load_json
    from anysym.language.ui_workflow import read_ui
    from anysym.language.validate import validate
    from anysym.language.validate_api import validate_api

    try:
        if text.lstrip().startswith("{"):
            data = load_json(text)
            if is_ui_workflow(data):
                imported = read_ui(data, catalog)
                # validate names each unknown node type once, as an error; the import's note would repeat it
                notes = [n for n in imported.notes if n.kind is not DiagnosticKind.UNKNOWN_FUNCTION]
                return [*notes, *validate(imported.flow, catalog)]
            return validate_api(data, catalog)
        from anysym.language.syntax import detect_syntax, parse

        return validate(parse(text, detect_syntax(text)), catalog)
    except ALangError as exc:
        return exc.diagnostics or [Diagnostic(kind=DiagnosticKind.SYNTAX_ERROR, message=exc.message)]


def _print(diagnostics: list[Diagnostic], file: Path) -> None:
    for d in diagnostics:
        colour = "red" if d.is_error else "yellow"
        console.print(f"[{colour}]{escape(d.render())}[/]", soft_wrap=True, highlight=False)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    verdict = "[bold red]invalid[/]" if errors else "[bold green]valid[/]"
    summary = f"{verdict} {escape(str(file))}: {errors} error(s), {warnings} warning(s)"
    console.print(summary, soft_wrap=True, highlight=False)


def validate_command(
    file: Annotated[
        Path, typer.Argument(help="A-Language text (any syntax), API prompt JSON or UI workflow.")
    ],
    catalog_path: Annotated[
        Path | None, typer.Option("--catalog", help="A saved /object_info JSON (e.g. from `catalog pull`).")
    ] = None,
    server: Annotated[
        str | None, typer.Option("--server", help="Read the catalog from this ComfyUI server's /object_info.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diagnostics as a JSON array.")] = False,
) -> None:
    """Check a flow against a node catalog; exit 0 when valid, 1 with diagnostics, 2 when it cannot check."""
    from anysym.language.diagnostics import diagnostics_to_json, has_errors
    from anysym.language.source_text import read_source

    try:
        text = read_source(file)
    except OSError as exc:
        fail(
            f"cannot read {file}: {exc.strerror or exc}; pass A-Language text or ComfyUI JSON", EXIT_UNUSABLE
        )
    except ALangError as exc:
        fail(exc.message, EXIT_UNUSABLE)
    try:
        catalog = resolve_catalog(catalog_path, server)
    except AnysymError as exc:
        fail(str(exc).splitlines()[0], EXIT_UNUSABLE)
    diagnostics = diagnose_text(text, catalog)
    if as_json:
        typer.echo(diagnostics_to_json(diagnostics))
    else:
        _print(diagnostics, file)
    raise typer.Exit(EXIT_INVALID if has_errors(diagnostics) else 0)


def bench_validate(
    functions: Annotated[int, typer.Option("--functions", min=1, help="Size of the generated flow.")] = 200,
    repeats: Annotated[
        int, typer.Option("--repeats", min=1, help="Timed runs (the median is printed).")
    ] = 50,
    hostile: Annotated[
        bool, typer.Option("--hostile", help="Also time hostile inputs of 1 KB to 5 MB (ms per KB).")
    ] = False,
) -> None:
    """Time `validate` on a generated flow built from the real core catalog (clean and with faults)."""
    from anysym.bench.validate_bench import run

    with reporting_errors():
        for faulty in (False, True):
            timing = run(functions, repeats, faulty=faulty)
            typer.echo(("with faults  " if faulty else "valid flow   ") + timing.render())
        if hostile:
            from anysym.bench.validate_bench import scaling

            typer.echo("hostile inputs (the whole validate path: format detection, parsing, checks):")
            for row in scaling():
                typer.echo("  " + row.render())


def describe_node(spec: NodeSpec) -> list[str]:
    """Describe a node type for people and prompts: one line per input (type, section, widget options)."""
    from anysym.language.validate_values import bounds, trimmed_choices

    lines = [f"{spec.name} ({spec.display_name or spec.name}), category {spec.category or '-'}"]
    if spec.output_node:
        lines[0] += ", output node"
    lines.append("inputs:")
    for inp in spec.inputs.values():
        parts = [f"  {inp.name}: {inp.type}", inp.section]
        if inp.section == "hidden":
            parts.append("filled by the server")
        elif not inp.is_widget and inp.type != "COMBO":
            parts.append("link")
        if inp.default is not None:
            parts.append(f"default {inp.default!r}")
        if inp.min is not None or inp.max is not None:
            parts.append(f"range {bounds(inp.min, inp.max)}")
        if inp.type == "COMBO":
            parts.append(f"choices: {trimmed_choices(inp.choices or ()) or 'none on this server'}")
        lines.append(", ".join(parts))
    lines.append("outputs:" if spec.outputs else "outputs: none")
    lines.extend(f"  {o.index}: {o.name} ({o.type}{', list' if o.is_list else ''})" for o in spec.outputs)
    return lines


def show_node(
    name: Annotated[str, typer.Argument(help="A node type, e.g. ImageBlend.")],
    catalog_path: Annotated[Path | None, typer.Option("--catalog", help="A saved /object_info JSON.")] = None,
    server: Annotated[
        str | None, typer.Option("--server", help="Read /object_info from this server.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw /object_info entry.")] = False,
) -> None:
    """Show one node type of a catalog: inputs with types, defaults, ranges and choices; outputs."""
    try:
        catalog = resolve_catalog(catalog_path, server)
    except AnysymError as exc:
        fail(str(exc).splitlines()[0], EXIT_UNUSABLE)
    spec = catalog.get(name)
    if spec is None:
        close = catalog.closest(name)
        fail(f"no node type {name!r} in the catalog" + (f"; closest: {', '.join(close)}" if close else ""))
    if as_json:
        typer.echo(json.dumps(catalog.to_object_info().get(name, {}), indent=1, ensure_ascii=False))
        return
    for line in describe_node(spec):
        console.print(escape(line), soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add `validate`, `bench validate`, and `catalog show` (into the `catalog` group when it exists)."""
    app.command("validate")(validate_command)
    bench_app.command("validate")(bench_validate)
    try:
        from anysym.cli.comfy import catalog_app
    except ImportError:  # the executor's CLI module is optional for these commands
        return
    catalog_app.command("show")(show_node)
