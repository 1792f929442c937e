"""Process and status plumbing of the managed local services: liveness, signals, logged commands."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from anysym.errors import LocalServiceError

PIP_TIMEOUT_S = 1800.0
"""Upper bound for one install step (pip on a slow mirror)."""


@dataclass(frozen=True, kw_only=True)
class ServerStatus:
    """What `status()` found: installed or not, running or not, where."""

    installed: bool
    running: bool
    pid: int | None
    url: str
    log_path: Path

    def render(self) -> str:
        """One line for the CLI."""
        if not self.installed:
            return "not installed (run `anysym comfy install`)"
        if self.running:
            return f"running at {self.url} (pid {self.pid}, log {self.log_path})"
        return f"installed, not running (start it with `anysym comfy serve`); last log {self.log_path}"


def run_logged(command: list[str], log: Path, timeout: float = PIP_TIMEOUT_S) -> None:
    """Run an install step with its output appended to `log`; a failure names the log's last line."""
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"$ {' '.join(command)}\n")
        sink.flush()
        try:
            done = subprocess.run(
                command, stdout=sink, stderr=subprocess.STDOUT, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise LocalServiceError(
                f"`{' '.join(command[:4])} ...` took over {timeout:.0f} s; see {log} and retry"
            ) from exc
    if done.returncode != 0:
        raise LocalServiceError(
            f"ComfyUI install step failed ({last_line(log)}); see {log}, fix the cause and rerun "
            "`anysym comfy install`"
        )


def answers(url: str) -> bool:
    """Whether a ComfyUI answers `/system_stats` at `url` within 2 s."""
    try:
        return httpx.get(f"{url}/system_stats", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def alive(pid: int) -> bool:
    """Whether `pid` runs (zombies count as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return state not in ("Z", "X")


def cmdline(pid: int) -> str:
    """The command line of `pid` (empty when it is gone or unreadable)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def send_signal(pid: int, sig: signal.Signals) -> None:
    """Signal `pid`; a process that is already gone is fine."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def last_line(path: Path) -> str:
    """The last non-empty line of a log, shortened, for one-line error messages."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return "no log"
    lines = [line for line in lines if line]
    return lines[-1][:200] if lines else "empty log"
