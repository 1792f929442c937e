"""The managed server skeleton with a real child process: pid file, ownership, stop."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from anysym.services.managed import ManagedProcess


def _sleeper(tmp_path: Path) -> ManagedProcess:
    return ManagedProcess(
        name="sleeper",
        pid_path=tmp_path / "run" / "sleeper.pid",
        log_path=tmp_path / "sleeper.log",
        owns=lambda command_line: command_line.startswith(f"{shutil.which('sleep')} "),
    )


def test_a_just_started_child_is_ours_before_its_arguments_are_visible(tmp_path: Path) -> None:
    server = _sleeper(tmp_path)
    sleep = shutil.which("sleep")
    assert sleep is not None
    for _ in range(20):  # the window after vfork is short: try it several times
        pid = server.start([sleep, "30"], env=os.environ)
        try:
            assert server.running_pid() == pid
        finally:
            server.stop()
        assert server.running_pid() is None


def test_a_pid_file_naming_another_program_is_removed(tmp_path: Path) -> None:
    server = _sleeper(tmp_path)
    server.pid_path.parent.mkdir(parents=True)
    server.pid_path.write_text(f"{os.getpid()}\n")  # alive, but pytest is not `sleep`
    assert server.running_pid() is None and not server.pid_path.exists()
