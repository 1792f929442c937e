"""ComfyUI-specific process plumbing: its status line, logged install steps, the readiness probe."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from anysym.errors import LocalServiceError
from anysym.services.process import last_line

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
