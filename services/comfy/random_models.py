"""Deterministic random-weight models for the managed local CPU ComfyUI: the spec table and the generator.

With these files, generative flows (text-to-image, img2img, inpaint, outpaint, model merge, LoRA,
ControlNet, upscaling, style model) EXECUTE on the CPU ComfyUI in about a second at 64x64; the pixels are
meaningless but finite and bit-identical for a fixed seed. The tensors are written by
`make_random_models.py`, run with the ComfyUI virtualenv's Python (it needs torch and comfy), and every
file is checked against the sha256 recorded here: equal bytes on every machine, nothing downloaded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol

from anysym.errors import LocalServiceError

GENERATOR_SCRIPT = "make_random_models.py"
"""Package data of `anysym.services.comfy`: the generator the ComfyUI venv's Python runs (never imported)."""


@dataclass(frozen=True, kw_only=True)
class RandomModel:
    """One generated model file: where it goes, how it is made and the bytes it must have."""

    kind: str
    """Generator function in the script (e.g. `sd15_checkpoint`)."""
    seed: int
    folder: str
    """ComfyUI model folder under `models/` (e.g. `checkpoints`, `loras`)."""
    filename: str
    sha256: str
    """Hex digest of the file; generation fails when the produced bytes differ."""
    loader: str
    """The ComfyUI node type that loads it (documentation and tests)."""

    @property
    def path(self) -> str:
        """Path relative to the models directory, e.g. `checkpoints/tiny_sd15_a.safetensors`."""
        return f"{self.folder}/{self.filename}"


def _model(kind: str, seed: int, path: str, sha256: str, loader: str) -> RandomModel:
    folder, filename = path.split("/")
    return RandomModel(kind=kind, seed=seed, folder=folder, filename=filename, sha256=sha256, loader=loader)


# fmt: off
RANDOM_MODELS: tuple[RandomModel, ...] = tuple(
    _model(kind, seed, path, sha256, loader)
    for kind, seed, path, loader, sha256 in (
        ("sd15_checkpoint", 0, "checkpoints/tiny_sd15_a.safetensors", "CheckpointLoaderSimple",
         "9b87b72143915d4e5ef5c9fbe68b335b30cc1be4eab45b2bbc562c16aa936a12"),
        ("sd15_checkpoint", 1, "checkpoints/tiny_sd15_b.safetensors", "CheckpointLoaderSimple",
         "cec09b012c55b4726815d44323260ed0e335b085ecbfcdd54f99eb025129768a"),
        ("taesd_encoder", 0, "vae_approx/taesd_encoder.safetensors", "VAELoader",
         "5b081b535ff883b985738723bbb1ba3c94d3a270bf1dfb7877d0bdaf5a3865d0"),
        ("taesd_decoder", 0, "vae_approx/taesd_decoder.safetensors", "VAELoader",
         "670174cc0a3111f6b826ea30cb12cb175a86b2a3a7e510cf82f6146609883a39"),
        ("taesd_vae", 2, "vae/tiny_taesd_vae.safetensors", "VAELoader",
         "19cc827009ff356c65ea7b34618af6aeff94bfc760f1c96e293c08f302b4bde1"),
        ("sd15_unet", 0, "unet/tiny_sd15_unet.safetensors", "UNETLoader",
         "b03dea274614827311d6063e46255da423527436245ef78efda0615c05ace4a7"),
        ("sd15_clip", 0, "clip/tiny_sd15_clip_l.safetensors", "CLIPLoader",
         "7f49c9342f68b10a6020406d1d8b7a4f87bc64cdcd27a444701dbfd8397136bc"),
        ("sd15_lora", 3, "loras/tiny_sd15_lora.safetensors", "LoraLoader",
         "acb1bf46b2852d581e4dd2758d7243bd42fd94546d060af72ab9a5950e06fa29"),
        ("sd15_controlnet", 4, "controlnet/tiny_sd15_controlnet.safetensors", "ControlNetLoader",
         "bbd02c8d8073f5e2439195be686519cdd0e05768f0f10e55ec1f5973a004a63f"),
        ("compact_upscaler", 5, "upscale_models/tiny_compact_x4.safetensors", "UpscaleModelLoader",
         "a10b13a7b06960cbba683429fede250fc5f3f04b230ae224da636f75f8dfca16"),
        ("clip_vision_vitl", 6, "clip_vision/tiny_clip_vision_vitl.safetensors", "CLIPVisionLoader",
         "f268507faac1fd7a1b1d46b47d72dd6a5673802c5477f16b4f310c82b2de1818"),
        ("style_model", 7, "style_models/tiny_style_adapter.safetensors", "StyleModelLoader",
         "a0a5ab6e43668eabd334b20d3888d5aca0862977a1d5a1afc0ec36682b40cfcc"),
    )
)
# fmt: on
"""Every random-weight model `anysym comfy models --random` writes (805 MB; 10-30 s on 2 cores)."""

Status = Literal["present", "missing", "mismatch", "generated"]


class ComfyInstall(Protocol):
    """What generation needs from the managed local ComfyUI (`LocalComfy` satisfies it)."""

    @property
    def python(self) -> Path:
        """The ComfyUI virtualenv's interpreter (has torch, safetensors and comfy)."""
        ...

    @property
    def models_dir(self) -> Path:
        """The server's `models/` directory."""
        ...


@dataclass(frozen=True, kw_only=True)
class ModelOutcome:
    """What happened to one model file."""

    model: RandomModel
    status: Status
    """`present` (hash already matched, skipped) or `generated`."""
    seconds: float
    """Generation time in the script (0 when skipped)."""
    size: int


@dataclass(frozen=True, kw_only=True)
class GenerationReport:
    """The result of `generate`: one outcome per model and the wall-clock time of the whole call."""

    outcomes: tuple[ModelOutcome, ...]
    seconds: float

    @property
    def generated(self) -> tuple[ModelOutcome, ...]:
        """The files written by this call."""
        return tuple(o for o in self.outcomes if o.status == "generated")

    @property
    def total_bytes(self) -> int:
        """Size of all model files on disk."""
        return sum(o.size for o in self.outcomes)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 4 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def model_status(models_dir: Path, model: RandomModel) -> Status:
    """`present` when the file exists with the recorded hash, `mismatch` when it differs, else `missing`."""
    path = models_dir / model.path
    if not path.is_file():
        return "missing"
    return "present" if file_sha256(path) == model.sha256 else "mismatch"


def generate(
    local: ComfyInstall,
    *,
    progress: Callable[[str], None] | None = None,
    models: Sequence[RandomModel] = RANDOM_MODELS,
    timeout: float = 600.0,
) -> GenerationReport:
    """Write every model of `models` into `local.models_dir` whose file is missing or has another hash.

    The script runs in a staging directory next to the models; each produced file is hashed and moved
    into place only when its sha256 matches the table, so a wrong build of torch/comfy never leaves a
    file that differs from every other machine's.

    Raises:
        LocalServiceError: the ComfyUI venv is missing, the script fails or times out, or a generated file
            does not have the recorded hash.
    """
    say = progress or (lambda _line: None)
    start = time.perf_counter()
    models_dir = Path(local.models_dir)
    todo: list[RandomModel] = []
    outcomes: dict[str, ModelOutcome] = {}
    for model in models:
        status = model_status(models_dir, model)
        if status == "present":
            size = (models_dir / model.path).stat().st_size
            outcomes[model.path] = ModelOutcome(model=model, status="present", seconds=0.0, size=size)
            say(f"present    {model.path} (sha256 matches)")
        else:
            say(f"{'regenerate' if status == 'mismatch' else 'generate'} {model.path}")
            todo.append(model)
    if todo:
        outcomes |= _run_generator(Path(local.python), models_dir, todo, say, timeout)
    report = GenerationReport(
        outcomes=tuple(outcomes[m.path] for m in models), seconds=time.perf_counter() - start
    )
    kept = len(models) - len(report.generated)
    say(f"{len(report.generated)} generated, {kept} present in {report.seconds:.1f} s")
    return report


def _run_generator(
    python: Path,
    models_dir: Path,
    todo: Iterable[RandomModel],
    say: Callable[[str], None],
    timeout: float,
) -> dict[str, ModelOutcome]:
    if not python.is_file():
        raise LocalServiceError(f"no ComfyUI virtualenv at {python}: run `anysym comfy install` first")
    by_path = {m.path: m for m in todo}
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".random-models-", dir=models_dir))
    try:
        request = {
            "out": str(staging),
            "models": [{"kind": m.kind, "seed": m.seed, "path": p} for p, m in by_path.items()],
        }
        lines = _run_script(python, staging, json.dumps(request), timeout)
        outcomes: dict[str, ModelOutcome] = {}
        for line in lines:
            model = by_path[str(line["path"])]
            produced = staging / model.path
            digest = file_sha256(produced)
            if digest != model.sha256:
                raise LocalServiceError(
                    f"generated {model.path} has sha256 {digest[:12]}, expected {model.sha256[:12]}: "
                    "the ComfyUI venv is not the pinned build; reinstall it with `anysym comfy install`"
                )
            target = models_dir / model.path
            target.parent.mkdir(parents=True, exist_ok=True)
            produced.replace(target)
            seconds = float(str(line["seconds"]))
            outcomes[model.path] = ModelOutcome(
                model=model, status="generated", seconds=seconds, size=target.stat().st_size
            )
            say(f"generated  {model.path} ({target.stat().st_size / 1e6:.1f} MB, {seconds:.1f} s, sha256 ok)")
        missing = sorted(set(by_path) - set(outcomes))
        if missing:
            raise LocalServiceError(f"the generator did not write {', '.join(missing)}")
        return outcomes
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run_script(python: Path, cwd: Path, request: str, timeout: float) -> Iterator[dict[str, object]]:
    """Run the generator, yielding its JSON progress lines as they come; kill it after `timeout` seconds."""
    script = resources.files("anysym.services.comfy").joinpath(GENERATOR_SCRIPT)
    with (
        resources.as_file(script) as script_path,
        tempfile.TemporaryFile("w+") as stderr,
        subprocess.Popen(
            [str(python), str(script_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=cwd,
        ) as proc,
    ):
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdin is not None and proc.stdout is not None  # both are pipes
            proc.stdin.write(request)
            proc.stdin.close()
            for line in proc.stdout:
                if line.startswith("{"):
                    yield json.loads(line)
            code = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
        if code != 0:
            stderr.seek(0)
            lines = [line for line in stderr.read().splitlines() if line.strip()]
            tail = f"stopped after {timeout:.0f} s" if code < 0 else (lines[-1] if lines else "no output")
            raise LocalServiceError(f"random-model generation failed (exit {code}): {tail}")
