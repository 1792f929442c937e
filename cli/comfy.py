"""`anysym comfy install|serve|status|stop` (the managed local CPU ComfyUI) and `anysym catalog pull`."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from anysym.cli.common import console, err_console, paths_from_env, reporting_errors
from anysym.settings import COMFY_PORT

if TYPE_CHECKING:
    from anysym.services.comfy.server import LocalComfy

comfy_app = typer.Typer(name="comfy", help="The managed local CPU ComfyUI.", no_args_is_help=True)
catalog_app = typer.Typer(name="catalog", help="Node catalogs (/object_info) of ComfyUI servers.")

PortOption = Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")]


def _local(port: int = COMFY_PORT) -> LocalComfy:
    from anysym.services.comfy.server import LocalComfy

    return LocalComfy(paths_from_env(), port=port)


def _progress(message: str) -> None:
    err_console.print(f"[cyan]==>[/] {escape(message)}", highlight=False)


@comfy_app.command("install")
def install(
    with_random_models: Annotated[
        bool, typer.Option("--with-random-models", help="Also write the random-weight test models.")
    ] = False,
) -> None:
    """Install the local CPU ComfyUI in its own virtualenv (idempotent)."""
    with reporting_errors():
        local = _local()
        local.install(_progress)
        if with_random_models:
            _generate_random_models(local)


def _generate_random_models(local: LocalComfy) -> None:
    try:
        module = importlib.import_module("anysym.services.comfy.random_models")
    except ModuleNotFoundError:
        _progress("random-weight models are not available in this version; skipped")
        return
    module.generate(local, progress=_progress)


@comfy_app.command("serve")
def serve(
    port: PortOption = COMFY_PORT,
    timeout: Annotated[float, typer.Option(help="Seconds to wait until it answers.")] = 120.0,
) -> None:
    """Start the local ComfyUI in the background (or reuse the running one) and print its URL."""
    with reporting_errors():
        local = _local(port)
        was_running = local.status().running
        url = local.serve(timeout=timeout)
        _progress(("already running at " if was_running else "serving at ") + url)
        _progress(f"catalog saved to {local.catalog_path}; log {local.log_path}")
        console.print(escape(url), highlight=False)


@comfy_app.command("status")
def status(port: PortOption = COMFY_PORT) -> None:
    """Say whether the local ComfyUI is installed and running (exit 1 when not running)."""
    with reporting_errors():
        state = _local(port).status()
    console.print(state.render(), highlight=False)
    if not state.running:
        raise typer.Exit(1)


@comfy_app.command("stop")
def stop(port: PortOption = COMFY_PORT) -> None:
    """Stop the local ComfyUI started by `serve` (by its pid)."""
    with reporting_errors():
        stopped = _local(port).stop()
    console.print("stopped" if stopped else "not running")


@catalog_app.command("pull")
def pull(
    server: Annotated[str, typer.Option("--server", help="ComfyUI base URL.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Where to write /object_info JSON.")],
) -> None:
    """Save a server's /object_info (its node catalog) to a file."""
    import asyncio

    from anysym.executor.client import connect

    async def fetch() -> dict[str, Any]:
        async with connect(server) as client:
            return await client.object_info()

    with reporting_errors():
        info = asyncio.run(fetch())
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(escape(f"{len(info)} node types from {server} saved to {out}"))


def register(app: typer.Typer) -> None:
    """Add the `comfy` and `catalog` command groups."""
    app.add_typer(comfy_app)
    app.add_typer(catalog_app)
