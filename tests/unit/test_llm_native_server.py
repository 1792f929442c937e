"""The llama-server runtime without compiling or serving: build steps, command line, marker, pid check."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from anysym.services.llm.flags import N_CTX, ServerTuning, server_command
from anysym.services.llm.native_build import (
    CMAKE_ARGS,
    BuildProgress,
    build_percent,
    cmake_commands,
    cpu_fingerprint,
    unpack_vendored,
)
from anysym.services.llm.server import LocalLLM
from anysym.services.llm.status import served_alias
from anysym.services.process import cmdline
from anysym.settings import Paths


def _installed(tmp_path: Path) -> LocalLLM:
    local = LocalLLM(Paths(home=tmp_path), port=8799)
    local.bin_dir.mkdir(parents=True)
    for binary in (local.server_binary, local.bench_binary):
        binary.write_bytes(b"")
    local.runtime_marker.write_text(json.dumps(local.runtime_record()), encoding="utf-8")
    return local


def _flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_command_runs_the_native_binary_with_the_pinned_flags(tmp_path: Path) -> None:
    local = LocalLLM(Paths(home=tmp_path), port=8799)
    command = local.command()
    assert command[0] == str(tmp_path / "llm" / "llama.cpp" / "bin" / "llama-server")
    assert _flag(command, "--model") == str(local.model_path)
    assert _flag(command, "--alias") == "qwen2.5-coder-0.5b" == served_alias(" ".join(command))
    assert _flag(command, "--ctx-size") == str(N_CTX) == "8192"
    assert _flag(command, "--threads") == "2" and _flag(command, "--threads-batch") == "2"
    assert _flag(command, "--poll") == "0" and _flag(command, "--flash-attn") == "on"
    assert _flag(command, "--parallel") == "1" and _flag(command, "--cache-ram") == "256"
    assert local.tuning.env() == {"GOMP_SPINCOUNT": "300"}
    assert (_flag(command, "--host"), _flag(command, "--port")) == ("127.0.0.1", "8799")
    assert "--no-webui" in command


def test_tuning_changes_only_its_flags() -> None:
    base = server_command(Path("/x/llama-server"), model=Path("/m.gguf"), alias="a", port=1)
    tuned = server_command(
        Path("/x/llama-server"), model=Path("/m.gguf"), alias="a", port=1, tuning=ServerTuning(poll=50)
    )
    assert _flag(tuned, "--poll") == "50"
    differing = [i for i, (a, b) in enumerate(zip(base, tuned, strict=True)) if a != b]
    assert differing == [base.index("--poll") + 1]


def test_runtime_marker_must_name_this_build_and_cpu(tmp_path: Path) -> None:
    local = _installed(tmp_path)
    assert local.runtime_installed
    marker = json.loads(local.runtime_marker.read_text(encoding="utf-8"))
    assert marker["runtime"] == "llama-server" and "-DGGML_NATIVE=ON" in marker["cmake_args"]
    local.runtime_marker.write_text(json.dumps(marker | {"cpu": "another-cpu"}), encoding="utf-8")
    assert not local.runtime_installed  # a native build copied to another CPU would SIGILL: rebuild
    local.runtime_marker.write_text(json.dumps({"requirement": "llama-cpp-python[server]==0.3.36"}))
    assert not local.runtime_installed  # the old Python-server marker


def test_runtime_needs_both_binaries(tmp_path: Path) -> None:
    local = _installed(tmp_path)
    local.bench_binary.unlink()
    assert not local.runtime_installed


def _wait_for_arguments(pid: int) -> None:
    """Popen returns (vfork) before the kernel has set up the child's arguments; wait until it has."""
    deadline = time.monotonic() + 10
    while not cmdline(pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_running_pid_recognises_only_the_llama_server_binary(tmp_path: Path) -> None:
    local = _installed(tmp_path)
    sleep = shutil.which("sleep")
    assert sleep is not None
    shutil.copy(sleep, local.server_binary)
    local.run_dir.mkdir(parents=True)
    ours = subprocess.Popen([str(local.server_binary), "30"])
    other = subprocess.Popen([sleep, "30"])
    try:
        _wait_for_arguments(ours.pid)
        _wait_for_arguments(other.pid)
        local.pid_path.write_text(f"{ours.pid}\n")
        assert local.running_pid() == ours.pid
        local.pid_path.write_text(f"{other.pid}\n")  # a reused pid of some other program
        assert local.running_pid() is None and not local.pid_path.exists()
    finally:
        for process in (ours, other):
            process.kill()
            process.wait()


def test_cmake_builds_natively_with_two_jobs_and_only_the_two_binaries(tmp_path: Path) -> None:
    configure, compile_ = cmake_commands(tmp_path / "src", tmp_path / "build")
    assert configure[:5] == ["cmake", "-S", str(tmp_path / "src"), "-B", str(tmp_path / "build")]
    assert {"-DGGML_NATIVE=ON", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_OPENSSL=OFF"} <= set(CMAKE_ARGS)
    assert {"-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF"} <= set(configure)  # no download
    assert compile_[compile_.index("-j") + 1] == "2"
    assert compile_[compile_.index("--target") + 1 :] == ["llama-server", "llama-bench"]


@pytest.mark.parametrize(
    ("line", "percent"),
    [("[ 42%] Building CXX object src/llama.cpp.o\n", 42), ("[100%] Built target llama-server", 100)],
)
def test_build_percent_reads_makefile_progress(line: str, percent: int) -> None:
    assert build_percent(line) == percent


def test_build_percent_ignores_other_lines() -> None:
    assert build_percent("-- Configuring done") is None
    assert build_percent("warning: [ 5%] inside a message") is None


def test_build_progress_reports_every_ten_percent_or_thirty_seconds() -> None:
    said: list[str] = []
    now = [0.0]
    watcher = BuildProgress(said.append, clock=lambda: now[0])
    for percent in (0, 3, 9, 10, 11, 19, 20):
        watcher.feed(f"[{percent:3d}%] Building x.o")
    assert said == ["compiling llama.cpp: 0%", "compiling llama.cpp: 10%", "compiling llama.cpp: 20%"]
    now[0] = 31.0
    watcher.feed("[ 21%] Building a_slow_file.o")
    assert said[-1] == "compiling llama.cpp: 21%"


def test_cpu_fingerprint_depends_on_model_and_flags(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor: 0\nmodel name: X\nflags: avx2\nprocessor: 1\nmodel name: X\nflags: avx2\n")
    first = cpu_fingerprint(cpuinfo)
    cpuinfo.write_text("processor: 0\nmodel name: X\nflags: avx2 avx512f\n")
    assert cpu_fingerprint(cpuinfo) != first
    assert cpu_fingerprint(tmp_path / "missing") == "unknown"


def test_unpack_vendored_extracts_only_llama_cpp(tmp_path: Path) -> None:
    archive = tmp_path / "llama_cpp_python-0.3.36.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("setup.py", ".git/modules/vendor/llama.cpp/HEAD", "vendor/llama.cpp/CMakeLists.txt"):
            name = f"llama_cpp_python-0.3.36/{name}"
            data = b"x"
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    root = unpack_vendored(archive, tmp_path / "src")
    assert root == tmp_path / "src" / "llama_cpp_python-0.3.36" / "vendor" / "llama.cpp"
    assert (root / "CMakeLists.txt").is_file()
    assert not (tmp_path / "src" / "llama_cpp_python-0.3.36" / "setup.py").exists()
    assert not (tmp_path / "src" / "llama_cpp_python-0.3.36" / ".git").exists()


def test_an_unconfigured_endpoint_serves_the_named_local_model(tmp_path: Path) -> None:
    from anysym.errors import LocalServiceError
    from anysym.graph.defaults import resolve_llm_settings
    from anysym.llm.settings import LLMSettings

    paths = Paths(home=tmp_path)
    with pytest.raises(LocalServiceError, match="'gpt-4o' is not a managed local model"):
        resolve_llm_settings(LLMSettings(model="gpt-4o"), paths)
    with pytest.raises(LocalServiceError, match="anysym llm install --model qwen2.5-coder-1.5b"):
        resolve_llm_settings(LLMSettings(model="qwen2.5-coder-1.5b"), paths)
    configured = LLMSettings(model="gpt-4o", base_url="http://127.0.0.1:9/v1")
    assert resolve_llm_settings(configured, paths) is configured
