"""The `anysym` command line: a thin layer that parses arguments and calls the library.

Each command group lives in its own module with a `register(app)` function, added to `COMMAND_MODULES`.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="anysym",
    help="Turn generative tasks into symbolic flows (A-Language) and run them on ComfyUI.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print the anysym version."""
    from importlib.metadata import version as _version

    typer.echo(_version("anysym"))


COMMAND_MODULES: tuple[str, ...] = (
    "convert",
    "bench",
    "comfy",
    "execute",
    "random_models",
    "validate",
    "llm",
    "retrieval",
    "node_recall",
    "run",
)
"""Modules of `anysym.cli` that register commands (imported lazily by `main`)."""


def _register_all() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"anysym.cli.{name}").register(app)


def main() -> None:
    """Run the `anysym` console script."""
    _register_all()
    app()
