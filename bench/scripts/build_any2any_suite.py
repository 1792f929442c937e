"""Write bench/suites/any2any.json and its catalog fragments: `python -m anysym.bench.scripts.build_any2any_suite`.

120 tasks, 10 in each of the paper's 12 categories. Key functions are node *types* only (no parameter
values, unlike the reference code's key-node files), and the engine only sees them when asked to.
"""

from __future__ import annotations

import json
from typing import Any

from anysym.bench.scripts import any2any_catalogs as catalogs
from anysym.bench.scripts.suite_files import SUITES, write_files

CORE = "core_comfyui_0.0.1.json"
SUBJECTS = [
    "a red fox sleeping in fresh snow",
    "a lighthouse on a rocky cliff at dusk",
    "a bowl of ramen with steam rising",
    "an astronaut riding a horse on the moon",
    "a cozy library with a fireplace",
    "a vintage bicycle leaning against a brick wall",
    "a koi pond in a japanese garden",
    "a futuristic city with flying cars",
    "a watercolor painting of a sailboat",
    "a robot watering plants in a greenhouse",
]
SOUNDS = [
    "rain falling on a tin roof",
    "a calm piano melody",
    "birds singing in a forest at dawn",
    "waves crashing on a beach",
    "a crackling campfire",
    "an upbeat electronic drum loop",
    "a thunderstorm rolling in",
    "a cat purring",
    "a busy city street with car horns",
    "a slow acoustic guitar strum",
]
OBJECTS = [
    "a ceramic teapot",
    "a wooden chair",
    "a red sports car",
    "a cartoon dragon figurine",
    "a potted cactus",
    "a pair of sneakers",
    "a medieval helmet",
    "a rubber duck",
    "a desk lamp",
    "a treasure chest",
]
MOTIONS = [
    "the camera slowly zooms in",
    "clouds drift across the sky",
    "the scene pans to the right",
    "gentle wind moves everything",
    "the lights flicker",
    "the camera orbits around the centre",
    "water ripples softly",
    "the picture slowly comes to life",
    "leaves fall through the frame",
    "the sun rises in the background",
]
INPUTS = ["photo.png", "portrait.png", "pattern.png", "texture.png"]


def _task(category: str, index: int, instruction: str, **kw: Any) -> dict[str, Any]:
    slug = category.replace(" ", "_").replace("-", "_").lower()
    return {"id": f"{slug}_{index + 1:02d}", "instruction": instruction, "category": category, **kw}


def _image(n: int = 1) -> list[dict[str, Any]]:
    return [{"kind": "image", "count": n}]


def tasks() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    sd = ["CheckpointLoaderSimple", "CLIPTextEncode", "KSampler", "VAEDecode"]
    for i, subject in enumerate(SUBJECTS):
        size = (512, 768, 512, 640, 512)[i % 5]
        out.append(
            _task(
                "text-to-image",
                i,
                f"Generate a {size}x{size} image of {subject}.",
                input_modalities=["text"],
                output_modalities=["image"],
                expected_outputs=_image(),
                key_functions=[*sd, "EmptyLatentImage", "SaveImage"],
            )
        )
    for i, subject in enumerate(SUBJECTS):
        out.append(
            _task(
                "inpaint",
                i,
                f"Repaint the region of photo.png marked white in mask.png (red channel) "
                f"so that it shows {subject}; keep the rest of the photo.",
                inputs=["photo.png", "mask.png"],
                input_modalities=["image", "mask"],
                output_modalities=["image"],
                expected_outputs=_image(),
                key_functions=[*sd, "LoadImageMask", "VAEEncodeForInpaint", "SaveImage"],
            )
        )
    for i, subject in enumerate(SUBJECTS):
        side = ("left", "right", "top", "bottom", "left and right")[i % 5]
        px = (64, 128, 96, 64, 128)[i % 5]
        src = INPUTS[i % 4]
        out.append(
            _task(
                "outpaint",
                i,
                f"Extend {src} by {px} pixels on the {side} and fill the new area with "
                f"scenery that continues the picture, in the style of {subject}.",
                inputs=[src],
                input_modalities=["image"],
                output_modalities=["image"],
                expected_outputs=_image(),
                key_functions=[*sd, "ImagePadForOutpaint", "VAEEncodeForInpaint", "SaveImage"],
            )
        )
    for i, subject in enumerate(SUBJECTS):
        a, b = INPUTS[i % 4], INPUTS[(i + 1) % 4]
        out.append(
            _task(
                "image merge",
                i,
                f"Merge {a} and {b} into one coherent picture of {subject}, blending "
                "their content and colours, then refine the blend with the diffusion model.",
                inputs=[a, b],
                input_modalities=["image"],
                output_modalities=["image"],
                expected_outputs=_image(),
                key_functions=[*sd, "ImageBlend", "VAEEncode", "SaveImage"],
            )
        )
    for i in range(10):
        src = INPUTS[i % 4]
        angle = (30, 45, 60, 90, 120, 150, 180, -30, -60, -90)[i]
        out.append(
            _task(
                "novel-view synthesis",
                i,
                f"Show the main object of {src} from a viewpoint rotated "
                f"{angle} degrees horizontally (elevation 0).",
                inputs=[src],
                input_modalities=["image"],
                output_modalities=["image"],
                expected_outputs=_image(),
                key_functions=[
                    "ImageOnlyCheckpointLoader",
                    "CLIPVisionEncode",
                    "StableZero123_Conditioning",
                    "KSampler",
                    "VAEDecode",
                    "SaveImage",
                ],
            )
        )
    for i, subject in enumerate(SUBJECTS):
        ratio = (0.5, 0.3, 0.7, 0.4, 0.6, 0.5, 0.25, 0.75, 0.5, 0.35)[i]
        out.append(
            _task(
                "model merge",
                i,
                f"Merge the checkpoints tiny_sd15_a.safetensors and "
                f"tiny_sd15_b.safetensors with ratio {ratio} and use the merged model to generate a "
                f"512x512 image of {subject}.",
                input_modalities=["model", "text"],
                output_modalities=["image"],
                expected_outputs=_image(),
                key_functions=["CheckpointLoaderSimple", "ModelMergeSimple", "KSampler", "SaveImage"],
            )
        )
    for i, obj in enumerate(OBJECTS):
        src = INPUTS[i % 4]
        out.append(
            _task(
                "image-to-3D",
                i,
                f"Reconstruct a 3D mesh of the object in {src} (treat it as {obj}) "
                "and save it as a .glb file.",
                inputs=[src],
                input_modalities=["image"],
                output_modalities=["3d"],
                expected_outputs=[{"kind": "mesh", "count": 1}],
                key_functions=["[Comfy3D] Load TripoSR Model", "[Comfy3D] TripoSR", "[Comfy3D] Save 3D Mesh"],
            )
        )
    for i, sound in enumerate(SOUNDS):
        secs = (5, 10, 8, 12, 6, 15, 10, 4, 20, 9)[i]
        out.append(
            _task(
                "text-to-audio",
                i,
                f"Generate {secs} seconds of audio of {sound}.",
                input_modalities=["text"],
                output_modalities=["audio"],
                expected_outputs=[{"kind": "audio", "count": 1}],
                key_functions=["EmptyLatentAudio", "ConditioningStableAudio", "VAEDecodeAudio", "SaveAudio"],
            )
        )
    for i, obj in enumerate(OBJECTS):
        views = (4, 6, 8, 4, 12, 6, 8, 4, 21, 6)[i]
        src = INPUTS[i % 4]
        out.append(
            _task(
                "multi-view images",
                i,
                f"Generate {views} views of the object in {src} (treat it as "
                f"{obj}) from evenly spaced angles around it, saved as separate images.",
                inputs=[src],
                input_modalities=["image"],
                output_modalities=["image"],
                expected_outputs=_image(views),
                key_functions=["ImageOnlyCheckpointLoader", "SV3D_Conditioning", "KSampler", "VAEDecode"],
            )
        )
    for i, motion in enumerate(MOTIONS):
        src = INPUTS[i % 4]
        frames = (14, 25, 14, 16, 25, 14, 20, 14, 25, 16)[i]
        out.append(
            _task(
                "image-to-video",
                i,
                f"Turn {src} into a {frames}-frame video in which {motion}.",
                inputs=[src],
                input_modalities=["image"],
                output_modalities=["video"],
                expected_outputs=[{"kind": "video", "count": 1}],
                key_functions=[
                    "ImageOnlyCheckpointLoader",
                    "SVD_img2vid_Conditioning",
                    "KSampler",
                    "VHS_VideoCombine",
                ],
            )
        )
    for i, subject in enumerate(SUBJECTS):
        out.append(
            _task(
                "text-to-video",
                i,
                f"Generate a 16-frame animation of {subject}.",
                input_modalities=["text"],
                output_modalities=["video"],
                expected_outputs=[{"kind": "video", "count": 1}],
                key_functions=[
                    "CheckpointLoaderSimple",
                    "ADE_AnimateDiffLoaderGen1",
                    "KSampler",
                    "VHS_VideoCombine",
                ],
            )
        )
    for i, obj in enumerate(OBJECTS):
        out.append(
            _task(
                "text-to-3D",
                i,
                f"Create a 3D model of {obj}: first generate a clean image of it on a "
                "plain background, then reconstruct a mesh from that image and save it as .glb.",
                input_modalities=["text"],
                output_modalities=["3d"],
                expected_outputs=[{"kind": "mesh", "count": 1}],
                key_functions=[*sd, "[Comfy3D] TripoSR", "[Comfy3D] Save 3D Mesh"],
            )
        )
    return out


def build() -> dict[str, str]:
    """Every file this script writes: path under bench/suites -> its text."""
    core = json.loads((SUITES / "catalogs" / CORE).read_text(encoding="utf-8"))
    fragments = {
        "models_gpu_host.json": catalogs.models_fragment(core),
        "videohelpersuite.json": catalogs.videohelpersuite(),
        "comfy3d.json": catalogs.comfy3d(),
        "comfy_audio.json": catalogs.audio(),
        "animatediff.json": catalogs.animatediff(),
    }
    files = {
        f"catalogs/{name}": json.dumps(fragment, indent=1, ensure_ascii=False) + "\n"
        for name, fragment in fragments.items()
    }
    suite = {
        "name": "any2any",
        "description": "The Any-2-Any paper's 12 task categories, 10 tasks each. The catalog (core ComfyUI "
        "snapshot + custom-node and model fragments) makes compile and validation rates measurable without a "
        "GPU; execution needs a ComfyUI with those nodes and models (SD1.5 categories run locally with the "
        "random tiny_sd15 checkpoints).",
        "catalog": [f"catalogs/{CORE}", *(f"catalogs/{name}" for name in fragments)],
        "inputs_generator": "anysym.bench.make_inputs",
        "tasks": tasks(),
    }
    files["any2any.json"] = json.dumps(suite, indent=2, ensure_ascii=False) + "\n"
    return files


def main() -> None:
    files = build()
    write_files(files)
    print(f"{len(json.loads(files['any2any.json'])['tasks'])} tasks")


if __name__ == "__main__":
    main()
