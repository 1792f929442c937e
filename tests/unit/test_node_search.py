"""Node documentation parsing, task steps, node suggestions and the prompt's loader/saver choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anysym.graph.state import State
from anysym.inference.catalog_excerpt import counterparts, select_types, signature
from anysym.inference.prompting import io_types
from anysym.language.catalog import Catalog
from anysym.language.io_nodes import loaders_for, savers_for
from anysym.nodes.retrieve import search_steps, suggest_types
from anysym.retriever.node_docs import NodeDoc, load_node_docs, node_docs_for
from anysym.task.facts import task_steps

DOC = """# Upscale Image By

The ImageScaleBy node is designed for upscaling images by a specified scale factor. It keeps the ratio.

## Inputs

| Parameter | Description | Data Type |
| --- | --- | --- |
| `image` | The input image to be upscaled. | `IMAGE` |
| `scale_by` | The factor by which the image will be upscaled. | `FLOAT` |

## Outputs

| Parameter | Description | Data Type |
| --- | --- | --- |
| `image` | The upscaled image. | `IMAGE` |

> This documentation was AI-generated.
"""


def _docs_dir(tmp_path: Path) -> Path:
    (tmp_path / "ImageScaleBy").mkdir()
    (tmp_path / "ImageScaleBy" / "en.md").write_text(DOC, encoding="utf-8")
    (tmp_path / "ImageScaleBy" / "de.md").write_text("# Bild skalieren\n\nAnders.\n", encoding="utf-8")
    (tmp_path / "Broken").mkdir()  # no en.md: skipped, not an error
    (tmp_path / "Empty").mkdir()
    (tmp_path / "Empty" / "en.md").write_text("# Only a title\n", encoding="utf-8")
    return tmp_path


def test_english_doc_is_parsed_into_title_summary_and_inputs(tmp_path: Path) -> None:
    docs = load_node_docs(_docs_dir(tmp_path))
    assert set(docs) == {"ImageScaleBy"}  # Broken has no en.md, Empty has no summary
    doc = docs["ImageScaleBy"]
    assert doc.title == "Upscale Image By"
    assert doc.inputs == {
        "image": "The input image to be upscaled.",
        "scale_by": "The factor by which the image will be upscaled.",
    }
    assert doc.gist() == "Upscaling images by a specified scale factor"  # opener and 2nd sentence dropped
    assert doc.gist(limit=20) == "Upscaling images..."
    assert "ImageScaleBy" in doc.search_text() and "ratio" in doc.search_text()


def test_every_catalog_node_gets_a_doc_falling_back_to_its_name(
    tmp_path: Path, snapshot_catalog: Catalog
) -> None:
    docs = node_docs_for(snapshot_catalog, _docs_dir(tmp_path))
    assert set(docs) == set(snapshot_catalog)
    assert docs["ImageScaleBy"].title == "Upscale Image By"
    undocumented = snapshot_catalog["EmptyImage"]
    assert docs["EmptyImage"].summary == (undocumented.description or "Empty Image")
    assert node_docs_for(snapshot_catalog, None).keys() == set(snapshot_catalog)


def test_task_steps_split_operations_and_drop_files_and_numbers() -> None:
    task = "From photo.png cut the 128x128 square at (64, 32), blur it and then invert it; save it."
    assert task_steps(task) == ["From cut the square at", "blur it", "invert it", "save it"]
    assert task_steps("Invert photo.png and then resize it to 128x96 (bilinear).") == [
        "Invert",
        "resize it to bilinear",
    ]
    assert task_steps("at 0.5, 3 x 4") == []


@dataclass(frozen=True)
class _Hit:
    name: str


class _Search:
    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.queries: list[str] = []

    def retrieve_nodes(self, query: str, k: int = 3) -> Sequence[_Hit]:
        self.queries.append(query)
        return [_Hit(name) for name in self.answers.get(query, [])[:k]]

    def gist(self, name: str) -> str | None:
        return None

    def input_docs(self, name: str) -> dict[str, str]:
        return {}


def test_suggestions_put_each_steps_best_hit_before_second_ranks() -> None:
    task = "Sharpen photo.png, then posterize it"
    search = _Search(
        {
            task: ["ImageSharpen", "ImageBlur", "ImageQuantize"],
            "Sharpen": ["ImageSharpen", "ImageBlur"],
            "posterize it": ["ImageQuantize", "ImageSharpen"],
        }
    )
    assert suggest_types(search_steps(search, task, 2)) == ["ImageSharpen", "ImageQuantize", "ImageBlur"]
    assert search.queries == [task, "Sharpen", "posterize it"]


def test_suggested_types_follow_the_anchors_and_stay_within_their_modalities(
    snapshot_catalog: Catalog,
) -> None:
    types = select_types(
        snapshot_catalog,
        task="Make photo.png half as wide",
        examples=["LoadImage", "ImageInvert", "SaveImage"],
        suggested=["ImageScaleBy", "LatentUpscaleBy", "NotANode"],
        io=["LoadImage", "SaveImage"],
    )
    assert types[:4] == ["LoadImage", "ImageInvert", "SaveImage", "ImageScaleBy"]
    assert "LatentUpscaleBy" not in types and "NotANode" not in types


def test_a_type_found_in_another_modality_brings_its_counterpart(snapshot_catalog: Catalog) -> None:
    assert counterparts(snapshot_catalog, "CropMask") == ["ImageCrop", "LatentCrop"]
    assert counterparts(snapshot_catalog, "LatentCompositeMasked") == ["ImageCompositeMasked"]
    assert counterparts(snapshot_catalog, "ImageBlur") == []
    types = select_types(
        snapshot_catalog,
        task="Keep only the central part of photo.png",
        suggested=["CropMask", "LatentBlend"],
        io=["LoadImage", "SaveImage"],
    )
    # the image counterparts follow what was found; the latent ones stay out (no LATENT socket)
    assert types[:5] == ["LoadImage", "SaveImage", "CropMask", "ImageCrop", "ImageBlend"]
    assert "LatentCrop" not in types and "LatentBlend" not in types


def test_types_set_aside_come_last(snapshot_catalog: Catalog) -> None:
    types = select_types(
        snapshot_catalog,
        task="Give me the negative of photo.png",
        suggested=["ImageScale"],
        aside=["LoadImage", "ImageInvert", "LatentUpscale", "SaveImage"],
        io=["LoadImage", "SaveImage"],
    )
    assert types[:2] == ["LoadImage", "SaveImage"]
    assert types[-2:] == ["ImageInvert", "InvertMask"] and "LatentUpscale" not in types


def test_a_word_naming_a_kind_of_data_relates_no_type_without_modality_names(
    snapshot_catalog: Catalog,
) -> None:
    task = "Create an empty 128x128 latent, upscale it to 256x256 and save it"
    io = ["SaveLatent"]
    every = select_types(snapshot_catalog, task=task, examples=["EmptyLatentImage", "LatentUpscale"], io=io)
    operations = select_types(
        snapshot_catalog,
        task=task,
        examples=["EmptyLatentImage", "LatentUpscale"],
        io=io,
        modality_names=False,
    )
    assert {"LatentAdd", "LatentFlip", "LatentRotate"} <= set(every)  # "latent" named them all
    assert not {"LatentAdd", "LatentFlip", "LatentRotate"} & set(operations)
    assert {"LatentUpscaleBy", "EmptySD3LatentImage"} <= set(operations)  # "upscale", "empty" still relate
    assert operations[:3] == every[:3] == ["EmptyLatentImage", "LatentUpscale", "SaveLatent"]


def test_signature_carries_the_gist(snapshot_catalog: Catalog) -> None:
    line = signature(snapshot_catalog["ImageInvert"], "Invert the colors of an image")
    assert line == "ImageInvert(image: IMAGE) -> IMAGE: IMAGE  # Invert the colors of an image"


def test_loaders_and_savers_follow_the_input_and_output_kinds(snapshot_catalog: Catalog) -> None:
    assert loaders_for(["image"], snapshot_catalog) == ["LoadImage", "LoadImageMask"]
    assert savers_for(["latent", "image"], snapshot_catalog) == ["SaveLatent", "SaveImage"]
    state: State = {
        "task": "Encode photo.png and save it as a latent file",
        "inputs": ["photo.png"],
        "key_functions": [],
    }
    assert io_types(state, snapshot_catalog) == ["LoadImage", "LoadImageMask", "SaveLatent"]
    created: State = {"task": "Create a 200x100 red image", "inputs": [], "key_functions": []}
    assert io_types(created, snapshot_catalog) == ["SaveImage"]
    edit: State = {"task": "Make photo.png grayscale", "inputs": ["photo.png"], "key_functions": []}
    assert io_types(edit, snapshot_catalog) == [
        "LoadImage",
        "LoadImageMask",
        "SaveImage",
        "MaskToImage",
        "ImageToMask",
    ]


def test_node_doc_is_frozen_data() -> None:
    doc = NodeDoc(name="X", title="X", summary="It is used to do x. More.")
    assert doc.gist() == "Do x"


def test_hidden_example_values_fall_back_to_defaults_but_keep_files(snapshot_catalog: Catalog) -> None:
    from anysym.language.flow import Flow, Function
    from anysym.nodes.retrieve import hide_values

    flow = Flow.build(
        {
            "photo": Function(type="LoadImage", params={"image": "second.png"}),
            "mix": Function(type="ImageBlend", params={"blend_factor": 0.8, "blend_mode": "screen"}),
            "vae": Function(type="VAELoader", params={"vae_name": "taesd"}),
        },
        [],
    )
    hidden = hide_values(flow, snapshot_catalog)
    assert hidden.functions["mix"].params == {"blend_factor": 0.5, "blend_mode": "normal"}
    assert hidden.functions["photo"].params == {"image": "second.png"}
    assert hidden.functions["vae"].params == {"vae_name": "taesd"}


def test_psi1_ids_written_twice_are_renamed_in_every_syntax() -> None:
    from anysym.inference.components import unique_ids
    from anysym.language.syntax import parse

    declarative = (
        'workflow.add_node("up", "UpscaleModelLoader", {"model_name": "m"})\n'
        'workflow.add_node("up", "ImageUpscaleWithModel", {})\n'
        'workflow.add_node("up", "SaveImage", {})\n'
    )
    text, notes = unique_ids(declarative, "declarative")
    assert list(parse(text, "declarative").functions) == ["up", "up_2", "up_3"]
    assert notes[0] == "renamed a repeated function id 'up' to 'up_2' (ids are unique)"
    assert (
        unique_ids("a = LoadImage()\na = ImageInvert()", "dataflow")[0]
        == "a = LoadImage()\na_2 = ImageInvert()"
    )
    assert unique_ids("`b c` = SaveImage()\n`b c` = SaveImage()", "dataflow")[0].endswith(
        "`b c_2` = SaveImage()"
    )
    assert (
        unique_ids("a is a LoadImage.\na is an ImageInvert.", "pseudo")[0]
        == "a is a LoadImage.\na_2 is an ImageInvert."
    )
    assert unique_ids(declarative.replace('"up"', '"x"', 1), "declarative")[1] == [
        "renamed a repeated function id 'up' to 'up_2' (ids are unique)"
    ]


def test_the_program_search_sees_file_kinds_not_file_names() -> None:
    from anysym.task.facts import retrieval_query

    assert retrieval_query("Sharpen texture.png with sigma 1.0.") == "Sharpen image with sigma 1.0."
    assert retrieval_query("Blend a.png and b.jpg, e.g. into clip.mp4 or song.wav") == (
        "Blend image and image, e.g. into video or audio"
    )


def test_refine_leaves_out_the_example_the_failed_flow_copied(snapshot_catalog: Catalog) -> None:
    from anysym.graph.context import Context
    from anysym.graph.deps import Deps
    from anysym.graph.result import Attempt
    from anysym.graph.state import Example
    from anysym.graph.testing import ScriptedLLM
    from anysym.language.diagnostics import Diagnostic, DiagnosticKind
    from anysym.language.syntax import parse
    from anysym.nodes.refine import refine_prompt

    copied = parse(
        'workflow.add_node("photo", "LoadImage", {"image": "photo.png"})\n'
        'workflow.add_node("blur", "ImageBlur", {"blur_radius": 5, "sigma": 2.0})\n'
        'workflow.add_node("save", "SaveImage", {"filename_prefix": "x"})\n'
        'workflow.connect("photo", "IMAGE", "blur", "image")\n'
        'workflow.connect("blur", "IMAGE", "save", "images")\n',
        "declarative",
    )
    blur = Example(
        id="blur_image",
        title="Blur an image",
        description="d",
        text="t1",
        node_types=("LoadImage", "ImageBlur", "SaveImage"),
    )
    blend = Example(
        id="blend",
        title="Blend two images",
        description="d",
        text="t2",
        node_types=("LoadImage", "ImageBlend", "SaveImage"),
    )
    problem = Diagnostic(kind=DiagnosticKind.UNUSED_INPUT_FILE, message="pattern.png is not loaded")
    state: State = {
        "task": "Blend photo.png and pattern.png evenly",
        "inputs": [],
        "key_functions": [],
        "examples": [blur, blend],
        "attempts": [
            Attempt(
                index=0, stage="psi2", text="", flow=copied, diagnostics=(problem,), failed_stage="verify"
            )
        ],
    }
    deps = Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog)
    fresh, _ = refine_prompt(state, Context(), deps)
    assert "Blend two images" in fresh and "Blur an image" not in fresh
    kept, _ = refine_prompt(state, Context(refine_fresh_examples=False), deps)
    assert "Blur an image" in kept


def test_programs_with_the_steps_nodes_come_first() -> None:
    from anysym.graph.state import Example
    from anysym.nodes.retrieve import rerank

    def example(name: str, score: float, *types: str) -> Example:
        return Example(id=name, title=name, description="", text="", node_types=types, score=score)

    upscale = example("upscale_with_model", 0.62, "LoadImage", "ImageUpscaleWithModel", "SaveImage")
    sharpen = example("sharpen_image", 0.55, "LoadImage", "ImageSharpen", "SaveImage")
    blur = example("blur_image", 0.50, "LoadImage", "ImageBlur", "SaveImage")
    ordered = rerank([upscale, sharpen, blur], ["ImageSharpen", "SaveImage", "ImageBlur"])
    assert [e.id for e in ordered] == ["sharpen_image", "blur_image", "upscale_with_model"]
    assert rerank([upscale, sharpen], []) == [upscale, sharpen]  # no evidence: similarity decides
