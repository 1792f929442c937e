from typing import Any

import pytest

from anysym.errors import CatalogError
from anysym.language.catalog import Catalog


def test_snapshot_parses_every_node(snapshot_catalog: Catalog) -> None:
    assert len(snapshot_catalog) == 244
    ks = snapshot_catalog["KSampler"]
    assert [i.name for i in ks.required_inputs()][:3] == ["model", "seed", "steps"]
    cfg = ks.inputs["cfg"]
    assert (cfg.type, cfg.default, cfg.min, cfg.max, cfg.step) == ("FLOAT", 8.0, 0.0, 100.0, 0.1)
    assert ks.inputs["sampler_name"].type == "COMBO" and "euler" in (ks.inputs["sampler_name"].choices or ())
    assert ks.output("LATENT") is not None and ks.output(0) == ks.output("LATENT")
    assert snapshot_catalog["SaveImage"].output_node
    assert snapshot_catalog["SaveImage"].inputs["prompt"].section == "hidden"
    assert snapshot_catalog["PreviewString"].inputs["value"].force_input
    assert snapshot_catalog["CheckpointLoaderSimple"].inputs["ckpt_name"].is_model_file


def test_new_combo_format_and_input_order() -> None:
    info: dict[str, Any] = {
        "Pick": {
            "input": {"required": {"b": ["INT", {"default": 1}], "mode": ["COMBO", {"options": ["x", "y"]}]}},
            "input_order": {"required": ["mode", "b"]},
            "output": ["STRING"],
            "output_name": ["text"],
            "output_is_list": [True],
        }
    }
    node = Catalog.from_object_info(info)["Pick"]
    assert list(node.inputs) == ["mode", "b"]
    assert node.inputs["mode"].choices == ("x", "y")
    assert node.outputs[0].name == "text" and node.outputs[0].is_list


def test_closest_names(snapshot_catalog: Catalog) -> None:
    assert snapshot_catalog.closest("KSamplr")[0] == "KSampler"
    assert snapshot_catalog.closest("imageinvert")[0] == "ImageInvert"


def test_save_load_round_trip(tmp_path: Any, snapshot_catalog: Catalog) -> None:
    path = tmp_path / "cat.json"
    snapshot_catalog.save(path)
    again = Catalog.load(path)
    assert list(again) == list(snapshot_catalog)
    assert again["KSampler"] == snapshot_catalog["KSampler"]


@pytest.mark.parametrize("bad", ["[]", '{"X": 3}', '{"X": {"input": {"required": {"a": 5}}}}', "nope"])
def test_malformed_catalogs_are_typed_errors(tmp_path: Any, bad: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(bad)
    with pytest.raises(CatalogError):
        Catalog.load(path)
