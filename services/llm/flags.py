"""The `llama-server` command line: the measured tuning of the managed local LLM on a 2-core CPU.

Every value was chosen by `anysym bench llm` / `llama-bench` on the target machine (numbers and
reasons in docs/constrained-decoding.md, "Local LLM server settings").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["HOST", "N_CTX", "ServerTuning", "server_command"]

HOST = "127.0.0.1"
N_CTX = 8192


@dataclass(frozen=True, kw_only=True)
class ServerTuning:
    """Thread, batching and cache settings of `llama-server` (defaults: the measured best)."""

    threads: int = 2
    """Generation threads, one per core: with the short barrier spin below, two generate ~1.45x as fast
    as one when idle and keep about half of that beside one busy process (spinning without bound, they
    collapsed to 0.6 tok/s there)."""
    threads_batch: int = 2
    """Prompt-processing threads: one per core (big matrix products; ~2x one thread when idle)."""
    poll: int = 0
    """ggml's busy-wait level between graph runs (moot in this OpenMP build, whose spin is set below)."""
    parallel: int = 1
    """Server slots. One: anysym sends one request at a time per run, and each slot costs KV memory."""
    batch: int = 2048
    ubatch: int = 256
    flash_attn: str = "on"
    """`on`, `off` or `auto`."""
    cache_reuse: int = 0
    """Minimum chunk (tokens) reused from the KV cache by shifting; 0 = off."""
    cache_ram_mib: int = 256
    """Host-memory prompt cache bound (llama-server's default, 8 GiB, would let RSS grow far)."""
    omp_spin_count: int = 300
    """How long an OpenMP worker spins at a barrier before it sleeps (`GOMP_SPINCOUNT`). Generation
    meets a barrier every few microseconds: sleeping at each one (0, OpenMP's "passive") halves two
    threads' speed, while spinning long (OpenMP's default 300,000 or "active") starves a partner that
    shares its core with another process."""

    def env(self) -> dict[str, str]:
        """Environment variables the server process needs for this tuning."""
        return {"GOMP_SPINCOUNT": str(self.omp_spin_count)}

    def flags(self) -> list[str]:
        """The tuning as llama-server flags."""
        return [
            *("--threads", str(self.threads), "--threads-batch", str(self.threads_batch)),
            *("--poll", str(self.poll), "--parallel", str(self.parallel)),
            *("--batch-size", str(self.batch), "--ubatch-size", str(self.ubatch)),
            *("--flash-attn", self.flash_attn, "--cache-reuse", str(self.cache_reuse)),
            *("--cache-ram", str(self.cache_ram_mib)),
        ]


def server_command(
    binary: Path, *, model: Path, alias: str, port: int, tuning: ServerTuning | None = None
) -> list[str]:
    """The full command line that serves `model` as `alias` on 127.0.0.1:`port`."""
    return [
        str(binary),
        *("--model", str(model), "--alias", alias, "--ctx-size", str(N_CTX)),
        *(tuning or ServerTuning()).flags(),
        *("--host", HOST, "--port", str(port)),
        "--no-webui",
    ]
