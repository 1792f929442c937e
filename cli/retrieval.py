"""`anysym index`, `anysym search` and `anysym bench retrieval`: the reference-program store from the shell.

The store and the embedding come from the environment through `cli.common.retrieval_from_env`
(`anysym.retriever.settings.ENVIRONMENT`), as for `anysym run`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from anysym.cli.bench_group import bench_app
from anysym.cli.common import console, fail, paths_from_env, reporting_errors, retrieval_from_env

LibraryOption = Annotated[
    list[Path] | None,
    typer.Option("--library", help="A folder of your programs (.alang, ComfyUI API/UI .json); repeatable."),
]
DEFAULT_QUERIES = Path(__file__).resolve().parents[1] / "bench" / "data" / "retrieval_queries.json"


def _index(library: list[Path] | None, embedding: Any = None) -> Any:
    from anysym.retriever import build_index

    settings = retrieval_from_env()
    chosen = embedding or settings.embedding_function()
    return build_index(
        paths_from_env(), library_dirs=library or (), chroma_url=settings.chroma_url, embedding=chosen
    )


def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild unconditionally.")] = False,
    library: LibraryOption = None,
) -> None:
    """Build (or check) the reference-program index; rebuilt automatically when the library changes."""
    with reporting_errors():
        store = _index(library)
        if rebuild:
            store.rebuild()
            state = "rebuilt"
        else:
            state = "rebuilt (library changed)" if store.ensure() else "up to date"
        console.print(
            f"reference-program index {state}: {len(store.programs)} programs, {store.count()} documents"
        )


def search(
    query: Annotated[str, typer.Argument(help="The task, in your own words.")],
    k: Annotated[int, typer.Option("-k", help="How many programs to show.")] = 3,
    library: LibraryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the reference programs closest to a task, best first, with cosine-similarity scores."""
    with reporting_errors():
        hits = _index(library).retrieve(query, k=k)
    if as_json:
        rows = [{"id": h.program.id, "score": round(h.score, 4), "title": h.program.title} for h in hits]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("rank", "score", "program", "category", "in -> out", "title")
    for rank, hit in enumerate(hits, start=1):
        p = hit.program
        flow = f"{','.join(p.input_modalities) or '-'} -> {','.join(p.output_modalities) or '-'}"
        cells = (p.id, p.category, flow, p.title)  # a user library's ids and titles may hold [markup]
        table.add_row(str(rank), f"{hit.score:.3f}", *(escape(cell) for cell in cells))
    console.print(table)


def bench_retrieval(
    queries: Annotated[Path, typer.Option(help="Query set JSON.")] = DEFAULT_QUERIES,
    scheme: Annotated[str, typer.Option(help="description, combined, multi or all.")] = "all",
    size: Annotated[int, typer.Option(help="Synthetic programs for the latency run (0 skips it).")] = 10_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Measure recall@1/@3 on paraphrased tasks (per split) and top-3 latency over a large library."""
    from anysym.bench.retrieval_bench import latency, load_queries, recall
    from anysym.reference_programs import load_library
    from anysym.retriever import SCHEMES, OfflineMiniLM, ProgramIndex
    from anysym.settings import Paths

    schemes = list(SCHEMES) if scheme == "all" else [scheme]
    if any(s not in SCHEMES for s in schemes):
        fail(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)} or all")
    report: dict[str, Any] = {"recall": [], "latency": None}
    with reporting_errors(), tempfile.TemporaryDirectory(prefix="anysym-bench-retrieval-") as tmp:
        items = load_queries(queries)
        embedding, programs, paths = OfflineMiniLM(), load_library(), Paths(home=Path(tmp))
        for name in schemes:
            index = ProgramIndex(paths, embedding=embedding, programs=programs, scheme=name, collection=name)  # type: ignore[arg-type]
            for split in sorted({q.split for q in items}) + ["all"]:
                chosen = [q for q in items if split in ("all", q.split)]
                result = recall(index, chosen, scheme=name)
                report["recall"].append({"split": split, **result.model_dump(exclude={"misses"})})
        if size > 0:
            texts = [q.query for q in items]
            report["latency"] = latency(
                paths, embedding=embedding, programs=programs, queries=texts, size=size
            )
    _print_bench(report, as_json)


def _print_bench(report: dict[str, Any], as_json: bool) -> None:
    timing = report["latency"]
    if as_json:
        typer.echo(json.dumps({**report, "latency": timing.model_dump() if timing else None}, indent=2))
        return
    table = Table("scheme", "split", "queries", "recall@1", "recall@3", "MRR")
    for row in report["recall"]:
        table.add_row(
            row["scheme"], row["split"], str(row["queries"]),
            f"{row['recall_at_1']:.3f}", f"{row['recall_at_3']:.3f}", f"{row['mrr']:.3f}",
        )  # fmt: skip
    console.print(table)
    if timing:
        console.print(
            f"top-3 latency over {timing.programs} programs ({timing.documents} documents, indexed in "
            f"{timing.index_seconds:.1f} s): median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms "
            f"({timing.samples} queries, query embedding included)"
        )


def register(app: typer.Typer) -> None:
    """Add the retrieval commands to the `anysym` app."""
    app.command("index")(index)
    app.command("search")(search)
    bench_app.command("retrieval")(bench_retrieval)
