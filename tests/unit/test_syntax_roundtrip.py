"""Round trips of the three A-Language syntaxes: hand-written cases and hypothesis-generated flows."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anysym.language.flow import Flow, Function, Link, ParamValue
from anysym.language.syntax import (
    SYNTAXES,
    Syntax,
    dataflow,
    declarative,
    detect_syntax,
    parse,
    pseudo_natural,
    render,
)

HOSTILE_TEXT = [
    "",
    " ",
    'say "hi"',
    "it's",
    "back\\slash",
    "\\n is not a newline",
    "<tag>",
    "</s>",
    " is ",
    "sampler is a KSampler.",
    "(x:1.2)",
    "a, b. c",
    "with from output",
    "line1\nline2\r\n\ttab",
    "naïve café 日本語 🦊",
    "\x00\x1f\x7f\x85",
    "`backtick`",
    "# not a comment",
    "workflow.add_node(",
    "True",
    "None",
    "'s",
]
HOSTILE_NAMES = [
    "RIFE VFI",
    "ImageResize+",
    "[Comfy3D] TripoSR",
    "1",
    "42",
    "3D Mesh",
    "is",
    "a",
    "an",
    "from",
    "with",
    "output",
    "True",
    "null",
    "_x",
    "x's",
    "a`b",
    "",
]

names = st.one_of(
    st.sampled_from(HOSTILE_NAMES),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
    st.text(max_size=8),
)
type_names = names.filter(bool)
texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=20))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
values: st.SearchStrategy[ParamValue] = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=8
)


@st.composite
def flows(draw: st.DrawFn) -> Flow:
    ids = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    functions = {
        fid: Function(type=draw(type_names), params=draw(st.dictionaries(names, values, max_size=4)))
        for fid in ids
    }
    outputs = st.one_of(st.integers(min_value=0, max_value=12), names)
    links = draw(
        st.lists(
            st.builds(
                Link, source=st.sampled_from(ids), output=outputs, target=st.sampled_from(ids), input=names
            ),
            max_size=8,
        )
    )
    return Flow(functions=functions, links=tuple(links))


def assert_same(actual: Flow, expected: Flow) -> None:
    """Equal content, equal JSON (so 1 vs 1.0 vs True differ) and the author's function order."""
    assert actual == expected
    assert actual.canonical_json() == expected.canonical_json()
    assert list(actual.functions) == list(expected.functions)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("syntax", SYNTAXES)
@PROPERTY
@given(flow=flows())
def test_random_flows_round_trip(syntax: Syntax, flow: Flow) -> None:
    text = render(flow, syntax)
    assert_same(parse(text, syntax), flow)
    assert render(parse(text, syntax), syntax) == text


@settings(max_examples=60, deadline=None)
@given(flow=flows())
def test_every_syntax_converts_into_every_other(flow: Flow) -> None:
    for source in SYNTAXES:
        parsed = parse(render(flow, source), source)
        for target in SYNTAXES:
            assert_same(parse(render(parsed, target), target), parsed)


@pytest.mark.parametrize("syntax", SYNTAXES)
@settings(max_examples=60, deadline=None)
@given(flow=flows().filter(lambda f: bool(f.functions)))
def test_detect_syntax_recognises_rendered_text(syntax: Syntax, flow: Flow) -> None:
    assert detect_syntax(render(flow, syntax)) == syntax


FOX = """
# text-to-image, written by hand with comments and spacing
loader = CheckpointLoaderSimple(ckpt_name = "v1-5.safetensors")
positive = CLIPTextEncode(
    text='a fox, (snow:1.2)',
    clip=loader.CLIP,
)
sampler = KSampler(seed=-1, cfg=7.5, denoise=1.0, flags=[true, null, [1, -2.5e-07]],
                   model=loader, positive=positive, negative=positive, latent_image=latent[0])
latent = EmptyLatentImage(width=512, height=512)  # forward reference above
interp = `RIFE VFI`(frames=sampler["LATENT"], `1`=sampler[3])
"""


def test_hand_written_dataflow_reads_as_expected() -> None:
    flow = parse(FOX, "dataflow")
    assert list(flow.functions) == ["loader", "positive", "sampler", "latent", "interp"]
    sampler = flow.functions["sampler"]
    assert sampler.params == {"seed": -1, "cfg": 7.5, "denoise": 1.0, "flags": [True, None, [1, -2.5e-07]]}
    assert isinstance(sampler.params["denoise"], float)
    assert flow.functions["positive"].params == {"text": "a fox, (snow:1.2)"}
    assert flow.functions["interp"].type == "RIFE VFI"
    assert set(flow.links_into("interp")) == {
        Link(source="sampler", output="LATENT", target="interp", input="frames"),
        Link(source="sampler", output=3, target="interp", input="1"),
    }
    assert Link(source="loader", output=0, target="sampler", input="model") in flow.links
    assert Link(source="latent", output=0, target="sampler", input="latent_image") in flow.links


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_fox_round_trips_in_every_syntax(syntax: Syntax) -> None:
    flow = parse(FOX, "dataflow")
    assert_same(parse(render(flow, syntax), syntax), flow)


def test_ir_oddities_are_kept() -> None:
    """Several links into one input, a value and a link on one input, cycles and self links."""
    flow = Flow(
        functions={"a": Function(type="A", params={"x": 1}), "b": Function(type="B")},
        links=(
            Link(source="a", output=0, target="b", input="in"),
            Link(source="a", output=0, target="b", input="in"),
            Link(source="b", output="OUT", target="a", input="x"),
            Link(source="a", output=2, target="a", input="self"),
        ),
    )
    for syntax in SYNTAXES:
        assert_same(parse(render(flow, syntax), syntax), flow)


def test_the_issue_examples_parse() -> None:
    declarative_text = (
        'workflow.add_node("loader", "CheckpointLoaderSimple", {})\n'
        'workflow.add_node("sampler", "KSampler", {"seed": 42, "cfg": 7.5})\n'
        'workflow.connect("loader", "MODEL", "sampler", "model")\n'
        'workflow.connect("loader", 0, "sampler", "model")\n'
    )
    flow = declarative.parse(declarative_text)
    assert flow.functions["sampler"].params == {"seed": 42, "cfg": 7.5}
    assert sorted(str(lk.output) for lk in flow.links) == ["0", "MODEL"]
    pseudo_text = (
        'loader is a CheckpointLoaderSimple.\npositive is a CLIPTextEncode with text "a fox is here".\n'
        "sampler is a KSampler with seed 42, cfg 7.5, model from loader's MODEL, positive from positive."
    )
    flow = pseudo_natural.parse(pseudo_text)
    assert flow.functions["positive"].params == {"text": "a fox is here"}
    assert Link(source="positive", output=0, target="sampler", input="positive") in flow.links
    flow = dataflow.parse('`1` = LoadImage(image="a.png")\nx = Foo(mesh=`1`["3D Mesh"], image=`1`[0])')
    assert {(lk.source, lk.output) for lk in flow.links} == {("1", "3D Mesh"), ("1", 0)}


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('"\\u00e9\\n\\t\\"\\\'\\\\"', "é\n\t\"'\\"),
        ("'single'", "single"),
        ('"\\ud83e\\udd8a"', "🦊"),
        ("-3", -3),
        ("1e+16", 1e16),
        ("-2.5e-07", -2.5e-07),
        ("true", True),
        ("False", False),
        ("null", None),
        ("[]", []),
        ("[1, [2, ['x']],]", [1, [2, ["x"]]]),
    ],
)
def test_literals(literal: str, value: ParamValue) -> None:
    flow = dataflow.parse(f"x = T(v={literal})")
    assert flow.functions["x"].params["v"] == value
    assert type(flow.functions["x"].params["v"]) is type(value)


def test_render_keeps_unicode_and_writes_floats_as_floats() -> None:
    flow = Flow(functions={"x": Function(type="T", params={"s": "日本 🦊", "f": 1.0, "g": 1e-07})})
    text = render(flow, "dataflow")
    assert text == 'x = T(s="日本 🦊", f=1.0, g=1e-07)\n'
