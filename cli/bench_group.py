"""`anysym bench`: the engine benchmark on a suite, and the micro-benchmarks as its subcommands.

`anysym bench SUITE --out DIR` runs a suite (the `suite` subcommand, the group's default);
`anysym bench NAME ...` runs the micro-benchmark NAME (`llm`, `executor`, `throughput`, ...), each
registered by the module of the commands it measures.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

__all__ = ["SUITE_COMMAND", "bench_app"]

SUITE_COMMAND = "suite"


class _SuiteByDefault(TyperGroup):
    """A group whose first word, when it names no subcommand, is the suite of the default command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [SUITE_COMMAND, *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        """The suite benchmark first, then the micro-benchmarks by name."""
        return sorted(self.commands, key=lambda name: (name != SUITE_COMMAND, name))


bench_app = typer.Typer(
    cls=_SuiteByDefault,
    no_args_is_help=True,
    help="Benchmark the engine on a suite (`anysym bench SUITE --out DIR`), or one part of it "
    "(`anysym bench NAME --help`).",
)
"""The `bench` group; `anysym.cli.bench` adds it to the app."""
