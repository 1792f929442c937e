"""Where anysym keeps its managed services, stores and runs: one value object, built once by the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

COMFY_PORT = 8188
"""Port of the managed local ComfyUI on 127.0.0.1."""
LLM_PORT = 8765
"""Port of the managed local LLM server on 127.0.0.1."""

HOME_ENV = "ANYSYM_HOME"
"""Environment variable that moves every managed file (venvs, models, Chroma store, runs)."""


@dataclass(frozen=True, kw_only=True)
class Paths:
    """The directory layout of one anysym installation.

    **Usage**: `Paths.from_env(os.environ)` in the CLI; `Paths.default()` in library code given no
    layout (the library never reads the environment); `Paths(home=tmp_path)` in tests.
    """

    home: Path

    @classmethod
    def default(cls) -> Paths:
        """The user cache dir (e.g. `~/.cache/anysym`), whatever the environment says."""
        return cls(home=Path(platformdirs.user_cache_dir("anysym")).resolve())

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Paths:
        """Use `$ANYSYM_HOME` when set, else the user cache dir (e.g. `~/.cache/anysym`)."""
        configured = environ.get(HOME_ENV, "").strip()
        return cls(home=Path(configured).expanduser().resolve()) if configured else cls.default()

    @property
    def comfy(self) -> Path:
        """The managed local ComfyUI: its virtualenv, working dir, models, logs and pid file."""
        return self.home / "comfyui"

    @property
    def llm(self) -> Path:
        """The managed local llama.cpp server: its virtualenv, assembled GGUF models, logs and pid file."""
        return self.home / "llm"

    @property
    def chroma(self) -> Path:
        """The embedded Chroma store of reference programs."""
        return self.home / "chroma"

    @property
    def runs(self) -> Path:
        """Default parent of run directories and the run checkpoint database."""
        return self.home / "runs"
