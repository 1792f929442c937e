"""A real PostgreSQL server the tests start themselves: `initdb` + `pg_ctl` in a temporary directory.

Uses the OS package's binaries (Debian's `postgresql`, which `scripts/setup.sh` installs). PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.integration.services import free_port

__all__ = ["PostgresServer", "postgres_bin"]


def postgres_bin(name: str) -> str | None:
    """A PostgreSQL server binary (`initdb`, `pg_ctl`): on PATH, else in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class PostgresServer:
    """One throwaway cluster: `start()`, `url`, `restart()`, `stop()` (which also removes its files)."""

    def __init__(self) -> None:
        initdb, pg_ctl = postgres_bin("initdb"), postgres_bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise RuntimeError("no PostgreSQL binaries: ./scripts/setup.sh installs the postgresql package")
        self._pg_ctl = pg_ctl
        self._as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.home = Path(tempfile.mkdtemp(prefix="anysym-postgres-"))  # not under pytest's 0700 tmp dirs
        self.data = self.home / "data"
        self.port = free_port()
        if self._as_user:
            shutil.chown(self.home, user="postgres", group="postgres")
        self._run([initdb, "-D", str(self.data), "-A", "trust", "-U", "anysym", "--no-sync", "-E", "UTF8"])

    @property
    def url(self) -> str:
        """The connection URL of its `postgres` database."""
        return f"postgresql://anysym@127.0.0.1:{self.port}/postgres"

    def _run(self, command: list[str]) -> None:
        done = subprocess.run([*self._as_user, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def start(self) -> None:
        """Start the server on its port (TCP on 127.0.0.1 only) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.home / "server.log")
        self._run([self._pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start"])

    def restart(self) -> None:
        """Stop the server (fast shutdown) and start it again: what survives is what was committed."""
        self._run([self._pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"])
        self.start()

    def stop(self) -> None:
        """Stop the server and remove the cluster."""
        try:
            self._run([self._pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.home, ignore_errors=True)
