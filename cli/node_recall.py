"""`anysym bench node-recall`: do the node types of each task's reference solution reach the prompt?

Runs the engine's retrieve step and catalog-excerpt selection (no LLM, a few seconds) on a suite with
reference solutions, with node search off and on side by side.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from anysym.cli.bench import SUITE_DIR
from anysym.cli.bench_group import bench_app
from anysym.cli.common import console, fail, paths_from_env, reporting_errors


def bench_node_recall(
    suite: Annotated[str, typer.Argument(help="Suite JSON path or a shipped suite name (cpu).")] = "cpu",
    catalog: Annotated[
        Path | None,
        typer.Option(help="Catalog JSON (/object_info); default: the managed local ComfyUI's saved one."),
    ] = None,
    node_k: Annotated[int, typer.Option(min=1, help="Node types searched per task step.")] = 3,
    k: Annotated[int, typer.Option(min=0, help="Reference programs retrieved per task.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Measure the prompt's node-type recall: the share of solution node types its catalog excerpt shows."""
    import asyncio

    from anysym.bench.node_recall import node_recall
    from anysym.bench.suites import load_suite
    from anysym.graph.context import Context
    from anysym.language.catalog import Catalog
    from anysym.retriever import OfflineMiniLM, build_index
    from anysym.retriever.factory import build_node_index
    from anysym.services.comfy.server import LocalComfy

    paths = paths_from_env()
    with reporting_errors():
        source = catalog or LocalComfy(paths).catalog_path
        if not source.is_file():
            fail(
                f"no catalog at {source}: "
                "start the local ComfyUI once (`anysym comfy serve`) or pass --catalog"
            )
        shipped = SUITE_DIR / f"{suite}.json"
        loaded = load_suite(shipped if shipped.is_file() else Path(suite))
        nodes_catalog = Catalog.load(source)
        embedding = OfflineMiniLM()
        programs = build_index(paths, embedding=embedding)
        nodes = build_node_index(paths, nodes_catalog, embedding=embedding)
        if not as_json:  # stdout must hold nothing but the JSON
            console.print("[dim]building the node index if needed (first time: ~20 s)...[/]")
        nodes.ensure()
        reports = [
            asyncio.run(
                node_recall(
                    loaded,
                    Path("."),
                    catalog=nodes_catalog,
                    retriever=programs,
                    nodes=nodes,
                    context=Context(k=k, node_k=chosen),
                    label=label,
                )
            )
            for label, chosen in (("programs only", 0), (f"programs + node search (node_k={node_k})", node_k))
        ]
    _print(reports, as_json)


def _print(reports: list[Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([r.model_dump() for r in reports], indent=2))
        return
    table = Table("configuration", "tasks", "type recall", "tasks fully covered", "types shown (mean)")
    for r in reports:
        table.add_row(
            r.label, str(len(r.tasks)), f"{r.type_recall:.1%}", f"{r.task_recall:.1%}", f"{r.mean_shown:.1f}"
        )
    console.print(table)
    for task in reports[-1].tasks:
        if task.missing:
            console.print(escape(f"  {task.task_id}: missing {', '.join(task.missing)}"))


def register(app: typer.Typer) -> None:
    """Add `bench node-recall` to the `anysym` app."""
    bench_app.command("node-recall")(bench_node_recall)
