"""The number of results a task says to save, read from its text and checked on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from anysym.graph.result import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.flow import Flow, Function, Link
from anysym.verify.checks import check_outputs
from anysym.verify.expectations import expect

TWO_RESULTS = (
    "Invert photo.png, paste logo.png with its top-left corner at (176, 8), and save both the full-size "
    "result and a half-size copy (scale 0.5, bilinear)."
)
FLOW = Flow.build(
    {
        "load": Function(type="LoadImage", params={"image": "photo.png"}),
        "invert": Function(type="ImageInvert", params={}),
        "save": Function(type="SaveImage", params={"filename_prefix": "x"}),
    },
    [
        Link(source="load", output="IMAGE", target="invert", input="image"),
        Link(source="invert", output="IMAGE", target="save", input="images"),
    ],
)


@pytest.mark.parametrize(
    ("task", "count"),
    [
        (TWO_RESULTS, 2),
        ("Put photo.png and pattern.png in one batch, invert both, and save the two inverted images.", 2),
        ("Export three versions of photo.png: blurred, sharpened and inverted.", 3),
        ("Blend both images evenly and save it.", None),  # "both" of the inputs
        ("Make a 4-frame animated WEBP of photo.png and save 4 frames.", None),  # one animation file
        ("Denoise the latent and save 20 steps later.", None),
        ("Invert photo.png and save it.", None),
        ("Save both copies, or save three: either is fine.", None),  # two different counts: unsure
    ],
)
def test_the_number_of_results_is_read_only_when_stated(task: str, count: int | None) -> None:
    assert expect(task, []).output_count == count


def test_fewer_files_than_stated_results_fail(tmp_path: Path, snapshot_catalog: Catalog) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(photo)
    expectations = expect(TWO_RESULTS, [photo])
    saved = []
    for index in range(2):
        path = tmp_path / f"out_{index}.png"
        Image.new("RGB", (64, 48), (245, 235, 225)).save(path)
        saved.append(OutputFile(function_id="save", path=path, kind="image", filename=path.name))
    found = check_outputs(FLOW, saved[:1], expectations, snapshot_catalog)
    one = [d for d in found if "results" in d.message]
    assert [(d.kind, d.function) for d in one] == [(DiagnosticKind.VERIFICATION_FAILED, "save")]
    assert one[0].message == "the flow saved 1 file(s); the task asks to save 2 results"
    both = [d for d in check_outputs(FLOW, saved, expectations, snapshot_catalog) if "results" in d.message]
    assert both == []
