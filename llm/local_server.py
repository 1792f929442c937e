"""The managed local LLM: llama-cpp-python's OpenAI-compatible server with a bundled GGUF, on 127.0.0.1.

Layout under `paths.llm`: `venv/` (the compiled runtime), `models/<file>.gguf` (assembled, sha256-pinned),
`install.log`, `runtime.json` (marker of a complete runtime install) and per port `port-<N>/{server.log,
server.pid}`. The model's hash is checked before every start, so a corrupted or substituted file is refused.

**Usage**: `LocalLLM(paths).install(print)`; `url = LocalLLM(paths).serve()`; `.status()`; `.stop()`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from anysym.errors import LocalServiceError
from anysym.llm.install import RUNTIME_REQUIREMENT, Progress, assemble_model, install_runtime, verify_model
from anysym.llm.models import DEFAULT_MODEL, MODELS, ModelSpec, model_spec
from anysym.process import alive, cmdline, last_line, rss_bytes, send_signal, wait_exit
from anysym.settings import Paths

__all__ = ["DEFAULT_PORT", "HOST", "LLMStatus", "LocalLLM"]

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
N_CTX = 8192
STOP_GRACE_S = 10.0
SPEED_PROMPT = "Write the numbers from 1 to 40 separated by commas."


def _quiet(_: str) -> None:
    """Progress sink that prints nothing."""


@dataclass(frozen=True, kw_only=True)
class LLMStatus:
    """What `status()` found about the local LLM on one port."""

    model: str
    runtime_installed: bool
    model_installed: bool
    running: bool
    pid: int | None
    url: str
    rss_bytes: int | None = None
    tokens_per_s: float | None = None
    served_model: str | None = None

    def render(self) -> str:
        """A few lines for the CLI."""
        if not self.runtime_installed or not self.model_installed:
            return f"not installed (run `anysym llm install --model {self.model}`)"
        if not self.running:
            return f"installed ({self.model}), not running (start it with `anysym llm serve`)"
        lines = [f"running at {self.url} (pid {self.pid}, model {self.served_model})"]
        if self.rss_bytes is not None:
            lines.append(f"memory: {self.rss_bytes / 2**30:.2f} GiB resident")
        if self.tokens_per_s is not None:
            lines.append(f"speed: {self.tokens_per_s:.1f} output tokens/s (measured on a short completion)")
        return "\n".join(lines)


class LocalLLM:
    """One managed local model and the server that runs it on `port`."""

    def __init__(
        self, paths: Paths, *, model: str = DEFAULT_MODEL, port: int = DEFAULT_PORT, threads: int = 2
    ) -> None:
        self.spec: ModelSpec = model_spec(model)
        self.home = paths.llm
        self.port = port
        self.threads = threads
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def venv(self) -> Path:
        """The runtime virtualenv."""
        return self.home / "venv"

    @property
    def python(self) -> Path:
        """The runtime's interpreter (has `llama_cpp.server`)."""
        return self.venv / "bin" / "python"

    @property
    def model_path(self) -> Path:
        """The assembled GGUF file of this model."""
        return self.home / "models" / self.spec.filename

    @property
    def run_dir(self) -> Path:
        """Per-port state: log and pid file."""
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
    def url(self) -> str:
        """The OpenAI-compatible base URL (what `ChatOpenAI(base_url=...)` takes)."""
        return f"http://{HOST}:{self.port}/v1"

    @property
    def runtime_marker(self) -> Path:
        """Written after a complete runtime install; names the pinned requirement."""
        return self.home / "runtime.json"

    @property
    def runtime_installed(self) -> bool:
        """Whether the pinned runtime is installed."""
        try:
            marker = json.loads(self.runtime_marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return marker.get("requirement") == RUNTIME_REQUIREMENT and self.python.exists()

    def install(self, progress: Progress = _quiet, *, force: bool = False) -> None:
        """Install the runtime and this model (idempotent; `force` rebuilds the model file)."""
        self.home.mkdir(parents=True, exist_ok=True)
        log = self.home / "install.log"
        started = time.monotonic()
        if force or not self.runtime_installed:
            install_runtime(self.venv, log, progress)
            self.runtime_marker.write_text(json.dumps({"requirement": RUNTIME_REQUIREMENT}) + "\n")
        else:
            progress(f"{RUNTIME_REQUIREMENT} already installed in {self.venv}")
        if not force and self.model_path.is_file():
            try:
                verify_model(self.model_path, self.spec)
                progress(f"model {self.spec.alias} already installed and verified: {self.model_path}")
                return
            except LocalServiceError:
                progress(f"{self.model_path} does not match its pinned sha256; rebuilding it")
        assemble_model(self.spec, self.python, self.model_path, log, progress)
        seconds = time.monotonic() - started
        progress(f"model {self.spec.alias} installed in {self.model_path} ({seconds:.0f} s)")

    def command(self) -> list[str]:
        """The command line that starts the server."""
        return [
            str(self.python),
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--model_alias",
            self.spec.alias,
            "--n_ctx",
            str(N_CTX),
            "--n_threads",
            str(self.threads),
            "--host",
            HOST,
            "--port",
            str(self.port),
        ]

    def serve(self, timeout: float = 120.0) -> str:
        """Start the server in the background (or reuse ours) after checking the model hash; return URL."""
        if not self.runtime_installed:
            raise LocalServiceError("the local LLM runtime is not installed: run `anysym llm install`")
        verify_model(self.model_path, self.spec)
        pid = self.running_pid()
        # The server's own command line says which model it serves: asking it over HTTP is no health check,
        # because llama-cpp-python answers /models only between completions (a busy server looked dead
        # and was restarted under a running request).
        if pid is not None and f" --model {self.model_path} " in f" {cmdline(pid)} ":
            return self.url
        if pid is not None:
            self.stop()
        elif _served_model(self.url) is not None:
            raise LocalServiceError(
                f"port {self.port} is taken by a server anysym did not start; use another port (--port)"
            )
        self._wait_ready(self._start(), timeout)
        return self.url

    def ensure_running(self, progress: Progress = _quiet, timeout: float = 120.0) -> str:
        """Serve the local model for `anysym run` when no endpoint is configured; return its URL."""
        if self.running_pid() is None:
            progress(f"no LLM endpoint configured; starting the local model {self.spec.alias} ...")
        if not self.runtime_installed or not self.model_path.is_file():
            raise LocalServiceError(
                "no LLM endpoint configured and the local model is not installed: run `anysym llm install` "
                "or set ANYSYM_LLM_BASE_URL"
            )
        return self.serve(timeout=timeout)

    def _start(self) -> int:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            process = subprocess.Popen(
                self.command(),
                env=dict(os.environ) | {"PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._process = process  # kept so that stop() reaps it (no "still running" ResourceWarning)
        self.pid_path.write_text(f"{process.pid}\n", encoding="utf-8")
        return process.pid

    def _wait_ready(self, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive(pid):
                self._reap()
                self.pid_path.unlink(missing_ok=True)
                raise LocalServiceError(
                    f"the local LLM server exited while starting ({last_line(self.log_path)}); "
                    f"see {self.log_path}"
                )
            if _served_model(self.url) is not None:
                return
            time.sleep(0.25)
        self.stop()
        raise LocalServiceError(
            f"the local LLM server did not answer within {timeout:.0f} s and was stopped; see {self.log_path}"
        )

    def status(self, *, measure: bool = False) -> LLMStatus:
        """Report install and run state; `measure` times a short completion for tokens/s."""
        pid = self.running_pid()
        # A busy server answers /models only after its current completion: fall back to its command line.
        served = (_served_model(self.url) or _alias(cmdline(pid))) if pid is not None else None
        running = served is not None
        return LLMStatus(
            model=self.spec.alias,
            runtime_installed=self.runtime_installed,
            model_installed=self.model_path.is_file(),
            running=running,
            pid=pid,
            url=self.url,
            rss_bytes=rss_bytes(pid) if pid is not None and running else None,
            tokens_per_s=_measure_speed(self.url, served) if measure and served else None,
            served_model=served,
        )

    def stop(self, grace: float = STOP_GRACE_S) -> bool:
        """Stop the server started by `serve` (SIGTERM, then SIGKILL); False if none ran."""
        pid = self.running_pid()
        if pid is None:
            return False
        send_signal(pid, signal.SIGTERM)
        if not wait_exit(pid, grace):
            send_signal(pid, signal.SIGKILL)
            wait_exit(pid, grace)
        self._reap()
        self.pid_path.unlink(missing_ok=True)
        return True

    def _reap(self) -> None:
        if self._process is not None:
            try:
                self._process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                return
            self._process = None

    def running_pid(self) -> int | None:
        """The pid from the pid file if it is alive and is our server (not a reused pid)."""
        try:
            pid = int(self.pid_path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None
        if not alive(pid) or "llama_cpp.server" not in cmdline(pid):
            self.pid_path.unlink(missing_ok=True)
            return None
        return pid

    @staticmethod
    def installed_models(paths: Paths) -> list[str]:
        """Aliases of the models whose assembled file exists (not verified)."""
        return [a for a in MODELS if LocalLLM(paths, model=a).model_path.is_file()]


def _served_model(url: str) -> str | None:
    """The model id the server at `url` serves, or None when it does not answer."""
    try:
        response = httpx.get(f"{url}/models", timeout=2.0)
        data = response.json().get("data") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return str(data[0].get("id", ""))
    return None


def _alias(command_line: str) -> str | None:
    """The `--model_alias` of a llama_cpp.server command line."""
    words = command_line.split()
    return words[words.index("--model_alias") + 1] if "--model_alias" in words[:-1] else None


def _measure_speed(url: str, model: str) -> float | None:
    """Output tokens per second of one short, deterministic completion (prompt time included)."""
    body = {
        "model": model,
        "messages": [{"role": "user", "content": SPEED_PROMPT}],
        "max_tokens": 64,
        "temperature": 0,
        "seed": 0,
    }
    started = time.perf_counter()
    try:
        response = httpx.post(f"{url}/chat/completions", json=body, timeout=300.0)  # waits its turn
        tokens = int(response.json()["usage"]["completion_tokens"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    return tokens / (time.perf_counter() - started)
