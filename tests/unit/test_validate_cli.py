"""`anysym validate` and `anysym bench validate`: inputs in every format, exit codes, catalogs, JSON."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anysym.cli import _register_all, app
from anysym.errors import ComfyConnectionError, ComfyHTTPStatusError, ComfyProtocolError, ComfyTimeoutError
from anysym.executor.object_info import fetch_catalog

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SNAPSHOT = DATA / "object_info_comfyui_0.0.1.json"
SOLUTIONS = Path(__file__).resolve().parents[2] / "bench" / "suites" / "cpu_solutions"

runner = CliRunner()
_register_all()

BAD_FLOW = 'a = LoadImage(image="../x.png")\nb = ImageBlend(image1=a, image2=a, blend_mode="avg")\n'


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [*map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("solution", ["blend_then_crop.alang", "outpaint_pad_all.alang", "grow_mask.alang"])
def test_valid_flow_exits_zero(solution: str) -> None:
    code, out, _ = invoke("validate", SOLUTIONS / solution, "--catalog", SNAPSHOT)
    assert code == 0 and "valid" in out and "0 error(s)" in out


@pytest.mark.parametrize("form", ["flow.dataflow", "flow.declarative", "flow.pseudo", "api.json"])
def test_every_input_format_is_read(form: str) -> None:
    code, out, _ = invoke("validate", GOLDEN / "image_blend" / form, "--catalog", SNAPSHOT, "--json")
    diagnostics = json.loads(out)
    assert code == (1 if any(d["severity"] == "error" for d in diagnostics) else 0)
    assert all(d["kind"] != "syntax_error" for d in diagnostics)


def test_invalid_flow_prints_one_line_per_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.alang"
    path.write_text(BAD_FLOW, encoding="utf-8")
    code, out, _ = invoke("validate", path, "--catalog", SNAPSHOT)
    lines = out.strip().splitlines()
    assert code == 1
    assert lines[0].startswith("error[invalid_input_file] a.image:")
    assert lines[1].startswith("error[value_not_in_list] b.blend_mode:")
    assert lines[2].startswith("warning[unused_output] b:")
    assert lines[3].startswith("error[no_output_node]")
    assert lines[4].endswith("3 error(s), 1 warning(s)")


def test_json_output(tmp_path: Path) -> None:
    path = tmp_path / "bad.alang"
    path.write_text(BAD_FLOW, encoding="utf-8")
    code, out, _ = invoke("validate", path, "--catalog", SNAPSHOT, "--json")
    data = json.loads(out)
    assert code == 1
    assert [(d["kind"], d.get("function")) for d in data] == [
        ("invalid_input_file", "a"),
        ("value_not_in_list", "b"),
        ("unused_output", "b"),
        ("no_output_node", None),
    ]


def test_syntax_errors_and_bad_json_are_diagnostics(tmp_path: Path) -> None:
    text = tmp_path / "broken.alang"
    text.write_text("a = LoadImage(image=\n", encoding="utf-8")
    code, out, _ = invoke("validate", text, "--catalog", SNAPSHOT, "--json")
    assert code == 1 and json.loads(out)[0]["kind"] == "syntax_error" and json.loads(out)[0]["line"] == 1
    broken = tmp_path / "broken.json"
    broken.write_text('{"1": {"class_type": ', encoding="utf-8")
    code, out, _ = invoke("validate", broken, "--catalog", SNAPSHOT, "--json")
    assert code == 1 and json.loads(out)[0]["kind"] == "syntax_error"


def test_api_prompt_with_dangling_link(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"1": {"class_type": "SaveImage", "inputs": {"images": ["5", 0]}}}))
    code, out, _ = invoke("validate", path, "--catalog", SNAPSHOT, "--json")
    assert code == 1
    assert [(d["kind"], d["function"], d["port"]) for d in json.loads(out)] == [
        ("unknown_link_source", "1", "images")
    ]


def test_without_a_catalog_it_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYSYM_HOME", str(tmp_path / "home"))
    path = tmp_path / "f.alang"
    path.write_text(BAD_FLOW, encoding="utf-8")
    code, _, err = invoke("validate", path)
    assert code == 2 and "--catalog" in err and "anysym comfy serve" in err
    code, _, err = invoke("validate", tmp_path / "missing.alang", "--catalog", SNAPSHOT)
    assert code == 2 and "cannot read" in err
    bad_catalog = tmp_path / "c.json"
    bad_catalog.write_text("[1]", encoding="utf-8")
    code, _, err = invoke("validate", path, "--catalog", bad_catalog)
    assert code == 2 and "object_info" in err and "Traceback" not in err


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        if self.path == "/trickle/object_info":  # a byte every 0.3 s of a body that never ends in time
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.3)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should
            return
        routes = {"/object_info": (200, SNAPSHOT.read_bytes()), "/broken/object_info": (200, b"<html>")}
        status, body = routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def object_info_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_server_catalog(object_info_server: str, tmp_path: Path) -> None:
    path = tmp_path / "f.alang"
    path.write_text(BAD_FLOW, encoding="utf-8")
    code, out, _ = invoke("validate", path, "--server", object_info_server + "/", "--json")
    assert code == 1 and len(json.loads(out)) == 4
    assert len(fetch_catalog(object_info_server)) == 244
    with pytest.raises(ComfyProtocolError):
        fetch_catalog(object_info_server + "/broken")
    with pytest.raises(ComfyHTTPStatusError):
        fetch_catalog(object_info_server + "/nothing")


def test_a_trickling_catalog_ends_at_the_total_deadline(object_info_server: str) -> None:
    """Each read arrives within httpx's per-read timeout; only the whole exchange's deadline ends it."""
    started = time.monotonic()
    with pytest.raises(ComfyTimeoutError, match="was still sending"):
        fetch_catalog(object_info_server + "/trickle", timeout=1.0)
    assert time.monotonic() - started < 5  # 40 bytes would take 12 s


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_port
    server.server_close()  # nothing listens there any more
    with pytest.raises(ComfyConnectionError):
        fetch_catalog(f"http://127.0.0.1:{port}", timeout=5)
    path = tmp_path / "f.alang"
    path.write_text(BAD_FLOW, encoding="utf-8")
    code, _, err = invoke("validate", path, "--server", f"http://127.0.0.1:{port}")
    assert code == 2 and "cannot reach" in err and len(err.strip().splitlines()) == 1


def test_bench_validate_prints_medians() -> None:
    code, out, _ = invoke("bench", "validate", "--functions", "30", "--repeats", "3")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    assert "30 functions" in lines[0] and "0 diagnostics" in lines[0] and "median" in lines[0]
    assert "with faults" in lines[1] and "6 diagnostics" in lines[1]


def test_catalog_show() -> None:
    code, out, _ = invoke("catalog", "show", "ImageBlend", "--catalog", SNAPSHOT)
    assert code == 0
    assert "blend_factor: FLOAT, required, default 0.5, range [0, 1]" in out
    assert "blend_mode: COMBO, required, choices: normal, multiply, screen" in out
    assert "0: IMAGE (IMAGE)" in out
    code, out, _ = invoke("catalog", "show", "SaveImage", "--catalog", SNAPSHOT, "--json")
    assert code == 0 and json.loads(out)["output_node"] is True
    code, _, err = invoke("catalog", "show", "ImageBlnd", "--catalog", SNAPSHOT)
    assert code == 1 and "closest: ImageBlend" in err
