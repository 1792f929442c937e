"""bind_task_values: parameter values read from the task text, only when the reading is unambiguous."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.syntax import parse
from anysym.task.values import bind_task_values, flow_order
from anysym.verify.colors import stated_color

_SUITE = Path(__file__).parents[2] / "bench" / "suites"


def _one(node_type: str, **params: object) -> Flow:
    return Flow.build({"f": Function(type=node_type, params=params)})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("node_type", "task", "expected"),
    [
        (
            "ImageBlend",
            "Mix the two pictures in normal mode, factor 0.25",
            {"blend_mode": "normal", "blend_factor": 0.25},
        ),
        ("ImageBlur", "Soften it: blur radius 6, sigma = 2.5", {"blur_radius": 6, "sigma": 2.5}),
        ("ImageQuantize", "Posterize to 16 colours without dithering", {"colors": 16, "dither": "none"}),
        (
            "ImageScaleBy",
            "Make it three times... no: upscale by a factor of 3 (lanczos)",
            {"scale_by": 3.0, "upscale_method": "lanczos"},
        ),
        (
            "ImageScaleBy",
            "Shrink the picture to half size, nearest-neighbour sampling",
            {"scale_by": 0.5, "upscale_method": "nearest-exact"},
        ),
        ("Canny", "Edge map with low 0.1 and high 0.3", {"low_threshold": 0.1, "high_threshold": 0.3}),
        (
            "ImageCrop",
            "Take the 50x40 region at (10, 20) of it",
            {"width": 50, "height": 40, "x": 10, "y": 20},
        ),
        (
            "ImagePadForOutpaint",
            "Add 24 px at the top and 8 pixels on the left, no feathering",
            {"left": 8, "top": 24, "right": 0, "bottom": 0, "feathering": 0},
        ),
        (
            "ImagePadForOutpaint",
            "Give it a border of 12 pixels on all sides",
            {"left": 12, "top": 12, "right": 12, "bottom": 12},
        ),
        ("EmptyImage", "A plain 64x32 picture in pure blue", {"width": 64, "height": 32, "color": 0x0000FF}),
        (
            "EmptyLatentImage",
            "An empty latent, 320x240, batch size of 4",
            {"width": 320, "height": 240, "batch_size": 4},
        ),
        ("Morphology", "Dilate the mask with a 7x7 kernel", {"operation": "dilate", "kernel_size": 7}),
        ("ImageToMask", "Take the blue channel as a mask", {"channel": "blue"}),
        (
            "ImagePadForOutpaint",
            "Add 24 pixels of empty canvas to the left and to the right of it for outpainting",
            {"left": 24, "top": 0, "right": 24, "bottom": 0},
        ),
        (
            "ImagePadForOutpaint",
            "Extend it 20 px vertically",
            {"left": 0, "top": 20, "right": 0, "bottom": 20},
        ),
        ("ImageScaleBy", "Make it half as wide and half as tall", {"scale_by": 0.5}),
        ("GrowMask", "Grow the white area of the mask by 6 pixels", {"expand": 6}),
        ("GrowMask", "Expand the white disc of mask.png (red channel) by 12 pixels", {"expand": 12}),
        (
            "ImagePadForOutpaint",
            "Give it an empty 20-pixel band at the top and at the bottom, without any feathering",
            {"left": 0, "top": 20, "right": 0, "bottom": 20, "feathering": 0},
        ),
        ("Morphology", "Apply a 5x5 erosion (morphology) to it", {"kernel_size": 5, "operation": "erode"}),
        ("Morphology", "Close small holes with a closing (morphology)", {"operation": "close"}),
    ],
)
def test_values_stated_in_the_task_are_bound(
    snapshot_catalog: Catalog, node_type: str, task: str, expected: dict[str, object]
) -> None:
    spec = snapshot_catalog[node_type]
    wrong = {i.name: i.default for i in spec.widget_inputs() if i.default is not None}
    flow, notes = bind_task_values(_one(node_type, **wrong), task, snapshot_catalog)
    got = {name: flow.functions["f"].params.get(name) for name in expected}
    assert got == expected
    assert all(type(got[n]) is type(v) for n, v in expected.items())
    assert notes  # every change is reported


def test_several_functions_get_their_values_in_flow_order(snapshot_catalog: Catalog) -> None:
    flow = Flow.build(
        {
            "a": Function(type="ImageBlend", params={"blend_factor": 0.9, "blend_mode": "screen"}),
            "b": Function(type="ImageBlend", params={"blend_factor": 0.9, "blend_mode": "screen"}),
        },
        [Link(source="a", output="IMAGE", target="b", input="image1")],
    )
    task = "Blend x.png into y.png (normal, factor 0.4), then multiply-blend z.png on top with factor 0.5"
    bound, _ = bind_task_values(flow, task, snapshot_catalog, ["x.png", "y.png", "z.png"])
    assert bound.functions["a"].params == {"blend_factor": 0.4, "blend_mode": "normal"}
    assert bound.functions["b"].params == {"blend_factor": 0.5, "blend_mode": "multiply"}
    assert flow_order(flow.with_links([Link(source="b", output="IMAGE", target="a", input="image1")])) == [
        "b",
        "a",
    ]


@pytest.mark.parametrize(
    "task",
    [
        "Blend with factor 0.3, then blend the result again with factor 0.6",  # two values, one function
        "Blend photo.png with pattern.png",  # nothing stated
        "Blend them in screen or multiply mode, whichever looks better",  # two choices, one input
        "Blend with factor 7",  # out of range: left to the model
    ],
)
def test_ambiguous_or_impossible_readings_change_nothing(snapshot_catalog: Catalog, task: str) -> None:
    flow = _one("ImageBlend", blend_factor=0.9, blend_mode="overlay")
    assert bind_task_values(flow, task, snapshot_catalog, ["photo.png", "pattern.png"]) == (flow, [])


@pytest.mark.parametrize(
    ("node_type", "params", "task"),
    [
        ("GrowMask", {"expand": 1}, "Grow the mask by 4 pixels, then pad it by 8 pixels"),  # two amounts
        ("GrowMask", {"expand": 1}, "Dilate the mask by 4 pixels"),  # the function is not named
        ("ImageBlur", {"blur_radius": 1, "sigma": 1.0}, "Blur it by 8 pixels"),  # two number inputs
        ("Morphology", {"operation": "dilate", "kernel_size": 5}, "Apply morphology to the 64x64 tile"),
    ],
)
def test_an_unnamed_or_unsure_amount_is_left_alone(
    snapshot_catalog: Catalog, node_type: str, params: dict[str, object], task: str
) -> None:
    flow = _one(node_type, **params)
    assert bind_task_values(flow, task, snapshot_catalog) == (flow, [])


def test_the_reference_solutions_are_left_unchanged(snapshot_catalog: Catalog) -> None:
    """A correct flow is never 'repaired' away from what its task asks (50 tasks, 5 to 10 functions)."""
    tasks = json.loads((_SUITE / "cpu.json").read_text())["tasks"]
    for task in tasks:
        solution = parse((_SUITE / "cpu_solutions" / f"{task['id']}.alang").read_text(), "declarative")
        assert bind_task_values(solution, task["instruction"], snapshot_catalog, task["inputs"]) == (
            solution,
            [],
        )


def test_colours() -> None:
    assert stated_color("exactly RGB (250, 217, 64)") == 0xFAD940
    assert stated_color("fill it with #00ff80") == 0x00FF80
    assert stated_color("a pure red image") == 0xFF0000
    assert stated_color("red and blue stripes") is None  # two names: a choice
    assert stated_color("from the green channel") is None  # a channel, not a colour


@pytest.mark.parametrize(
    ("node_type", "task", "params", "expected"),
    [
        (
            "ThresholdMask",
            "Make a black-and-white image: pixels whose red channel is above 0.6 become white.",
            {"value": 0.5},
            {"value": 0.6},
        ),
        ("ThresholdMask", "White where green is greater than 0.25.", {"value": 0.5}, {"value": 0.25}),
        ("ThresholdMask", "White above 0.6, black below 0.2.", {"value": 0.5}, {"value": 0.5}),  # two values
        ("ThresholdMask", "Keep pixels above 50% brightness.", {"value": 0.5}, {"value": 0.5}),  # a percent
        ("ThresholdMask", "White above 0.7, but not above 60% of the width.", {"value": 0.5}, {"value": 0.7}),
        ("ThresholdMask", "Set the mask to white above 1.5.", {"value": 0.5}, {"value": 0.5}),  # out of range
        (
            "Canny",
            "Edges where the gradient is above 0.3.",
            {"low_threshold": 0.4, "high_threshold": 0.8},
            {"low_threshold": 0.4, "high_threshold": 0.8},  # two thresholds: which one is unsure
        ),
    ],
)
def test_a_threshold_is_read_from_a_comparison(
    node_type: str,
    task: str,
    params: dict[str, float],
    expected: dict[str, float],
    snapshot_catalog: Catalog,
) -> None:
    bound, _ = bind_task_values(_one(node_type, **params), task, snapshot_catalog)
    assert bound.functions["f"].params == expected
