"""How long the commands that need no LLM take to start: each run as a user runs it, in a new process.

Start-up is mostly imports; LangGraph and LangChain alone cost seconds, so only the commands that run
the engine may import them. Each command is timed from process start to exit (the work itself is a few
milliseconds for the small flow used here).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from anysym.errors import BenchError

__all__ = ["StartupRow", "startup_commands", "time_commands"]

_LAUNCH = "from anysym.cli import main; main()"
"""The console script's entry point, run by this Python (the `anysym` script does the same)."""


@dataclass(frozen=True)
class StartupRow:
    """The wall time of one command over several runs."""

    command: str
    seconds: list[float]

    def render(self) -> str:
        """One terminal line: the command, the median and the range."""
        return (
            f"{self.command:<44} median {statistics.median(self.seconds):5.2f} s  "
            f"(min {min(self.seconds):.2f}, max {max(self.seconds):.2f}, {len(self.seconds)} runs)"
        )


def startup_commands() -> dict[str, list[str]]:
    """The commands to time, by label: help, version, and validate and convert of a shipped flow."""
    suites = resources.files("anysym.bench") / "suites"
    flow = Path(str(suites / "cpu_solutions" / "blend_then_crop.alang"))
    catalog = Path(str(suites / "catalogs" / "core_comfyui_0.0.1.json"))
    return {
        "anysym --help": ["--help"],
        "anysym version": ["version"],
        "anysym validate --help": ["validate", "--help"],
        "anysym convert FLOW --to api --catalog CATALOG": [
            "convert",
            str(flow),
            "--to",
            "api",
            "--catalog",
            str(catalog),
        ],
        "anysym convert FLOW --to dataflow": ["convert", str(flow), "--to", "dataflow"],
        "anysym validate FLOW --catalog CATALOG": ["validate", str(flow), "--catalog", str(catalog)],
    }


def time_commands(commands: Mapping[str, Sequence[str]], runs: int) -> list[StartupRow]:
    """Run each command `runs` times in a new Python process; a failing command is a `BenchError`."""
    rows = []
    for label, arguments in commands.items():
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _LAUNCH, *arguments], capture_output=True, text=True, check=False
            )
            seconds.append(time.perf_counter() - started)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["no message"])[-1]
                raise BenchError(f"`{label}` exited with {done.returncode}: {last}")
        rows.append(StartupRow(label, seconds))
    return rows
