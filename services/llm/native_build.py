"""Building llama.cpp's own `llama-server` and `llama-bench` natively, from the pinned llama-cpp-python sdist.

The sdist (hash-pinned, fetched with `pip download`) vendors the llama.cpp CMake project; only its
`vendor/llama.cpp` tree is unpacked. The build is `-DGGML_NATIVE=ON` (`-march=native`): it runs on the
machine that compiled it, so the binaries go into anysym's cache, never into a shared wheel cache, and the
install marker records a fingerprint of the CPU so a cache copied to another CPU is rebuilt instead of
crashing with SIGILL. Static libraries make the two binaries self-contained; the scratch tree is deleted.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from anysym.errors import LocalServiceError
from anysym.services.llm.install import Progress
from anysym.services.process import last_line

__all__ = [
    "BUILD_JOBS",
    "CMAKE_ARGS",
    "LLAMA_SOURCE",
    "LLAMA_SOURCE_SHA256",
    "BuildProgress",
    "build_llama_cpp",
    "build_percent",
    "cpu_fingerprint",
]

LLAMA_SOURCE = "llama-cpp-python==0.3.36"
"""The sdist whose vendored llama.cpp is built (the same pin the Python runtime used)."""
LLAMA_SOURCE_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
BUILD_JOBS = 2
"""Compile jobs: the target machines have 2 cores."""
CMAKE_ARGS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=ON",  # safe here: built and run on the same machine (see the module docstring)
    # AMX tiles off: on a Sapphire Rapids VM that lists amx_* in /proc/cpuinfo, ggml's AMX matmul died
    # with a general protection fault at the first prompt (measured 2026-12-02). GCC lets an explicit
    # -mno-* override what -march=native implies, wherever it sits on the command line.
    "-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16",
    "-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16",
    "-DBUILD_SHARED_LIBS=OFF",  # self-contained binaries that can be moved out of the build tree
    # Offline: no HTTPS model downloads, no web UI (neither an npm build nor a prebuilt-asset download).
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
)
TARGETS = ("llama-server", "llama-bench")
VENDORED = "vendor/llama.cpp/"
STEP_TIMEOUT_S = 3600.0
PROGRESS_EVERY_S = 30.0
_PERCENT = re.compile(r"^\[\s*(\d{1,3})%\]")


def cpu_fingerprint(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """A short hash of the CPU model and instruction-set flags a native build depends on."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown"
    wanted = [line for line in text.splitlines() if line.split(":")[0].strip() in ("model name", "flags")]
    return hashlib.sha256("\n".join(sorted(set(wanted))).encode()).hexdigest()[:16]


def build_percent(line: str) -> int | None:
    """The percentage of a CMake Makefile progress line (`[ 42%] Building ...`), else None."""
    match = _PERCENT.match(line)
    return int(match.group(1)) if match else None


@dataclass
class BuildProgress:
    """Turns a compile's output lines into a progress message every 10 % or 30 s (not one per file)."""

    progress: Progress
    clock: Callable[[], float] = time.monotonic
    _shown: int = -10
    _last: float | None = None

    def feed(self, line: str) -> None:
        """Look at one output line; report when the build moved on enough."""
        percent = build_percent(line)
        if percent is None:
            return
        now = self.clock()
        late = self._last is not None and now - self._last >= PROGRESS_EVERY_S
        if percent >= self._shown + 10 or late:
            self._shown, self._last = percent, now
            self.progress(f"compiling llama.cpp: {percent}%")
        elif self._last is None:
            self._last = now


def run_streamed(
    command: list[str], log: Path, *, what: str, on_line: Callable[[str], None] | None = None
) -> None:
    """Run `command`, appending its output to `log` and passing each line to `on_line`."""
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"$ {' '.join(command)}\n")
        sink.flush()
        started = time.monotonic()
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                sink.write(line)
                if on_line is not None:
                    on_line(line)
                if time.monotonic() - started > STEP_TIMEOUT_S:
                    process.kill()
                    raise LocalServiceError(f"{what} took over {STEP_TIMEOUT_S:.0f} s; see {log} and retry")
            code = process.wait()
    if code != 0:
        raise LocalServiceError(
            f"{what} failed ({last_line(log)}); see {log}, fix the cause and rerun `anysym llm install`"
        )


def download_source(scratch: Path, log: Path) -> Path:
    """Fetch the hash-pinned sdist with pip into `scratch` and return the archive."""
    requirements = scratch / "source.txt"
    requirements.write_text(f"{LLAMA_SOURCE} --hash=sha256:{LLAMA_SOURCE_SHA256}\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps"]
    pip += ["--no-binary", ":all:", "--require-hashes", "-r", str(requirements), "-d", str(scratch)]
    run_streamed(pip, log, what=f"downloading the {LLAMA_SOURCE} sdist")
    archives = sorted(scratch.glob("llama_cpp_python-*.tar.gz"))
    if not archives:
        raise LocalServiceError(f"pip downloaded no {LLAMA_SOURCE} sdist; see {log}")
    return archives[0]


def unpack_vendored(archive: Path, destination: Path) -> Path:
    """Extract only the vendored llama.cpp tree of the sdist; return its root."""
    with tarfile.open(archive) as tar:
        everything = tar.getmembers()
        top = everything[0].name.split("/")[0] if everything else ""
        # Only `<top>/vendor/llama.cpp/`: the sdist also carries git metadata under `.git/modules/vendor/`.
        members = [m for m in everything if m.name.startswith(f"{top}/{VENDORED}")]
        if not members:
            raise LocalServiceError(f"{archive.name} has no {VENDORED} tree")
        tar.extractall(destination, members=members, filter="data")
    return destination / top / VENDORED


def cmake_commands(source: Path, build: Path) -> tuple[list[str], list[str]]:
    """The configure and build command lines (2 jobs, only the two binaries anysym runs)."""
    configure = ["cmake", "-S", str(source), "-B", str(build), *CMAKE_ARGS]
    compile_ = ["cmake", "--build", str(build), "-j", str(BUILD_JOBS), "--target", *TARGETS]
    return configure, compile_


def build_llama_cpp(bin_dir: Path, log: Path, progress: Progress) -> None:
    """Download, configure and compile llama.cpp; install `llama-server` and `llama-bench` into `bin_dir`."""
    if shutil.which("cmake") is None:
        raise LocalServiceError("cmake is not installed (needed to compile llama.cpp): install cmake and g++")
    bin_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="build-", dir=bin_dir.parent) as scratch_name:
        scratch = Path(scratch_name)
        progress(f"downloading the {LLAMA_SOURCE} sdist (its vendored llama.cpp source, hash-pinned)")
        source = unpack_vendored(download_source(scratch, log), scratch / "src")
        configure, compile_ = cmake_commands(source, scratch / "build")
        progress("configuring llama.cpp (native CPU build, static, no network features)")
        run_streamed(configure, log, what="configuring llama.cpp")
        progress(f"compiling llama-server and llama-bench with {BUILD_JOBS} jobs (5-10 min the first time)")
        run_streamed(compile_, log, what="compiling llama.cpp", on_line=BuildProgress(progress).feed)
        staged = bin_dir.with_name(bin_dir.name + ".new")
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir()
        for target in TARGETS:
            shutil.copy2(scratch / "build" / "bin" / target, staged / target)
        shutil.rmtree(bin_dir, ignore_errors=True)
        staged.replace(bin_dir)
