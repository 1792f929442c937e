"""The quick commands register only their own module; that must give the same command as registering all."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest
import typer

from anysym.cli import COMMAND_MODULES, OWN_MODULE


def _top_level_commands(module: str) -> set[str]:
    app = typer.Typer()
    importlib.import_module(f"anysym.cli.{module}").register(app)
    commands = [command for command in app.registered_commands if command.callback]
    return {command.name or command.callback.__name__ for command in commands if command.callback}


@pytest.mark.parametrize(("command", "module"), sorted(OWN_MODULE.items()))
def test_a_quick_command_is_defined_by_its_module_and_no_other(command: str, module: str) -> None:
    assert command in _top_level_commands(module)
    others = [name for name in COMMAND_MODULES if name != module and command in _top_level_commands(name)]
    assert others == []


def test_a_quick_command_runs_without_the_other_modules() -> None:
    code = (
        "import sys; sys.argv = ['anysym', 'convert', '--help']\n"
        "from anysym.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import json; print(json.dumps(sorted(m for m in sys.modules if m.startswith('anysym.cli.'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: anysym convert" in done.stdout
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert loaded & {f"anysym.cli.{name}" for name in COMMAND_MODULES} == {"anysym.cli.convert"}
