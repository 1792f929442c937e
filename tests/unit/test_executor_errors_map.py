"""ComfyUI error bodies (shapes observed on the local server and documented upstream) -> Diagnostics."""

from __future__ import annotations

from typing import Any

import pytest

from anysym.errors import ComfyProtocolError
from anysym.executor.errors_map import (
    diagnostic_from_execution_error,
    diagnostics_from_400,
    diagnostics_from_history,
)
from anysym.executor.events import (
    Event,
    Executed,
    Executing,
    ExecutionError,
    ExecutionInterrupted,
    ExecutionSuccess,
    Progress,
    Status,
    parse_event,
)
from anysym.language.diagnostics import DiagnosticKind as K


def node_error(node: str, class_type: str, error_type: str, message: str, details: str, **extra: Any) -> Any:
    error = {"type": error_type, "message": message, "details": details, "extra_info": extra}
    return {
        "error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation"},
        "node_errors": {node: {"errors": [error], "dependent_outputs": ["save"], "class_type": class_type}},
    }


BLEND_CONFIG = ["FLOAT", {"default": 0.5, "min": 0.0, "max": 1.0, "step": 0.01}]
MODES = ["normal", "multiply", "screen", "overlay", "soft_light", "difference"]

CASES = {
    "out-of-range": (
        node_error(
            "mix",
            "ImageBlend",
            "value_bigger_than_max",
            "Value 7.5 bigger than max of 1.0",
            "blend_factor",
            input_name="blend_factor",
            input_config=BLEND_CONFIG,
            received_value=7.5,
        ),
        (K.VALUE_OUT_OF_RANGE, "mix", "blend_factor", "use a value between 0.0 and 1.0"),
    ),
    "below-min": (
        node_error(
            "mix",
            "ImageBlend",
            "value_smaller_than_min",
            "Value -1 smaller than min of 0.0",
            "blend_factor",
            input_name="blend_factor",
            input_config=BLEND_CONFIG,
            received_value=-1,
        ),
        (K.VALUE_OUT_OF_RANGE, "mix", "blend_factor", "use a value between 0.0 and 1.0"),
    ),
    "not-in-list": (
        node_error(
            "mix",
            "ImageBlend",
            "value_not_in_list",
            "Value not in list",
            "blend_mode: 'nope' not in ['normal', ...]",
            input_name="blend_mode",
            input_config=[MODES, {}],
            received_value="nope",
        ),
        (K.VALUE_NOT_IN_LIST, "mix", "blend_mode", "choose one of: " + ", ".join(repr(m) for m in MODES)),
    ),
    "upstream-combo": (
        node_error(
            "ckpt",
            "CheckpointLoaderSimple",
            "value_not_in_list",
            "Value not in list",
            "ckpt_name: 'x' not in []",
            input_name="ckpt_name",
            input_config=["COMBO", {"options": []}],
        ),
        (K.VALUE_NOT_IN_LIST, "ckpt", "ckpt_name", "the server offers no choices here"),
    ),
    "missing-input": (
        node_error(
            "inv",
            "ImageInvert",
            "required_input_missing",
            "Required input is missing",
            "image",
            input_name="image",
        ),
        (K.MISSING_INPUT, "inv", "image", "link an output into `image` or set a value for it"),
    ),
    "link-to-missing-node": (
        node_error(
            "inv",
            "ImageInvert",
            "exception_during_inner_validation",
            "Exception when validating inner node",
            "'99'",
            input_name="image",
            exception_message="'99'",
            exception_type="KeyError",
            traceback=["..."],
            linked_node=["2", 0],
        ),
        (K.UNKNOWN_LINK_SOURCE, "inv", "image", None),
    ),
    "invalid-image-file": (
        node_error(
            "load",
            "LoadImage",
            "custom_validation_failed",
            "Custom validation failed for node",
            "image - Invalid image file: does_not_exist.png",
            input_name="image",
        ),
        (K.INVALID_INPUT_FILE, "load", "image", None),
    ),
    "upstream-type-mismatch": (
        node_error(
            "save",
            "SaveImage",
            "return_type_mismatch",
            "Return type mismatch between linked nodes",
            "images, received_type(LATENT) mismatch input_type(IMAGE)",
            input_name="images",
        ),
        (K.TYPE_MISMATCH, "save", "images", None),
    ),
    "unknown-node": (
        {
            "error": {
                "type": "invalid_prompt",
                "message": "Cannot execute because node NoSuchNode does not exist.",
                "details": "Node ID '#1'",
                "extra_info": {},
            },
            "node_errors": [],
        },
        (K.UNKNOWN_FUNCTION, "1", None, "use a function type that the server's catalog lists"),
    ),
    "no-outputs": (
        {
            "error": {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": ""},
            "node_errors": [],
        },
        (K.NO_OUTPUT_NODE, None, None, "add an output function such as SaveImage that consumes the result"),
    ),
    "string-error": ({"error": "no prompt", "node_errors": []}, (K.SERVER_REJECTED, None, None, None)),
    "upstream-no-prompt": (
        {"error": {"type": "no_prompt", "message": "No prompt provided", "details": ""}, "node_errors": {}},
        (K.SERVER_REJECTED, None, None, None),
    ),
    "missing-class-type": (
        {
            "error": {
                "type": "invalid_prompt",
                "message": "Cannot execute because a node is missing the class_type property.",
                "details": "Node ID '#x'",
            },
            "node_errors": {},
        },
        (K.SERVER_REJECTED, "x", None, None),
    ),
    "not-an-object": ([1, 2], (K.SERVER_REJECTED, None, None, None)),
}


@pytest.mark.parametrize(("body", "expected"), CASES.values(), ids=CASES.keys())
def test_400_bodies(body: Any, expected: tuple[K, str | None, str | None, str | None]) -> None:
    [diagnostic] = diagnostics_from_400(body)
    assert (diagnostic.kind, diagnostic.function, diagnostic.port, diagnostic.hint) == expected
    assert diagnostic.message and "\n" not in diagnostic.message


def test_several_node_errors_give_one_diagnostic_each() -> None:
    body = node_error("a", "ImageInvert", "required_input_missing", "Required input is missing", "image")
    second = node_error("b", "ImageBlend", "value_not_in_list", "Value not in list", "blend_mode")
    body["node_errors"].update(second["node_errors"])
    assert [(d.function, d.kind) for d in diagnostics_from_400(body)] == [
        ("a", K.MISSING_INPUT),
        ("b", K.VALUE_NOT_IN_LIST),
    ]


def test_link_to_missing_node_names_it() -> None:
    body = CASES["link-to-missing-node"][0]
    assert "'99'" in diagnostics_from_400(body)[0].message


def test_execution_error_payload() -> None:
    diagnostic = diagnostic_from_execution_error(
        {
            "node_id": "3",
            "node_type": "VAEDecode",
            "exception_type": "RuntimeError",
            "exception_message": "shape mismatch",
            "traceback": ["  File 'a.py', line 1\n", "    boom()\n", "\n"],
        }
    )
    assert diagnostic.kind is K.EXECUTION_ERROR and diagnostic.function == "3"
    assert diagnostic.message == "VAEDecode failed at run time: RuntimeError: shape mismatch"
    assert diagnostic.hint == "last traceback line: boom()"


def test_history_messages_give_runtime_diagnostics() -> None:
    entry = {
        "status": {
            "status_str": "error",
            "messages": [
                ["execution_start", {"prompt_id": "p"}],
                ["execution_interrupted", {"prompt_id": "p", "node_id": "3", "node_type": "VAEDecodeTiled"}],
            ],
        }
    }
    [diagnostic] = diagnostics_from_history(entry)
    assert (diagnostic.kind, diagnostic.function) == (K.EXECUTION_INTERRUPTED, "3")


@pytest.mark.parametrize(
    ("frame", "cls", "fields"),
    [
        (
            '{"type":"status","data":{"status":{"exec_info":{"queue_remaining":2}},"sid":"c"}}',
            Status,
            {"queue_remaining": 2, "prompt_id": None},
        ),
        (
            '{"type":"executing","data":{"node":null,"prompt_id":"p"}}',
            Executing,
            {"node": None, "prompt_id": "p"},
        ),
        ('{"type":"executing","data":{"node":7,"prompt_id":"p"}}', Executing, {"node": "7"}),
        (
            '{"type":"progress","data":{"value":3,"max":28,"node":"3","prompt_id":"p"}}',
            Progress,
            {"value": 3.0, "max": 28.0, "node": "3"},
        ),
        (
            '{"type":"executed","data":{"node":"6","output":{"images":[]},"prompt_id":"p"}}',
            Executed,
            {"node": "6", "output": {"images": []}},
        ),
        (
            '{"type":"execution_error","data":{"node_id":"1","node_type":"LoadImage","exception_type":"E",'
            '"exception_message":"m","traceback":["t"],"prompt_id":"p"}}',
            ExecutionError,
            {"node_id": "1", "exception_type": "E", "traceback": ("t",)},
        ),
        (
            '{"type":"execution_interrupted","data":{"prompt_id":"p","node_id":"3","node_type":"X","executed":[]}}',
            ExecutionInterrupted,
            {"node_id": "3"},
        ),
        (
            '{"type":"execution_success","data":{"prompt_id":"p","timestamp":1}}',
            ExecutionSuccess,
            {"prompt_id": "p"},
        ),
        ('{"type":"progress_state","data":{"prompt_id":"p","nodes":{}}}', Event, {"type": "progress_state"}),
    ],
)
def test_parse_event(frame: str, cls: type[Event], fields: dict[str, Any]) -> None:
    event = parse_event(frame)
    assert type(event) is cls
    assert {name: getattr(event, name) for name in fields} == fields


def test_binary_and_empty_frames_are_skipped() -> None:
    assert parse_event(b"\x00\x00\x00\x01\x00\x00\x00\x02\x89PNG") is None
    assert parse_event("") is None


@pytest.mark.parametrize("frame", ["{oops", "[1,2]", '{"data":{}}', '{"type":5}'])
def test_malformed_frames_raise(frame: str) -> None:
    with pytest.raises(ComfyProtocolError):
        parse_event(frame)
