"""Values the task states that no function takes: strict reading, no false alarm on the cpu solutions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anysym.inference.candidates import fit_of
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.flow import Flow, Function
from anysym.language.syntax import parse
from anysym.task.claims import unclaimed_diagnostics, unclaimed_values
from anysym.verify.expectations import expect

SUITE = Path(__file__).resolve().parents[2] / "bench" / "suites"


def _flow(*types: str) -> Flow:
    return Flow.build({f"f{i}": Function(type=t) for i, t in enumerate(types)}, [])


@pytest.mark.parametrize(
    ("task", "types", "candidates", "expected"),
    [
        (
            "Overlay pattern.png on photo.png with blend factor 0.6 (overlay mode).",
            ("LoadImage", "ImageCompositeMasked", "SaveImage"),
            ("ImageBlend", "ImageCompositeMasked"),
            [(0.6, ("ImageBlend.blend_factor",)), ("overlay", ("ImageBlend.blend_mode",))],
        ),
        (
            "Blur it (radius 3, sigma 1.5) and save the difference with the original (difference blend).",
            ("LoadImage", "ImageBlur", "SaveImage"),
            ("ImageBlur", "ImageBlend"),
            [("difference", ("ImageBlend.blend_mode",))],
        ),
        (
            "Extend the canvas of photo.png by 64 pixels on the right (no feathering).",
            ("LoadImage", "ImageScaleBy", "SaveImage"),
            ("ImagePadForOutpaint", "ImageScaleBy"),
            [(0, ("ImagePadForOutpaint.feathering",))],
        ),
        (
            "Upscale texture.png by a factor of 2 with nearest-neighbour (nearest-exact) sampling.",
            ("LoadImage", "UpscaleModelLoader", "ImageUpscaleWithModel", "SaveImage"),
            ("ImageScaleBy", "ImageUpscaleWithModel"),
            [("nearest-exact", ("ImageScaleBy.upscale_method",))],
        ),
        (  # every stated value is taken by the flow's own functions
            "Sharpen texture.png with sharpen radius 2, sigma 1.0 and alpha 1.5.",
            ("LoadImage", "ImageSharpen", "SaveImage"),
            ("ImageBlur", "ImageSharpen", "JoinImageWithAlpha"),
            [],
        ),
        (  # "by a factor of 2" is out of blend_factor's range; "a grayscale image" names no colour map
            "Make a grayscale copy of photo.png twice as large, by a factor of 2.",
            ("LoadImage", "ImageScaleBy", "SaveImage"),
            ("ImageBlend", "ImageApplyColorMap", "FloatLerp"),
            [],
        ),
    ],
)
def test_unclaimed_values(
    snapshot_catalog: Catalog,
    task: str,
    types: tuple[str, ...],
    candidates: tuple[str, ...],
    expected: list[tuple[object, tuple[str, ...]]],
) -> None:
    found = unclaimed_values(_flow(*types), task, snapshot_catalog, candidates)
    assert [(item.value, item.takers) for item in found] == expected


def test_no_reference_solution_of_the_cpu_suite_leaves_a_value_unclaimed(snapshot_catalog: Catalog) -> None:
    """With every catalog type as a candidate taker, the strict reading raises no false alarm."""
    suite = json.loads((SUITE / "cpu.json").read_text(encoding="utf-8"))
    everything = list(snapshot_catalog)
    alarms = {
        task["id"]: unclaimed_values(
            parse(
                (SUITE / "cpu_solutions" / f"{task['id']}.alang").read_text(encoding="utf-8"), "declarative"
            ),
            task["instruction"],
            snapshot_catalog,
            everything,
        )
        for task in suite["tasks"]
    }
    assert {task_id: found for task_id, found in alarms.items() if found} == {}


def test_an_unclaimed_value_is_a_diagnostic_naming_the_taker(snapshot_catalog: Catalog) -> None:
    task = "Overlay pattern.png on photo.png (overlay mode)."
    [found] = unclaimed_diagnostics(
        _flow("LoadImage", "ImageCompositeMasked"), task, snapshot_catalog, ["ImageBlend"]
    )
    assert found.kind is DiagnosticKind.UNCLAIMED_VALUE and found.is_error
    assert "'overlay'" in found.message and "ImageBlend.blend_mode would" in found.message
    assert found.hint is not None and found.hint.startswith("add a function of type ImageBlend")


def test_candidates_rank_an_answer_that_drops_a_stated_value_after_one_that_takes_it(
    snapshot_catalog: Catalog,
) -> None:
    task = "Blend pattern.png into photo.png (multiply mode)."
    expectations = expect(task, [])
    pasted = parse(
        'workflow.add_node("paste", "ImageCompositeMasked", {"x": 0, "y": 0})\n'
        'workflow.add_node("save", "SaveImage", {})\n',
        "declarative",
    )
    blended = parse(
        'workflow.add_node("blend", "ImageBlend", {"blend_factor": 1.0, "blend_mode": "multiply"})\n'
        'workflow.add_node("save", "SaveImage", {})\n',
        "declarative",
    )
    shown = ["ImageCompositeMasked", "ImageBlend", "SaveImage"]
    bad = fit_of(pasted, expectations=expectations, catalog=snapshot_catalog, searched=[], shown=shown)
    good = fit_of(blended, expectations=expectations, catalog=snapshot_catalog, searched=[], shown=shown)
    assert bad.unclaimed == 1 and good.unclaimed == 0
    assert good.key < bad.key


def test_a_stated_position_needs_a_function_that_takes_x_and_y(snapshot_catalog: Catalog) -> None:
    task = "Sharpen texture.png (radius 1) and keep the 64x64 detail at (32, 32)."
    candidates = ["ImageSharpen", "ImageCrop", "ImageCompositeMasked"]
    [found] = unclaimed_values(
        _flow("LoadImage", "ImageSharpen", "SaveImage"), task, snapshot_catalog, candidates
    )
    assert (found.value, found.phrase, found.takers) == (
        "(32, 32)",
        "at (32, 32)",
        ("ImageCrop.x", "ImageCompositeMasked.x"),
    )
    cropped = _flow("LoadImage", "ImageSharpen", "ImageCrop", "SaveImage")
    assert unclaimed_values(cropped, task, snapshot_catalog, candidates) == []
