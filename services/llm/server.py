"""The managed local LLM: llama.cpp's own OpenAI-compatible `llama-server` with a bundled GGUF, on 127.0.0.1.

Layout under `paths.llm`: `llama.cpp/bin/{llama-server,llama-bench}` (compiled natively on this machine),
`models/<file>.gguf` (assembled, sha256-pinned), `install.log`, `runtime.json` (marker of a complete
runtime build: source pin, CMake flags, CPU fingerprint) and per port `port-<N>/{server.log,server.pid}`.
The model's hash is checked before every start, so a corrupted or substituted file is refused.

**Usage**: `LocalLLM(paths).install(print)`; `url = LocalLLM(paths).serve()`; `.status()`; `.stop()`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from anysym.errors import LocalServiceError
from anysym.services.llm.flags import HOST, ServerTuning, server_command
from anysym.services.llm.install import Progress, assemble_model, verify_model
from anysym.services.llm.models import DEFAULT_MODEL, MODELS, ModelSpec, model_spec
from anysym.services.llm.native_build import CMAKE_ARGS, LLAMA_SOURCE, build_llama_cpp, cpu_fingerprint
from anysym.services.llm.status import LLMStatus, healthy, measure_speed, served_alias, served_model
from anysym.services.managed import ManagedServer
from anysym.services.process import cmdline, rss_bytes
from anysym.settings import LLM_PORT, Paths

__all__ = ["DEFAULT_PORT", "HOST", "LLMStatus", "LocalLLM"]

DEFAULT_PORT = LLM_PORT
RUNTIME = "llama-server"


def _quiet(_: str) -> None:
    """Progress sink that prints nothing."""


class LocalLLM(ManagedServer):
    """One managed local model and the server that runs it on `port`."""

    name = "the local LLM server"

    def __init__(
        self,
        paths: Paths,
        *,
        model: str = DEFAULT_MODEL,
        port: int = DEFAULT_PORT,
        tuning: ServerTuning | None = None,
    ) -> None:
        self.spec: ModelSpec = model_spec(model)
        self.tuning = tuning or ServerTuning()
        super().__init__(paths.llm, port)

    def owns(self, command_line: str) -> bool:
        """Whether a process's command line runs this installation's `llama-server`."""
        return command_line.startswith(f"{self.server_binary} ")

    @property
    def bin_dir(self) -> Path:
        """Where the natively built llama.cpp binaries live."""
        return self.home / "llama.cpp" / "bin"

    @property
    def server_binary(self) -> Path:
        """The `llama-server` executable."""
        return self.bin_dir / "llama-server"

    @property
    def bench_binary(self) -> Path:
        """The `llama-bench` executable of the same build (reference speeds)."""
        return self.bin_dir / "llama-bench"

    @property
    def model_path(self) -> Path:
        """The assembled GGUF file of this model."""
        return self.home / "models" / self.spec.filename

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL (what `ChatOpenAI(base_url=...)` takes)."""
        return f"http://{HOST}:{self.port}/v1"

    @property
    def runtime_marker(self) -> Path:
        """Written after a complete runtime build; names what was built, how, and for which CPU."""
        return self.home / "runtime.json"

    @staticmethod
    def runtime_record() -> dict[str, object]:
        """What `runtime.json` must say for the installed build to be usable on this machine."""
        return {
            "runtime": RUNTIME,
            "source": LLAMA_SOURCE,
            "cmake_args": list(CMAKE_ARGS),
            "cpu": cpu_fingerprint(),
        }

    @property
    def runtime_installed(self) -> bool:
        """Whether llama-server of the pinned source, flags and this CPU is installed."""
        try:
            marker = json.loads(self.runtime_marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        binaries = self.server_binary.is_file() and self.bench_binary.is_file()
        return marker == self.runtime_record() and binaries

    def install(self, progress: Progress = _quiet, *, force: bool = False) -> None:
        """Install the runtime and this model (idempotent; `force` rebuilds the model file)."""
        self.home.mkdir(parents=True, exist_ok=True)
        log = self.home / "install.log"
        started = time.monotonic()
        if force or not self.runtime_installed:
            self.runtime_marker.unlink(missing_ok=True)
            build_llama_cpp(self.bin_dir, log, progress)
            self.runtime_marker.write_text(json.dumps(self.runtime_record()) + "\n", encoding="utf-8")
            progress(f"llama-server built in {self.bin_dir} ({time.monotonic() - started:.0f} s)")
        else:
            progress(f"llama-server ({LLAMA_SOURCE}, native build) already installed in {self.bin_dir}")
        if not force and self.model_path.is_file():
            try:
                verify_model(self.model_path, self.spec)
                progress(f"model {self.spec.alias} already installed and verified: {self.model_path}")
                return
            except LocalServiceError:
                progress(f"{self.model_path} does not match its pinned sha256; rebuilding it")
        assemble_model(self.spec, Path(sys.executable), self.model_path, log, progress)
        seconds = time.monotonic() - started
        progress(f"model {self.spec.alias} installed in {self.model_path} ({seconds:.0f} s)")

    def command(self) -> list[str]:
        """The command line that starts the server."""
        binary, model, alias = self.server_binary, self.model_path, self.spec.alias
        return server_command(binary, model=model, alias=alias, port=self.port, tuning=self.tuning)

    def serve(self, timeout: float = 120.0) -> str:
        """Reuse our running server, or start one after checking the model hash; return its URL."""
        if not self.runtime_installed:
            raise LocalServiceError("the local LLM runtime is not installed: run `anysym llm install`")
        pid = self.running_pid()
        # The server's own command line says what it serves; a different model or tuning means a restart.
        # A running server of ours loaded the file it was started with, after this same check (hashing
        # the file again would cost every `anysym run` ~0.3 s for the 0.5B, ~0.7 s for the 1.5B).
        if pid is not None and cmdline(pid).strip() == " ".join(self.command()):
            return self.url
        verify_model(self.model_path, self.spec)
        if pid is not None:
            self.stop()
        elif healthy(self.port) is not None:
            raise self.port_taken()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        pid = self._process.start(self.command(), env=dict(os.environ) | self.tuning.env())
        self._process.wait_ready(pid, timeout, lambda: healthy(self.port) is True)
        return self.url

    def ensure_running(self, progress: Progress = _quiet, timeout: float = 120.0) -> str:
        """Serve the local model for `anysym run` when no endpoint is configured; return its URL."""
        if self.running_pid() is None:
            progress(f"no LLM endpoint configured; starting the local model {self.spec.alias} ...")
        if not self.runtime_installed or not self.model_path.is_file():
            raise LocalServiceError(
                f"no LLM endpoint configured and the local model {self.spec.alias} is not installed: run "
                f"`anysym llm install{self._model_flag}` or set ANYSYM_LLM_BASE_URL"
            )
        return self.serve(timeout=timeout)

    @property
    def _model_flag(self) -> str:
        return "" if self.spec.alias == DEFAULT_MODEL else f" --model {self.spec.alias}"

    def status(self, *, measure: bool = False) -> LLMStatus:
        """Report install and run state; `measure` times a short completion for tokens/s."""
        pid = self.running_pid()
        served = (served_model(self.url) or served_alias(cmdline(pid))) if pid is not None else None
        running = served is not None
        return LLMStatus(
            model=self.spec.alias,
            runtime_installed=self.runtime_installed,
            model_installed=self.model_path.is_file(),
            running=running,
            pid=pid,
            url=self.url,
            rss_bytes=rss_bytes(pid) if pid is not None and running else None,
            tokens_per_s=measure_speed(self.url, served) if measure and served else None,
            served_model=served,
        )

    @staticmethod
    def installed_models(paths: Paths) -> list[str]:
        """Aliases of the models whose assembled file exists (not verified)."""
        return [a for a in MODELS if LocalLLM(paths, model=a).model_path.is_file()]
