"""The managed local ComfyUI's bookkeeping without a real install: errors, status, stale pid files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from anysym.errors import LocalServiceError
from anysym.services.comfy.server import LocalComfy, install_fingerprint
from anysym.settings import Paths


def test_serve_without_install_says_what_to_do(tmp_path: Path) -> None:
    local = LocalComfy(Paths(home=tmp_path))
    assert not local.is_installed
    with pytest.raises(LocalServiceError, match="run `anysym comfy install`"):
        local.serve(timeout=1)
    assert local.status().render() == "not installed (run `anysym comfy install`)"


def test_layout_is_isolated_per_port(tmp_path: Path) -> None:
    first, second = LocalComfy(Paths(home=tmp_path)), LocalComfy(Paths(home=tmp_path), port=8197)
    assert first.models_dir == second.models_dir == tmp_path / "comfyui" / "work" / "models"
    assert first.input_dir != second.input_dir and first.pid_path != second.pid_path
    assert second.url == "http://127.0.0.1:8197"
    command = second.command()
    assert command[command.index("--port") + 1] == "8197"
    assert {"--cpu", "--disable-known-models"} <= set(command)
    assert second.environment()["HF_HUB_OFFLINE"] == "1"


def test_marker_must_match_the_current_pins(tmp_path: Path) -> None:
    local = LocalComfy(Paths(home=tmp_path))
    local.python.parent.mkdir(parents=True)
    local.python.touch()
    local.marker_path.write_text(json.dumps({"fingerprint": "old"}))
    assert not local.is_installed
    local.marker_path.write_text(json.dumps({"fingerprint": install_fingerprint()}))
    assert local.is_installed


def test_a_reused_pid_is_never_signalled(tmp_path: Path) -> None:
    local = LocalComfy(Paths(home=tmp_path))
    local.pid_path.parent.mkdir(parents=True)
    local.pid_path.write_text(f"{os.getpid()}\n")  # alive, but not our launcher
    assert local.stop() is False
    assert not local.pid_path.exists()
    assert local.status().running is False


def test_the_launcher_finds_its_helpers_without_anysym(tmp_path: Path) -> None:
    # The managed virtualenv has no anysym: the launcher must import its helper from the copy beside it.
    import subprocess
    import sys

    local = LocalComfy(Paths(home=tmp_path))
    local._write_launcher()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import importlib.util as u; assert u.find_spec('anysym') is None, 'anysym is importable'; "
        "import launch_comfy; print(launch_comfy.define_torchvision_schemas.__module__)"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", code, str(local.launcher.parent)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["torchvision_cpu"]


def test_a_catalog_that_is_not_json_is_a_one_line_service_error(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class NotJson(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>not a catalog</html>")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), NotJson)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        local = LocalComfy(Paths(home=tmp_path), port=server.server_port)
        with pytest.raises(LocalServiceError, match="did not return JSON") as caught:
            local._save_catalog()
    finally:
        server.shutdown()
        server.server_close()
    assert "\n" not in str(caught.value) and str(local.log_path) in str(caught.value)
    assert not local.catalog_path.exists()
