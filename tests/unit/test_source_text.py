"""Hostile flow sources (binary, huge, invalid or absurdly nested JSON) end in one typed, one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from anysym.cli import _register_all, app
from anysym.errors import ALangSyntaxError
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.source_text import MAX_JSON_DEPTH, MAX_SOURCE_BYTES, load_json, read_source

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "object_info_comfyui_0.0.1.json"
runner = CliRunner()
_register_all()


def test_text_files_are_read() -> None:
    assert load_json('{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}


def test_binary_files_are_refused_with_the_offending_byte(tmp_path: Path) -> None:
    blob = tmp_path / "image.png"
    blob.write_bytes(b"x = A()\n\x89PNG\r\n")
    with pytest.raises(ALangSyntaxError, match=r"not UTF-8 text \(byte 0x89 at offset 8\)"):
        read_source(blob)


def test_files_beyond_the_size_limit_are_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:  # sparse: the size is real, nothing is written or read
        handle.truncate(MAX_SOURCE_BYTES + 1)
    with pytest.raises(ALangSyntaxError, match="more than the"):
        read_source(huge)


def test_invalid_json_points_at_the_position() -> None:
    with pytest.raises(ALangSyntaxError) as caught:
        load_json('{\n  "1": {"class_type": }\n}')
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.kind is DiagnosticKind.SYNTAX_ERROR and (diagnostic.line, diagnostic.column) == (2, 23)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_deep_nesting_is_refused_before_anything_recurses(depth: int) -> None:
    with pytest.raises(ALangSyntaxError, match=f"deeper than {MAX_JSON_DEPTH} levels"):
        load_json('{"a": ' * (depth - 1) + "[]" + "}" * (depth - 1))


def test_nesting_up_to_the_limit_is_read() -> None:
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)


@pytest.mark.parametrize("command", [["validate", "--catalog", str(SNAPSHOT)], ["convert", "--to", "api"]])
@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"[" * 200_000, b'{"1": ' * 3_000])
def test_the_cli_answers_hostile_files_in_one_line(
    tmp_path: Path, command: list[str], content: bytes
) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    result = runner.invoke(app, [command[0], str(path), *command[1:]])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) <= 2


def test_execute_reads_the_file_before_contacting_any_server(tmp_path: Path) -> None:
    blob = tmp_path / "flow.txt"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = runner.invoke(app, ["execute", str(blob), "--server", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and "a PNG without a ComfyUI workflow" in result.output
