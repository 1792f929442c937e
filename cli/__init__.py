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


COMMAND_OWNERS: dict[str, tuple[str, ...]] = {
    "convert": ("convert",),
    "validate": ("validate",),
    "execute": ("execute",),
    "catalog": ("comfy", "validate"),
    "run": ("run",),
    "resume": ("run",),
    "rerun": ("run",),
}
"""The modules that define a command whose start-up a user waits for (and every subcommand of it):
`anysym convert ...` or `anysym run ...` registers only those, since typer builds every registered
command's parameters at start, which is most of a quick command's start-up time."""


def _register_all() -> None:
    for name in COMMAND_MODULES:
        _register(name)


def _register(module: str) -> None:
    import importlib

    importlib.import_module(f"anysym.cli.{module}").register(app)


def main() -> None:
    """Run the `anysym` console script."""
    import sys

    command = sys.argv[1] if len(sys.argv) > 1 else ""
    for module in COMMAND_OWNERS.get(command, COMMAND_MODULES):
        _register(module)
    app()
