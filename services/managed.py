"""A local server anysym installs, starts and owns on one port: `ManagedServer`, and its `ManagedProcess`.

The managed local ComfyUI (`anysym.services.comfy.server`) and the managed local LLM
(`anysym.services.llm.server`) are both a `ManagedServer`: a long-lived child started in its own session,
logging to `<home>/port-<N>/server.log`, found again by later processes through `server.pid` there, and
stopped with SIGTERM then SIGKILL. A pid in the file counts only while that process is alive and its
command line is the server's own (`owns`): a pid reused by the system after a crash is never signalled.
"""

from __future__ import annotations

import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from anysym.errors import LocalServiceError
from anysym.services.process import alive, cmdline, last_line, send_signal, wait_exit

__all__ = ["STOP_GRACE_S", "ManagedProcess", "ManagedServer"]

STOP_GRACE_S = 10.0
"""Seconds a server gets to exit after SIGTERM before SIGKILL."""
_POLL_S = 0.25


class ManagedProcess:
    """The pid file, log and lifecycle of one managed server (`name` is how messages call it)."""

    def __init__(self, *, name: str, pid_path: Path, log_path: Path, owns: Callable[[str], bool]) -> None:
        self.name = name
        self.pid_path = pid_path
        self.log_path = log_path
        self._owns = owns
        self._process: subprocess.Popen[bytes] | None = None

    def running_pid(self) -> int | None:
        """The pid from the pid file while it is alive and is our server; a stale file is removed."""
        try:
            pid = int(self.pid_path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None
        own_child = self._process
        if own_child is not None and own_child.pid == pid and own_child.poll() is None:
            # Our own child: its command line may still be empty, since Popen returns (vfork) before
            # the kernel has set up the new program's arguments.
            return pid
        if not alive(pid) or not self._owns(cmdline(pid)):
            self.pid_path.unlink(missing_ok=True)
            return None
        return pid

    def start(self, command: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None) -> int:
        """Start `command` in its own session, logging to the log file; record and return its pid."""
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._process = process  # kept so that stop() reaps it (no "still running" ResourceWarning)
        self.pid_path.write_text(f"{process.pid}\n", encoding="utf-8")
        return process.pid

    def wait_ready(self, pid: int, timeout: float, ready: Callable[[], bool]) -> None:
        """Wait until `ready()`; `LocalServiceError` when the process dies or `timeout` passes (stopped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive(pid):
                self._forget()
                raise LocalServiceError(
                    f"{self.name} exited while starting ({last_line(self.log_path)}); see {self.log_path}"
                )
            if ready():
                return
            time.sleep(_POLL_S)
        self.stop()
        raise LocalServiceError(
            f"{self.name} did not answer within {timeout:.0f} s and was stopped; see {self.log_path}"
        )

    def stop(self, grace: float = STOP_GRACE_S) -> bool:
        """Stop our server (SIGTERM, SIGKILL after `grace` s); False when none was running."""
        pid = self.running_pid()
        if pid is None:
            return False
        send_signal(pid, signal.SIGTERM)
        if not wait_exit(pid, grace):
            send_signal(pid, signal.SIGKILL)
            wait_exit(pid, grace)
        self._forget()
        return True

    def kill(self) -> None:
        """Kill our server at once (SIGKILL), as a crash would; for failure tests."""
        pid = self.running_pid()
        if pid is not None:
            send_signal(pid, signal.SIGKILL)
            wait_exit(pid, STOP_GRACE_S)
            self._forget()

    def _forget(self) -> None:
        """Reap our child (when it is ours) and remove the pid file."""
        if self._process is not None:
            try:
                self._process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                pass
            else:
                self._process = None
        self.pid_path.unlink(missing_ok=True)


class ManagedServer(ABC):
    """One managed server on `port`, its state under `home`: what the ComfyUI and the LLM share.

    A subclass says how messages call it (`name`), its `url`, the `command` that starts it and how its
    command line is recognised (`owns`); it installs and serves itself with `_process`.
    """

    name: ClassVar[str]
    """How messages call the server, e.g. "the local ComfyUI"."""

    def __init__(self, home: Path, port: int) -> None:
        self.home = home
        self.port = port
        self._process = ManagedProcess(
            name=self.name, pid_path=self.pid_path, log_path=self.log_path, owns=self.owns
        )

    @property
    def run_dir(self) -> Path:
        """Per-port state: the log, the pid file and what the server keeps per port."""
        return self.home / f"port-{self.port}"

    @property
    def log_path(self) -> Path:
        """The server's combined stdout/stderr log."""
        return self.run_dir / "server.log"

    @property
    def pid_path(self) -> Path:
        """The pid of the background server started by `serve`."""
        return self.run_dir / "server.pid"

    @property
    @abstractmethod
    def url(self) -> str:
        """Where clients reach the server."""

    @abstractmethod
    def command(self) -> list[str]:
        """The command line that starts the server on this port."""

    @abstractmethod
    def owns(self, command_line: str) -> bool:
        """Whether a running process with this command line is this server."""

    def running_pid(self) -> int | None:
        """The pid from the pid file if it is alive and is our server (not a reused pid)."""
        return self._process.running_pid()

    def stop(self, grace: float = STOP_GRACE_S) -> bool:
        """Stop the server started by `serve` (SIGTERM, SIGKILL after `grace` s); False if none ran."""
        return self._process.stop(grace)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would; for failure tests."""
        self._process.kill()

    def port_taken(self) -> LocalServiceError:
        """The error for a port another program's server answers on."""
        return LocalServiceError(
            f"port {self.port} is taken by a server anysym did not start; use another port (--port)"
        )
