"""Constrained decoding grammars: every admitted string parses, links are typed, references fit."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from anysym.errors import ALangSemanticError
from anysym.graph.state import Example, State
from anysym.inference.ask import answer_bounds
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow
from anysym.language.gbnf import Gbnf, GbnfError, build_grammar
from anysym.language.syntax import SYNTAXES, Syntax, parse, render
from anysym.language.types import types_compatible

GOLDEN = Path(__file__).parents[1] / "golden"
IMAGE_TYPES = ["LoadImage", "ImageInvert", "ImageScale", "ImageBlur", "ImageCompositeMasked", "SaveImage"]
SAMPLER_TYPES = ["CheckpointLoaderSimple", "CLIPTextEncode", "EmptyLatentImage", "KSampler", "VAEDecode"]
CFG_ONLY_DYNAMIC = {"unknown_link_source", "duplicate_function", "duplicate_link"}
"""What a context-free grammar cannot exclude: references to ids never declared, ids declared twice."""
DRAWS = 120


@pytest.fixture(scope="module")
def subset(snapshot_catalog: Catalog) -> Catalog:
    return snapshot_catalog.subset(IMAGE_TYPES + SAMPLER_TYPES)


def _check_values(flow: Flow, catalog: Catalog) -> None:
    for function in flow.functions.values():
        spec = catalog[function.type]
        for name, value in function.params.items():
            input_spec = spec.input(name)
            assert input_spec is not None and input_spec.is_widget, (function.type, name)
            if (
                input_spec.type == "COMBO"
                and input_spec.choices
                and not input_spec.options.get("image_upload")
            ):
                assert value in input_spec.choices, (function.type, name, value)
            if input_spec.type == "BOOLEAN":
                assert isinstance(value, bool)
            if input_spec.type == "INT":
                assert isinstance(value, int) and not isinstance(value, bool)


@pytest.mark.parametrize("syntax", SYNTAXES)
@pytest.mark.parametrize("part", ["full", "components"])
def test_every_sampled_program_parses_with_known_types_names_and_values(
    subset: Catalog, syntax: Syntax, part: str
) -> None:
    grammar = Gbnf(build_grammar(subset, syntax, part=part))  # type: ignore[arg-type]
    rng = random.Random(f"{syntax}-{part}")
    parsed = 0
    for _ in range(DRAWS):
        text = grammar.sample(rng, max_depth=12)
        try:
            flow = parse(text, syntax)
        except ALangSemanticError as error:
            assert {d.kind.value for d in error.diagnostics} <= CFG_ONLY_DYNAMIC, text
            continue
        parsed += 1
        assert set(flow.node_types()) <= set(subset), text
        _check_values(flow, subset)
        if part == "components":
            assert not flow.links, text
        output_names = {o.name for n in subset.nodes() for o in n.outputs}
        link_inputs = {i.name for n in subset.nodes() for i in n.visible_inputs() if not i.is_widget}
        for link in flow.links:
            target = subset[flow.functions[link.target].type]
            if syntax == "declarative":  # connect lines do not know the target's type: any link input
                assert link.input in link_inputs, text
            else:
                assert target.input(link.input) is not None, text
            # output names: the grammar knows the source's type only in the links part (see below)
            assert isinstance(link.output, int) or link.output in output_names, text
    assert parsed >= DRAWS // 10  # declarative connects name random ids: most are unknown


def _components(syntax: Syntax) -> Flow:
    text = (
        'workflow.add_node("load", "LoadImage", {"image": "photo.png"})\n'
        'workflow.add_node("mask_src", "LoadImage", {"image": "mask.png"})\n'
        'workflow.add_node("invert", "ImageInvert", {})\n'
        'workflow.add_node("scale", "ImageScale", {"width": 256, "height": 256})\n'
        'workflow.add_node("paste", "ImageCompositeMasked", {"x": 0, "y": 0})\n'
        'workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})\n'
    )
    return parse(text, "declarative")


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_links_part_admits_only_complete_type_correct_graphs(subset: Catalog, syntax: Syntax) -> None:
    components = _components(syntax)
    grammar = Gbnf(build_grammar(subset, syntax, part="links", flow=components))
    rng = random.Random(syntax)
    for _ in range(DRAWS):
        text = grammar.sample(rng, max_depth=12)
        if syntax == "declarative":
            text = render(components, "declarative") + text
        flow = parse(text, syntax)
        assert list(flow.functions) == list(components.functions), text
        assert [f.type for f in flow.functions.values()] == [f.type for f in components.functions.values()]
        for link in flow.links:
            source = subset[flow.functions[link.source].type].output(link.output)
            target = subset[flow.functions[link.target].type].input(link.input)
            assert source is not None and target is not None and link.source != link.target
            assert types_compatible(source.type, target.type), text
        for function_id, function in flow.functions.items():
            linked = {link.input for link in flow.links_into(function_id)}
            for required in subset[function.type].required_inputs():
                if not required.is_widget:
                    assert required.name in linked, (function_id, required.name, text)
                    assert len([x for x in flow.links_into(function_id) if x.input == required.name]) == 1


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_rendered_golden_flows_are_admitted(snapshot_catalog: Catalog, syntax: Syntax) -> None:
    admitted = 0
    for folder in sorted(GOLDEN.iterdir()):
        flow = parse((folder / "flow.dataflow").read_text(encoding="utf-8"), "dataflow")
        if not all(t in snapshot_catalog for t in flow.node_types()) or not _choices_known(
            flow, snapshot_catalog
        ):
            continue
        sinks = [snapshot_catalog[f.type].output_node for f in flow.functions.values()]
        if sinks != sorted(sinks):  # an output function before a working one: not the grammar's order
            continue
        subset = snapshot_catalog.subset(sorted(flow.node_types()))
        grammar = Gbnf(build_grammar(subset, syntax, max_outputs=max(1, sum(sinks))))
        text = render(flow, syntax)
        assert grammar.admits(text), folder.name
        assert grammar.admits(text.rstrip("\n")), folder.name
        assert not grammar.admits(text.replace(next(iter(flow.node_types())), "NoSuchNode")), folder.name
        admitted += 1
    assert admitted >= 6


def _choices_known(flow: Flow, catalog: Catalog) -> bool:
    for function in flow.functions.values():
        for name, value in function.params.items():
            spec = catalog[function.type].input(name)
            if spec and spec.is_model_file and spec.choices and value not in spec.choices:
                return False
    return True


def test_grammar_refuses_wrong_names_values_and_forced_newline(subset: Catalog) -> None:
    grammar = Gbnf(build_grammar(subset, "dataflow"))
    save = "\nsave = SaveImage(images=load)"
    assert grammar.admits('load = LoadImage(image="photo.png")' + save)
    assert grammar.admits('load = LoadImage(image="photo.png")\ninv = ImageInvert(image=load)' + save + "\n")
    assert not grammar.admits('load = LoadImage(image="photo.png")' + save + "\n\n")
    assert not grammar.admits('load = LoadImage(imag="photo.png")' + save)
    assert not grammar.admits('s = ImageScale(upscale_method="cubic")' + save)
    assert not grammar.admits("s = ImageScale(width=1.5)" + save)
    assert not grammar.admits('True = LoadImage(image="photo.png")' + save)
    assert not grammar.admits('load = LoadImage(image="photo.png", image="x.png")' + save)
    pseudo = Gbnf(build_grammar(subset, "pseudo"))
    assert pseudo.admits(
        "inv is an ImageInvert with image from load.\nsave is a SaveImage with images from inv."
    )
    assert not pseudo.admits(
        "is is an ImageInvert with image from load.\nsave is a SaveImage with images from inv."
    )
    assert not pseudo.admits(
        "inv is an ImageInvert with image from load.\nsave is a SaveImage with images from inv"
    )


def test_programs_end_with_their_output_functions(subset: Catalog) -> None:
    """Output functions close a program (small models otherwise copy example lines to the token limit)."""
    load = 'workflow.add_node("load", "LoadImage", {"image": "photo.png"})'
    inv = 'workflow.add_node("inv", "ImageInvert", {})'
    save = 'workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})'
    one = Gbnf(build_grammar(subset, "declarative", part="components"))
    assert one.admits("\n".join([load, inv, save]))
    assert not one.admits("\n".join([load, inv]))  # no output function: not finished
    assert not one.admits("\n".join([load, save, inv]))  # work after the outputs
    assert not one.admits("\n".join([load, inv, save, save]))  # one output by default
    four = Gbnf(build_grammar(subset, "declarative", part="components", max_outputs=4))
    assert four.admits("\n".join([load, inv, save, save]))
    assert not four.admits("\n".join([load, *[save] * 5]))
    with pytest.raises(ValueError, match="max_outputs"):
        build_grammar(subset, "declarative", max_outputs=0)


def test_refine_programs_are_bounded_by_the_flow_they_repair(subset: Catalog) -> None:
    """A repair cannot repeat connect lines (or functions) until the token limit."""
    load = 'workflow.add_node("load", "LoadImage", {"image": "photo.png"})'
    inv = 'workflow.add_node("inv", "ImageInvert", {})'
    save = 'workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})'
    links = [
        'workflow.connect("load", "IMAGE", "inv", "image")',
        'workflow.connect("inv", "IMAGE", "save", "images")',
    ]
    flow = parse("\n".join([load, inv, save, *links]), "declarative")
    bounds = answer_bounds({}, flow, subset)
    assert bounds == (5, 2 + 2 * 3)  # 3 functions + 2 spare; 2 sockets + 2 spare functions' worth
    grammar = Gbnf(
        build_grammar(subset, "declarative", max_functions=bounds.functions, max_links=bounds.links)
    )
    assert grammar.admits("\n".join([load, inv, save, *links]))
    assert not grammar.admits("\n".join([load, inv, save, *links * 5]))  # 10 links > 8
    assert not grammar.admits("\n".join([load, *[inv] * 5, save, *links]))  # 7 functions > 5
    assert Gbnf(build_grammar(subset, "declarative")).admits("\n".join([load, inv, save, *links * 5]))


def test_first_answers_are_bounded_by_the_examples_inputs_and_steps(subset: Catalog) -> None:
    """psi1 (or a repair of a flow that never parsed): no copying loop to the token limit."""
    examples = [
        Example(id=name, title=name, description="", text="", node_types=types)
        for name, types in (("a", ("LoadImage", "ImageInvert", "SaveImage")), ("b", ("A", "B", "C", "D")))
    ]
    state: State = {
        "task": "Blend, then invert, then save.",
        "inputs": ["photo.png", "pattern.png"],
        "examples": examples,
        "step_types": [["ImageBlend"], ["ImageBlend"], ["ImageInvert"]],
    }
    bounds = answer_bounds(state, None, subset)
    assert bounds == (4 + 2 + 2 + 2, 10 * 3)  # largest example, inputs, steps, two spare
    inv = 'workflow.add_node("inv", "ImageInvert", {})'
    save = 'workflow.add_node("save", "SaveImage", {"filename_prefix": "out"})'
    grammar = Gbnf(build_grammar(subset, "declarative", part="components", max_functions=bounds.functions))
    assert grammar.admits("\n".join([*[inv] * 9, save]))
    assert not grammar.admits("\n".join([*[inv] * 36, save]))  # the 0.5B's 36 copied lines
    assert answer_bounds({"task": "x", "inputs": []}, None, subset).functions == 3 + 2  # nothing retrieved


def test_invalid_requests_fail(subset: Catalog) -> None:
    with pytest.raises(ValueError, match="unknown syntax"):
        build_grammar(subset, "yaml")
    with pytest.raises(ValueError, match="needs the flow"):
        build_grammar(subset, "dataflow", part="links")
    with pytest.raises(ValueError, match="empty"):
        build_grammar(subset.subset([]), "dataflow")
    with pytest.raises(GbnfError, match="undefined rule"):
        Gbnf("root ::= missing\n")
