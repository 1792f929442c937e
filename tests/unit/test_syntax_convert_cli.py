"""`anysym convert`: format detection, all directions, -o, --catalog, one-line errors (typer CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anysym.cli import _register_all, app
from anysym.language.comfy_format import to_api
from anysym.language.syntax import SYNTAXES, parse

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
DATA = Path(__file__).resolve().parents[1] / "data"
SNAPSHOT = DATA / "object_info_comfyui_0.0.1.json"
FORMS = {
    "declarative": "flow.declarative",
    "dataflow": "flow.dataflow",
    "pseudo": "flow.pseudo",
    "api": "api.json",
}

runner = CliRunner()
_register_all()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["convert", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("source", FORMS)
@pytest.mark.parametrize("target", FORMS)
@pytest.mark.parametrize("workflow", ["text_to_image", "image_to_3d_triposr", "prompt_hostile_strings"])
def test_convert_between_every_pair_of_formats(workflow: str, source: str, target: str) -> None:
    code, out, err = invoke(GOLDEN / workflow / FORMS[source], "--to", target)
    assert code == 0, err
    expected = (GOLDEN / workflow / FORMS[target]).read_text(encoding="utf-8")
    if target == "api":
        assert json.loads(out) == json.loads(expected)
    else:
        assert out == expected


def test_from_overrides_detection_and_output_goes_to_a_file(tmp_path: Path) -> None:
    out_file = tmp_path / "flow.txt"
    code, out, err = invoke(
        GOLDEN / "inpaint" / "flow.pseudo", "--from", "pseudo", "--to", "declarative", "-o", out_file
    )
    assert (code, out) == (0, ""), err
    assert out_file.read_text(encoding="utf-8") == (GOLDEN / "inpaint" / "flow.declarative").read_text(
        encoding="utf-8"
    )
    code, _out, err = invoke(GOLDEN / "inpaint" / "flow.pseudo", "--from", "dataflow", "--to", "api")
    assert code == 1 and err.startswith("error: line 1, column")


def test_catalog_resolves_output_names_and_fills_defaults(tmp_path: Path) -> None:
    program = tmp_path / "named.dataflow"
    program.write_text(
        'loader = CheckpointLoaderSimple(ckpt_name="v1-5.safetensors")\n'
        'text = CLIPTextEncode(text="a fox", clip=loader.CLIP)\n'
        "latent = EmptyLatentImage(width=512)\n",
        encoding="utf-8",
    )
    code, out, err = invoke(program, "--to", "api", "--catalog", SNAPSHOT)
    assert code == 0, err
    api = json.loads(out)
    assert api["text"]["inputs"]["clip"] == ["loader", 1]
    assert api["latent"]["inputs"] == {"width": 512, "height": 512, "batch_size": 1}
    code, _out, err = invoke(program, "--to", "api")
    assert code == 1 and "output 'CLIP'" in err and len(err.strip().splitlines()) == 1


def test_ui_workflow_needs_a_catalog_and_converts_with_one() -> None:
    ui_file = DATA / "ui_default_t2i.json"
    code, _out, err = invoke(ui_file, "--to", "dataflow")
    assert code == 1 and "--catalog" in err
    code, out, err = invoke(ui_file, "--to", "pseudo", "--catalog", SNAPSHOT)
    assert code == 0, err
    flow = parse(out, "pseudo")
    assert {f.type for f in flow.functions.values()} >= {"KSampler", "CheckpointLoaderSimple", "SaveImage"}
    assert to_api(flow)  # every output is an index after a UI import


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x = Foo(", "line 1, column 9"),
        ("a = A(m=nowhere)", "unknown function 'nowhere'"),
        ('{"nodes": 3}', "neither an API prompt"),
        ('{"1": {"class_type": "A", "inputs": ', "invalid JSON"),
        ('{"1": {"class_type": "A", "inputs": {"x": [1, 2, 3]}}}', "malformed link"),
        ("sampler is a KSampler with seed=1.", "not seed=42"),
    ],
)
def test_bad_input_is_one_readable_line(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(content, encoding="utf-8")
    code, out, err = invoke(bad, "--to", "dataflow")
    assert code == 1 and out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_and_binary_files_fail_cleanly(tmp_path: Path) -> None:
    code, _out, err = invoke(tmp_path / "absent.txt", "--to", "api")
    assert code == 1 and "absent.txt" in err
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    code, _out, err = invoke(binary, "--to", "api")
    assert code == 1 and "not UTF-8" in err


def test_every_syntax_is_a_target() -> None:
    result = runner.invoke(app, ["convert", "--help"])
    assert result.exit_code == 0
    help_text = result.stdout
    for name in (*SYNTAXES, "api"):
        assert name in help_text
