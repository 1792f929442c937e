"""Catalog fragments (object_info JSON) for the custom nodes and model files the any2any suite needs.

Shapes follow each pack's INPUT_TYPES (ComfyUI-VideoHelperSuite, ComfyUI-3D-Pack, AnimateDiff-Evolved,
upstream ComfyUI's nodes_audio) in the old list-COMBO form the local server also uses.
"""

from __future__ import annotations

from typing import Any

CHECKPOINTS = [
    "tiny_sd15_a.safetensors",
    "tiny_sd15_b.safetensors",
    "v1-5-pruned-emaonly.safetensors",
    "sd_xl_base_1.0.safetensors",
    "512-inpainting-ema.safetensors",
    "stable_zero123.ckpt",
    "stable_audio_open_1.0.safetensors",
]
VIDEO_CHECKPOINTS = ["svd.safetensors", "svd_xt.safetensors", "sv3d_u.safetensors"]


def _node(
    name: str,
    category: str,
    required: dict[str, Any],
    outputs: list[tuple[str, str]],
    *,
    optional: dict[str, Any] | None = None,
    output_node: bool = False,
) -> dict[str, Any]:
    return {
        "input": {"required": required, **({"optional": optional} if optional else {})},
        "output": [t for t, _ in outputs],
        "output_is_list": [False] * len(outputs),
        "output_name": [n for _, n in outputs],
        "name": name,
        "display_name": name,
        "description": "",
        "category": category,
        "output_node": output_node,
    }


def _int(default: int, lo: int, hi: int) -> list[Any]:
    return ["INT", {"default": default, "min": lo, "max": hi, "step": 1}]


def _float(default: float, lo: float, hi: float, step: float = 0.01) -> list[Any]:
    return ["FLOAT", {"default": default, "min": lo, "max": hi, "step": step}]


def models_fragment(core: dict[str, Any]) -> dict[str, Any]:
    """Core loaders re-declared with the model files of a typical GPU host (plus the random tiny SD1.5 kit)."""
    out: dict[str, Any] = {}
    for name, field, files in (
        ("CheckpointLoaderSimple", "ckpt_name", CHECKPOINTS),
        ("ImageOnlyCheckpointLoader", "ckpt_name", VIDEO_CHECKPOINTS),
        ("unCLIPCheckpointLoader", "ckpt_name", ["sd21-unclip-h.ckpt"]),
    ):
        node = {**core[name], "input": {**core[name]["input"]}}
        node["input"]["required"] = {**node["input"]["required"], field: [files]}
        out[name] = node
    clip = {**core["CLIPLoader"], "input": {**core["CLIPLoader"]["input"]}}
    clip["input"]["required"] = {
        "clip_name": [["t5_base.safetensors", "clip_l.safetensors"]],
        "type": [["stable_diffusion", "stable_cascade", "sd3", "stable_audio"]],
    }
    out["CLIPLoader"] = clip
    return out


def videohelpersuite() -> dict[str, Any]:
    """VHS_VideoCombine and VHS_LoadVideo (ComfyUI-VideoHelperSuite)."""
    formats = ["image/gif", "image/webp", "video/h264-mp4", "video/h265-mp4", "video/webm"]
    return {
        "VHS_VideoCombine": _node(
            "VHS_VideoCombine",
            "Video Helper Suite 🎥🅥🅗🅢",
            {
                "images": ["IMAGE"],
                "frame_rate": _float(8.0, 1.0, 240.0, 1.0),
                "loop_count": _int(0, 0, 100),
                "filename_prefix": ["STRING", {"default": "AnimateDiff"}],
                "format": [formats],
                "pingpong": ["BOOLEAN", {"default": False}],
                "save_output": ["BOOLEAN", {"default": True}],
            },
            [("VHS_FILENAMES", "Filenames")],
            optional={"audio": ["AUDIO"], "vae": ["VAE"]},
            output_node=True,
        ),
        "VHS_LoadVideo": _node(
            "VHS_LoadVideo",
            "Video Helper Suite 🎥🅥🅗🅢",
            {
                "video": [["dance.mp4"]],
                "force_rate": _int(0, 0, 60),
                "frame_load_cap": _int(0, 0, 100000),
                "skip_first_frames": _int(0, 0, 100000),
                "select_every_nth": _int(1, 1, 1000),
            },
            [("IMAGE", "IMAGE"), ("INT", "frame_count"), ("AUDIO", "audio"), ("VHS_VIDEOINFO", "video_info")],
        ),
    }


def comfy3d() -> dict[str, Any]:
    """The TripoSR path of ComfyUI-3D-Pack: load the model, reconstruct a mesh, save or preview it."""
    return {
        "[Comfy3D] Load TripoSR Model": _node(
            "[Comfy3D] Load TripoSR Model",
            "Comfy3D/Import|Export",
            {"model_name": [["model.ckpt"]], "chunk_size": _int(8192, 1, 10000)},
            [("TSR_MODEL", "tsr_model")],
        ),
        "[Comfy3D] TripoSR": _node(
            "[Comfy3D] TripoSR",
            "Comfy3D/Algorithm",
            {
                "tsr_model": ["TSR_MODEL"],
                "reference_image": ["IMAGE"],
                "reference_mask": ["MASK"],
                "geometry_extract_resolution": _int(256, 1, 4096),
                "marching_cude_threshold": _float(25.0, 0.0, 100.0),
            },
            [("MESH", "mesh")],
        ),
        "[Comfy3D] Save 3D Mesh": _node(
            "[Comfy3D] Save 3D Mesh",
            "Comfy3D/Import|Export",
            {
                "mesh": ["MESH"],
                "save_path": ["STRING", {"default": "Mesh_%Y-%m-%d-%M-%S-%f.glb", "multiline": False}],
            },
            [("STRING", "save_path")],
            output_node=True,
        ),
        "[Comfy3D] Preview 3DMesh": _node(
            "[Comfy3D] Preview 3DMesh",
            "Comfy3D/Visualize",
            {"mesh_file_path": ["STRING", {"default": "", "multiline": False}]},
            [],
            output_node=True,
        ),
    }


def audio() -> dict[str, Any]:
    """Stable Audio nodes of upstream ComfyUI (absent from the 2024 fork)."""
    return {
        "EmptyLatentAudio": _node(
            "EmptyLatentAudio",
            "latent/audio",
            {"seconds": _float(47.6, 1.0, 1000.0, 0.1), "batch_size": _int(1, 1, 4096)},
            [("LATENT", "LATENT")],
        ),
        "ConditioningStableAudio": _node(
            "ConditioningStableAudio",
            "conditioning",
            {
                "positive": ["CONDITIONING"],
                "negative": ["CONDITIONING"],
                "seconds_start": _float(0.0, 0.0, 1000.0, 0.1),
                "seconds_total": _float(47.0, 0.0, 1000.0, 0.1),
            },
            [("CONDITIONING", "positive"), ("CONDITIONING", "negative")],
        ),
        "VAEDecodeAudio": _node(
            "VAEDecodeAudio", "latent/audio", {"samples": ["LATENT"], "vae": ["VAE"]}, [("AUDIO", "AUDIO")]
        ),
        "SaveAudio": _node(
            "SaveAudio",
            "audio",
            {"audio": ["AUDIO"], "filename_prefix": ["STRING", {"default": "audio/ComfyUI"}]},
            [],
            output_node=True,
        ),
    }


def animatediff() -> dict[str, Any]:
    """AnimateDiff-Evolved's Gen1 loader: patch an SD1.5 MODEL with a motion module."""
    schedules = [
        "autoselect",
        "sqrt_linear (AnimateDiff)",
        "linear (AnimateDiff-SDXL)",
        "linear (HotshotXL/default)",
    ]
    return {
        "ADE_AnimateDiffLoaderGen1": _node(
            "ADE_AnimateDiffLoaderGen1",
            "Animate Diff 🎭🅐🅓/① Gen1 nodes ①",
            {
                "model": ["MODEL"],
                "model_name": [["mm_sd_v15_v2.ckpt", "v3_sd15_mm.ckpt"]],
                "beta_schedule": [schedules, {"default": "autoselect"}],
            },
            [("MODEL", "MODEL")],
            optional={"context_options": ["CONTEXT_OPTIONS"], "motion_lora": ["MOTION_LORA"]},
        ),
    }
