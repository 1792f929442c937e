import pytest

from anysym.errors import ALangSemanticError, AnysymError
from anysym.language.flow import Flow, Function, Link


def _flow() -> Flow:
    return Flow.build(
        {
            "load": Function(type="LoadImage", params={"image": "a.png"}),
            "inv": Function(type="ImageInvert"),
            "save": Function(type="SaveImage", params={"filename_prefix": 'x "q" (y:1.2) <t> is é\n'}),
        },
        [
            Link(source="inv", output=0, target="save", input="images"),
            Link(source="load", output="IMAGE", target="inv", input="image"),
        ],
    )


def test_equal_flows_compare_and_hash_equal_regardless_of_link_order() -> None:
    a = _flow()
    b = Flow.build(dict(reversed(list(a.functions.items()))), list(reversed(a.links)))
    assert a == b
    assert hash(a) == hash(b)
    assert a.links == b.links


def test_json_round_trip_keeps_value_types_and_order() -> None:
    flow = _flow().with_params(
        "load", {"image": "a.png", "i": -3, "f": 1.0, "b": False, "n": None, "l": [1, "x"]}
    )
    again = Flow.from_json(flow.to_json())
    assert again == flow
    params = again.functions["load"].params
    assert type(params["f"]) is float and type(params["i"]) is int and type(params["b"]) is bool
    assert list(again.functions) == ["load", "inv", "save"]


def test_dangling_link_is_a_typed_error() -> None:
    with pytest.raises(ALangSemanticError, match="unknown function 'ghost'"):
        Flow.build({"a": Function(type="X")}, [Link(source="ghost", output=0, target="a", input="i")])
    assert issubclass(ALangSemanticError, AnysymError)


def test_non_finite_numbers_are_rejected() -> None:
    with pytest.raises(ValueError):
        Function(type="X", params={"v": float("nan")})


def test_flow_is_frozen() -> None:
    flow = _flow()
    with pytest.raises(ValueError):
        flow.links = ()  # type: ignore[misc]


def test_without_function_drops_its_links() -> None:
    flow = _flow().without_function("inv")
    assert list(flow.functions) == ["load", "save"]
    assert flow.links == ()
