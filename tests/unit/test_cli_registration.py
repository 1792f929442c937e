"""The quick commands register only the modules that define them; each must be the same command as when
every module is registered (subcommands and options included)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from anysym.cli import COMMAND_MODULES, COMMAND_OWNERS

_DESCRIBE = """
import importlib, json, sys
import typer.main
from anysym.cli import app

def shape(command):
    subcommands = getattr(command, "commands", {})
    return {"params": sorted(p.name for p in command.params),
            "sub": {name: shape(sub) for name, sub in sorted(subcommands.items())}}

for module in json.loads(sys.argv[1]):
    importlib.import_module(f"anysym.cli.{module}").register(app)
commands = typer.main.get_command(app).commands
print(json.dumps({"shape": shape(commands[sys.argv[2]]), "top": sorted(commands)}))
"""


def _describe(modules: tuple[str, ...], command: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _DESCRIBE, json.dumps(list(modules)), command],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize(("command", "owners"), sorted(COMMAND_OWNERS.items()))
def test_a_quick_command_is_whole_from_its_own_modules(command: str, owners: tuple[str, ...]) -> None:
    alone, everything = _describe(owners, command), _describe(COMMAND_MODULES, command)
    assert alone["shape"] == everything["shape"]
    others = {"run", "bench", "llm", "index"} - set(owners)
    assert not others & set(alone["top"])  # type: ignore[arg-type]
