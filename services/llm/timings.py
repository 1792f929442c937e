"""The speed report of one llama-server completion: its `timings` object (tokens and tokens per second)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ServerTimings", "parse_timings"]


@dataclass(frozen=True, kw_only=True)
class ServerTimings:
    """What llama-server measured for one request (prompt = tokens evaluated, not those from cache)."""

    prompt_tokens: int
    prompt_per_s: float
    generated_tokens: int
    generated_per_s: float
    cached_tokens: int = 0


def parse_timings(body: Any) -> ServerTimings | None:
    """Read `timings` of a chat-completion response body (None when absent or malformed)."""
    timings = body.get("timings") if isinstance(body, dict) else None
    if not isinstance(timings, dict):
        return None
    try:
        return ServerTimings(
            prompt_tokens=int(timings["prompt_n"]),
            prompt_per_s=float(timings["prompt_per_second"]),
            generated_tokens=int(timings["predicted_n"]),
            generated_per_s=float(timings["predicted_per_second"]),
            cached_tokens=int(timings.get("cache_n", 0)),
        )
    except (KeyError, TypeError, ValueError):
        return None
