"""Hostile inputs shared by the fuzz tests: random JSON values, and every reading path a source takes."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from anysym.cli.convert import Target, detect_format, read_flow, write_flow
from anysym.cli.execute import read_flow_text
from anysym.cli.validate import diagnose_text
from anysym.errors import AnysymError
from anysym.language.catalog import Catalog

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from(["class_type", "inputs", "nodes", "links", "widgets_values", "prompt", "id", "type"])
TYPES = st.sampled_from(["LoadImage", "ImageInvert", "SaveImage", "KSampler", "NoSuchNode", ""])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8), TYPES
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.one_of(NAMES, st.text(max_size=4)), inner, max_size=5)
    ),
    max_leaves=40,
)


def all_paths(text: str, catalog: Catalog) -> None:
    """Validate, convert to API and read for execute: diagnostics or one `AnysymError`, nothing else."""
    diagnose_text(text, catalog)  # validate: never raises
    try:
        flow = read_flow(text, detect_format(text), catalog)
        write_flow(flow, Target.api, catalog)
        read_flow_text(text, catalog)
    except AnysymError as exc:
        assert str(exc)
