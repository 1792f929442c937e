"""Process helpers shared by the managed local services (ComfyUI, LLM): liveness, memory, signals, logs."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

__all__ = ["alive", "cmdline", "free_port", "last_line", "rss_bytes", "send_signal", "wait_exit"]


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
    """The command line of `pid`, arguments joined by spaces ("" when unknown)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_bytes(pid: int) -> int | None:
    """Resident memory of `pid` in bytes (None when unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def send_signal(pid: int, sig: signal.Signals) -> None:
    """Signal `pid`, ignoring a process that is already gone."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def wait_exit(pid: int, grace: float) -> bool:
    """Wait up to `grace` seconds for `pid` to exit (reaping it when it is our child)."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return True
        except ChildProcessError:
            pass
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


def last_line(path: Path) -> str:
    """The last non-empty line of a log, shortened, for one-line error messages."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return "no log"
    lines = [line for line in lines if line]
    return lines[-1][:200] if lines else "empty log"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for servers started beside the defaults)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
