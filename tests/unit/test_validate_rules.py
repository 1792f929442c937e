"""Rules of `validate` one by one: messages, casts like ComfyUI's, type unions, defaults, order."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from anysym.language.catalog import Catalog
from anysym.language.defaults import fill_defaults
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow, Link, ParamValue
from anysym.language.types import types_compatible
from anysym.language.validate import validate
from anysym.language.validate_api import path_problems, validate_api
from anysym.language.validate_graph import MAX_FLOW_DEPTH

from .flows import flow_of

K = DiagnosticKind


def _blend(**params: ParamValue) -> Flow:
    return flow_of(
        {
            "a": ("LoadImage", {"image": "a.png"}),
            "mix": ("ImageBlend", params),
            "save": ("SaveImage", {}),
        },
        [("a", "IMAGE", "mix", "image1"), ("a", "IMAGE", "mix", "image2"), ("mix", 0, "save", "images")],
    )


def _only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, [d.render() for d in diagnostics]
    return diagnostics[0]


def test_choice_message_names_the_input_and_lists_the_choices(snapshot_catalog: Catalog) -> None:
    d = _only(validate(_blend(blend_mode="avg"), snapshot_catalog))
    assert d.kind is K.VALUE_NOT_IN_LIST and (d.function, d.port) == ("mix", "blend_mode")
    assert d.message == (
        'input "blend_mode" of function "mix" (ImageBlend) got \'avg\', which is not a choice; '
        "use one of: normal, multiply, screen, overlay, soft_light, difference"
    )
    assert "\n" not in d.render()
    assert _only(validate(_blend(blend_mode="sreen"), snapshot_catalog)).hint == "did you mean 'screen'?"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (0.25, None),
        (1, None),  # int for FLOAT: float(1) works on the server
        ("0.5", None),  # the server casts with float()
        (1.5, K.VALUE_OUT_OF_RANGE),
        (-0.01, K.VALUE_OUT_OF_RANGE),
        ("abc", K.WRONG_VALUE_TYPE),
        (True, K.WRONG_VALUE_TYPE),  # stricter than float(True) == 1.0
        ("inf", K.WRONG_VALUE_TYPE),
        ([0.5], K.WRONG_VALUE_TYPE),  # a list is read as a link by ComfyUI
        (None, K.WRONG_VALUE_TYPE),
    ],
)
def test_float_values_follow_the_server_cast(snapshot_catalog: Catalog, value: ParamValue, kind: Any) -> None:
    found = validate(_blend(blend_factor=value), snapshot_catalog)
    assert [d.kind for d in found] == ([kind] if kind else [])


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (64, None, ""),
        (64.0, None, ""),
        ("64", None, ""),  # int("64") works on the server
        (63.5, K.WRONG_VALUE_TYPE, "such as 63 or 64"),  # the server would silently truncate
        ("abc", K.WRONG_VALUE_TYPE, "write a whole number such as 512"),
        ("6.4", K.WRONG_VALUE_TYPE, "whole number"),
        (False, K.WRONG_VALUE_TYPE, ""),
        (0, K.VALUE_OUT_OF_RANGE, "[1, 16384]"),
        (16385, K.VALUE_OUT_OF_RANGE, "[1, 16384]"),
    ],
)
def test_int_values(snapshot_catalog: Catalog, value: ParamValue, kind: Any, text: str) -> None:
    flow = flow_of(
        {"img": ("EmptyImage", {"width": value}), "save": ("SaveImage", {})}, [("img", 0, "save", "images")]
    )
    found = validate(flow, snapshot_catalog)
    assert [d.kind for d in found] == ([kind] if kind else [])
    assert all(text in d.message and d.port == "width" for d in found)


def test_boolean_and_string_values(snapshot_catalog: Catalog) -> None:
    def check(tapered: ParamValue, prefix: ParamValue) -> list[tuple[str, str | None]]:
        flow = flow_of(
            {
                "m": ("SolidMask", {}),
                "g": ("GrowMask", {"expand": 1, "tapered_corners": tapered}),
                "i": ("MaskToImage", {}),
                "s": ("SaveImage", {"filename_prefix": prefix}),
            },
            [("m", 0, "g", "mask"), ("g", 0, "i", "mask"), ("i", 0, "s", "images")],
        )
        return [(d.kind.value, d.port) for d in validate(flow, snapshot_catalog)]

    assert check(True, "out") == []
    assert check(False, 7) == []  # str(7) on the server
    assert check("false", "out") == [("wrong_value_type", "tapered_corners")]
    assert check(1, True) == [
        ("wrong_value_type", "tapered_corners"),
        ("wrong_value_type", "filename_prefix"),
    ]


def test_omitted_widgets_with_defaults_are_not_missing_and_get_filled(snapshot_catalog: Catalog) -> None:
    flow = _blend()
    assert validate(flow, snapshot_catalog) == []
    filled = fill_defaults(flow, snapshot_catalog)
    assert filled.functions["mix"].params == {"blend_factor": 0.5, "blend_mode": "normal"}
    assert filled.functions["save"].params == {"filename_prefix": "ComfyUI"}
    assert filled.functions["a"].params == {"image": "a.png"}
    assert fill_defaults(filled, snapshot_catalog) is filled
    assert validate(filled, snapshot_catalog) == []


def test_fill_defaults_first_choice_and_no_file_guess(snapshot_catalog: Catalog) -> None:
    flow = flow_of({"v": ("VAELoader", {}), "img": ("LoadImage", {}), "x": ("NoSuchNode", {})})
    filled = fill_defaults(flow, snapshot_catalog)
    assert filled.functions["v"].params == {"vae_name": "taesd"}  # COMBO without default: first choice
    assert filled.functions["img"].params == {}  # never guess a user's input file
    assert filled.functions["x"].params == {}
    missing = [d for d in validate(filled, snapshot_catalog) if d.kind is K.MISSING_INPUT]
    assert [(d.function, d.port) for d in missing] == [("img", "image")]
    assert "give one, e.g. 'photo.png'" in missing[0].message


def test_missing_socket_hint_lists_producers_in_the_flow(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {"a": ("LoadImage", {"image": "a.png"}), "inv": ("ImageInvert", {}), "s": ("PreviewImage", {})}
    )
    flow = flow.with_links([Link(source="inv", output=0, target="s", input="images")])
    d = _only([d for d in validate(flow, snapshot_catalog) if d.is_error])
    assert (d.kind, d.function, d.port) == (K.MISSING_INPUT, "inv", "image")
    assert d.message.endswith("is required but not connected; link an IMAGE output to it")
    assert d.hint == "IMAGE outputs in this flow: a.IMAGE"


def test_model_file_message(snapshot_catalog: Catalog) -> None:
    flow = flow_of({"c": ("CheckpointLoaderSimple", {"ckpt_name": "sd15.safetensors"})})
    d = next(d for d in validate(flow, snapshot_catalog) if d.kind is K.VALUE_NOT_IN_LIST)
    assert "model file not installed on the server; installed: none" in d.message
    omitted = flow_of({"c": ("CheckpointLoaderSimple", {})})
    d = next(d for d in validate(omitted, snapshot_catalog) if d.kind is K.MISSING_INPUT)
    assert "server has none installed" in d.message


@pytest.mark.parametrize("name", ["photo.png", "sub/photo.png", "photo.png [input]", "..photo.png"])
def test_upload_inputs_accept_plain_names(snapshot_catalog: Catalog, name: str) -> None:
    functions = {"a": ("LoadImage", {"image": name}), "s": ("PreviewImage", {})}
    flow = flow_of(functions, [("a", 0, "s", "images")])
    assert validate(flow, snapshot_catalog) == []


def test_the_editors_own_widgets_in_an_api_export_are_warnings(snapshot_catalog: Catalog) -> None:
    """ComfyUI's "Export (API)" writes `LoadImage.upload = "image"`; the server ignores it."""
    flow = flow_of(
        {"a": ("LoadImage", {"image": "photo.png", "upload": "image"}), "s": ("PreviewImage", {})},
        [("a", 0, "s", "images")],
    )
    [d] = validate(flow, snapshot_catalog)
    assert (d.kind, d.severity, d.port) == (K.UNKNOWN_INPUT, Severity.WARNING, "upload")
    assert d.message.endswith("has the editor-only input 'upload'; the server ignores it")
    typo = flow_of({"a": ("LoadImage", {"image": "photo.png", "uplod": "image"}), "s": ("PreviewImage", {})})
    assert any(d.is_error and d.port == "uplod" for d in validate(typo, snapshot_catalog))


@pytest.mark.parametrize("name", ["../x.png", "/etc/passwd", "a/../../x.png", "C:\\x.png", "..\\x.png"])
def test_upload_inputs_reject_paths_outside_the_input_dir(snapshot_catalog: Catalog, name: str) -> None:
    flow = flow_of({"a": ("LoadImageMask", {"image": name, "channel": "alpha"}), "s": ("MaskToImage", {})})
    flow = flow.with_links([Link(source="a", output=0, target="s", input="mask")])
    found = [d for d in validate(flow, snapshot_catalog) if d.is_error]
    assert [d.kind for d in found] == [K.INVALID_INPUT_FILE, K.NO_OUTPUT_NODE]
    assert "give a plain file name" in found[0].message


@pytest.mark.parametrize("prefix", ["anysym", "edits/photo", "a/../b", "./x", "%date:yyyy%/x", "..x"])
def test_output_prefixes_inside_the_output_dir_are_accepted(snapshot_catalog: Catalog, prefix: str) -> None:
    flow = flow_of(
        {"a": ("LoadImage", {"image": "a.png"}), "s": ("SaveImage", {"filename_prefix": prefix})},
        [("a", 0, "s", "images")],
    )
    assert validate(flow, snapshot_catalog) == []


@pytest.mark.parametrize("prefix", ["../x", "/tmp/x", "a/../../x", "C:\\x", "..\\..\\x", "\\\\host\\x"])
def test_output_prefixes_leaving_the_output_dir_are_errors(snapshot_catalog: Catalog, prefix: str) -> None:
    flow = flow_of(
        {"a": ("LoadImage", {"image": "a.png"}), "s": ("SaveImage", {"filename_prefix": prefix})},
        [("a", 0, "s", "images")],
    )
    found = validate(flow, snapshot_catalog)
    assert [(d.kind, d.function, d.port) for d in found] == [(K.INVALID_OUTPUT_PATH, "s", "filename_prefix")]
    assert "leaves the server's output directory" in found[0].message


def _chain(length: int) -> Flow:
    functions = {"a": ("LoadImage", {"image": "a.png"})}
    functions |= {f"inv{n}": ("ImageInvert", {}) for n in range(length)}
    functions["s"] = ("SaveImage", {})
    order = list(functions)
    links = [(src, 0, dst, "images" if dst == "s" else "image") for src, dst in itertools.pairwise(order)]
    return flow_of(functions, links)


def test_a_chain_deeper_than_comfyui_recurses_is_an_error(snapshot_catalog: Catalog) -> None:
    assert validate(_chain(MAX_FLOW_DEPTH - 2), snapshot_catalog) == []
    [too_deep] = validate(_chain(MAX_FLOW_DEPTH - 1), snapshot_catalog)
    assert (too_deep.kind, too_deep.function) == (K.FLOW_TOO_DEEP, "s")
    assert f"a chain of {MAX_FLOW_DEPTH + 1} linked functions" in too_deep.message
    assert [d.kind for d in validate(_chain(10_000), snapshot_catalog)] == [K.FLOW_TOO_DEEP]


def test_path_problems_of_an_api_prompt_cover_inputs_and_outputs(snapshot_catalog: Catalog) -> None:
    prompt = {
        "1": {"class_type": "LoadImage", "inputs": {"image": "/etc/hosts"}},
        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "../../x"}},
        "3": {"class_type": "LoadImage", "inputs": {"image": "photo.png"}},
        "4": {"class_type": "NoSuchNode", "inputs": {"image": "/etc/hosts"}},
        "5": "not a node",
    }
    found = path_problems(prompt, snapshot_catalog)
    assert [(d.kind, d.function) for d in found] == [
        (K.INVALID_INPUT_FILE, "1"),
        (K.INVALID_OUTPUT_PATH, "2"),
    ]


@pytest.mark.parametrize(
    ("received", "expected", "ok"),
    [
        ("IMAGE", "IMAGE", True),
        ("LATENT", "IMAGE", False),
        ("*", "IMAGE", True),
        ("MASK", "*", True),
        ("IMAGE,MASK", "MASK", True),
        ("MASK", "IMAGE, MASK", True),
        ("LATENT", "IMAGE,MASK", False),
        ("INT", "INT", True),
        ("INT", "FLOAT", False),
        ("STRING", "COMBO", False),
        ("COMBO", "COMBO", True),
    ],
)
def test_type_compatibility(received: str, expected: str, ok: bool) -> None:
    assert types_compatible(received, expected) is ok


def test_type_mismatch_message(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {"lat": ("EmptyLatentImage", {}), "s": ("SaveImage", {})}, [("lat", "LATENT", "s", "images")]
    )
    d = _only(validate(flow, snapshot_catalog))
    assert (d.kind, d.function, d.port) == (K.TYPE_MISMATCH, "s", "images")
    assert "expects IMAGE but output 'LATENT' of function \"lat\" (EmptyLatentImage) is LATENT" in d.message
    assert d.hint is not None and "VAEDecode" in d.hint


def test_string_link_into_combo_is_a_mismatch(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {"s": ("StringRequestParameter", {"value": "multiply"}), "a": ("LoadImage", {"image": "a.png"}),
         "mix": ("ImageBlend", {}), "out": ("PreviewImage", {})},
        [("s", 0, "mix", "blend_mode"), ("a", 0, "mix", "image1"), ("a", 0, "mix", "image2"),
         ("mix", 0, "out", "images")],
    )  # fmt: skip
    d = _only(validate(flow, snapshot_catalog))
    assert (d.kind, d.port) == (K.TYPE_MISMATCH, "blend_mode")
    assert "write the choice as a literal value" in d.message


def test_order_is_by_function_then_port_and_deterministic(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {
            "z": ("ImageBlend", {"zzz": 1, "blend_mode": "x", "blend_factor": 9}),
            "a": ("ImageScale", {"crop": "x", "upscale_method": "y"}),
        }
    )
    found = validate(flow, snapshot_catalog)
    assert [(d.function, d.port) for d in found] == [
        ("z", "image1"), ("z", "image2"), ("z", "blend_factor"), ("z", "blend_mode"), ("z", "zzz"),
        ("z", None), ("a", "image"), ("a", "upscale_method"), ("a", "crop"), ("a", None), (None, None),
    ]  # fmt: skip
    assert found == validate(flow, snapshot_catalog)


def test_warnings_unused_output_and_hidden_input(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {"a": ("LoadImage", {"image": "a.png"}), "b": ("ImageInvert", {}),
         "s": ("SaveImage", {"prompt": "x"})},
        [("a", 0, "b", "image"), ("a", 0, "s", "images")],
    )  # fmt: skip
    found = validate(flow, snapshot_catalog)
    assert [(d.kind, d.function, d.severity) for d in found] == [
        (K.UNUSED_OUTPUT, "b", Severity.WARNING),
        (K.HIDDEN_INPUT, "s", Severity.WARNING),
    ]


def test_long_chain_and_big_cycle_do_not_recurse(snapshot_catalog: Catalog) -> None:
    n = 3000
    functions = {"a0": ("LoadImage", {"image": "a.png"})} | {
        f"a{i}": ("ImageInvert", {}) for i in range(1, n)
    }
    links = [(f"a{i}", 0, f"a{i + 1}", "image") for i in range(n - 1)]
    flow = flow_of(functions | {"out": ("PreviewImage", {})}, [*links, (f"a{n - 1}", 0, "out", "images")])
    assert [d.kind for d in validate(flow, snapshot_catalog)] == [K.FLOW_TOO_DEEP]  # and no RecursionError
    cyclic = flow.with_links([*flow.links, Link(source=f"a{n - 1}", output=0, target="a1", input="image")])
    cycles = [d for d in validate(cyclic, snapshot_catalog) if d.kind is K.CYCLE]
    assert len(cycles) == 1 and cycles[0].function == "a1"
    assert cycles[0].message.startswith('functions "a1", "a2"')


def test_self_link_is_a_cycle(snapshot_catalog: Catalog) -> None:
    flow = flow_of(
        {"i": ("ImageInvert", {}), "o": ("PreviewImage", {})},
        [("i", 0, "i", "image"), ("i", 0, "o", "images")],
    )
    d = _only(validate(flow, snapshot_catalog))
    assert d.kind is K.CYCLE and d.message.startswith('function "i" is linked to itself')


def test_no_output_node_is_not_claimed_when_a_type_is_unknown(snapshot_catalog: Catalog) -> None:
    flow = flow_of({"a": ("LoadImage", {"image": "a.png"}), "s": ("SaveImg", {})}, [("a", 0, "s", "images")])
    assert [d.kind for d in validate(flow, snapshot_catalog)] == [K.UNKNOWN_FUNCTION]
    assert [d.kind for d in validate(Flow(), snapshot_catalog)] == [K.NO_OUTPUT_NODE]


@pytest.mark.parametrize(
    "prompt",
    [
        [],
        "text",
        {"1": "x"},
        {"1": {"class_type": 5}},
        {"1": {"class_type": "SaveImage", "inputs": []}},
        {"1": {"class_type": "SaveImage", "inputs": {"images": ["2", 0, 1]}}},
        {"1": {"class_type": "SaveImage", "inputs": {"images": ["2", -1]}}},
        {"1": {"class_type": "SaveImage", "inputs": {"images": {"a": 1}}}},
        {"1": {"class_type": "SaveImage", "inputs": {"images": ["9", 0]}}},
    ],
)
def test_validate_api_never_raises(snapshot_catalog: Catalog, prompt: Any) -> None:
    found = validate_api(prompt, snapshot_catalog)
    assert found and all(d.is_error for d in found[:1])


def test_validate_api_reports_dangling_link_on_the_holder(snapshot_catalog: Catalog) -> None:
    prompt = {"body": {"prompt": {"1": {"class_type": "SaveImage", "inputs": {"images": ["9", 0]}}}}}
    found = validate_api(prompt["body"], snapshot_catalog)
    assert [(d.kind, d.function, d.port) for d in found] == [(K.UNKNOWN_LINK_SOURCE, "1", "images")]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Load Image", "LoadImage"),
        ("Upscale Image", "ImageScale"),
        ("ksampler", "KSampler"),
        ("Save_Image", "SaveImage"),
    ],
)
def test_display_names_and_case_slips_name_the_real_type(
    snapshot_catalog: Catalog, written: str, meant: str
) -> None:
    d = validate(flow_of({"x": (written, {})}), snapshot_catalog)[0]
    assert d.kind is K.UNKNOWN_FUNCTION and d.message.endswith(f"write the type name {meant!r}")
    assert d.hint is not None and d.hint.startswith(f"closest node types: {meant}")
