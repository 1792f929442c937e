"""`anysym comfy models --random` and `anysym bench random-models`: the random-weight model kit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from anysym.cli.bench_group import bench_app
from anysym.cli.common import console, err_console, fail, paths_from_env, reporting_errors
from anysym.settings import COMFY_PORT


def _progress(message: str) -> None:
    err_console.print(f"[cyan]==>[/] {message}", highlight=False, soft_wrap=True)


def models(
    random: Annotated[
        bool, typer.Option("--random", help="Write the deterministic random-weight models (CPU tests).")
    ] = False,
) -> None:
    """Put model files into the local ComfyUI's models folder (today: the random-weight kit)."""
    from anysym.services.comfy.random_models import generate
    from anysym.services.comfy.server import LocalComfy

    if not random:
        fail("say which models: `anysym comfy models --random` (the only kind so far)")
    with reporting_errors():
        local = LocalComfy(paths_from_env())
        report = generate(local, progress=_progress)
    console.print(
        f"{len(report.outcomes)} random-weight models in {local.models_dir} "
        f"({report.total_bytes / 1e6:.0f} MB; {len(report.generated)} generated in {report.seconds:.1f} s)",
        highlight=False,
        soft_wrap=True,
    )


def bench_random_models(
    port: Annotated[int, typer.Option("--port", help="Port of the local ComfyUI to run the flows on.")] = (
        COMFY_PORT
    ),
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Also write the report as JSON.")] = None,
    repeats: Annotated[int, typer.Option(help="Warm runs per flow (new seed each).")] = 2,
) -> None:
    """Time generating every random-weight model (fresh, in a temp dir) and executing each CPU flow."""
    from anysym.bench.random_models_bench import render_report, run_bench
    from anysym.services.comfy.server import LocalComfy

    with reporting_errors():
        report = run_bench(LocalComfy(paths_from_env(), port=port), repeats=repeats, progress=_progress)
    console.print(render_report(report), highlight=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add `models` to the `comfy` group (owned by `anysym.cli.comfy`) and `bench random-models`."""
    from anysym.cli.comfy import comfy_app

    comfy_app.command("models")(models)
    bench_app.command("random-models")(bench_random_models)
