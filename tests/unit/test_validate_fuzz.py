"""`validate` never raises on arbitrary flows, is deterministic, and addresses only real functions."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anysym.language.catalog import Catalog
from anysym.language.defaults import fill_defaults
from anysym.language.diagnostics import DiagnosticKind
from anysym.language.flow import Flow, Function, Link
from anysym.language.validate import validate
from anysym.language.validate_api import validate_api

TYPES = [
    "LoadImage", "ImageInvert", "ImageBlend", "ImageScale", "SaveImage", "PreviewImage", "EmptyLatentImage",
    "VAEDecode", "VAELoader", "KSampler", "CheckpointLoaderSimple", "StringJoin", "PreviewString", "IntAdd",
    "MaskComposite", "ImagePadForOutpaint", "ImageCompositeMasked", "NoSuchNode", "ksampler",
]  # fmt: skip
NAMES = [
    "image",
    "images",
    "image1",
    "blend_mode",
    "width",
    "samples",
    "vae",
    "value0",
    "mask",
    "x",
    "prompt",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["normal", "bilinear", "taesd", "../x.png", "/abs", "64", "1e3", "nan", "inf"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))


@st.composite
def flows(draw: Any) -> Flow:
    ids = draw(st.lists(st.sampled_from("abcdefgh"), min_size=0, max_size=8, unique=True))
    functions = {
        fid: Function(
            type=draw(st.sampled_from(TYPES)),
            params=draw(st.dictionaries(st.sampled_from(NAMES), values, max_size=4)),
        )
        for fid in ids
    }
    links = []
    if ids:
        for _ in range(draw(st.integers(0, 12))):
            output = draw(
                st.one_of(st.integers(0, 4), st.sampled_from(["IMAGE", "MASK", "LATENT", "VAE", "x"]))
            )
            links.append(
                Link(
                    source=draw(st.sampled_from(ids)),
                    output=output,
                    target=draw(st.sampled_from(ids)),
                    input=draw(st.sampled_from(NAMES)),
                )
            )
    return Flow.build(functions, links)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow=flows())
def test_validate_is_total_and_deterministic(snapshot_catalog: Catalog, flow: Flow) -> None:
    found = validate(flow, snapshot_catalog)
    assert found == validate(flow, snapshot_catalog)
    for diagnostic in found:
        assert diagnostic.function is None or diagnostic.function in flow.functions
        assert "\n" not in diagnostic.render()
    filled = fill_defaults(flow, snapshot_catalog)
    for fid, function in flow.functions.items():
        assert filled.functions[fid].params.items() >= function.params.items()
    missing = {
        (d.function, d.port)
        for d in validate(filled, snapshot_catalog)
        if d.kind is DiagnosticKind.MISSING_INPUT
    }
    assert missing == {(d.function, d.port) for d in found if d.kind is DiagnosticKind.MISSING_INPUT}


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prompt=st.dictionaries(
        st.sampled_from(["1", "2", "3"]),
        st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "class_type": st.sampled_from(TYPES),
                    "inputs": st.dictionaries(st.sampled_from(NAMES), json_values),
                }
            ),
        ),
        max_size=3,
    )
)
def test_validate_api_is_total(snapshot_catalog: Catalog, prompt: dict[str, Any]) -> None:
    found = validate_api(prompt, snapshot_catalog)
    assert found == validate_api(prompt, snapshot_catalog)
    assert all(isinstance(d.kind, DiagnosticKind) for d in found)
