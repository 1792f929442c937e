"""What the managed local LLM server reports about itself: status, health, served model and speed."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from anysym.services.llm.flags import HOST
from anysym.services.llm.timings import parse_timings

__all__ = ["LLMStatus", "healthy", "measure_speed", "served_alias", "served_model"]

SPEED_PROMPT = "Write the numbers from 1 to 40 separated by commas."


@dataclass(frozen=True, kw_only=True)
class LLMStatus:
    """What `status()` found about the local LLM on one port."""

    model: str
    runtime_installed: bool
    model_installed: bool
    running: bool
    pid: int | None
    url: str
    rss_bytes: int | None = None
    tokens_per_s: float | None = None
    served_model: str | None = None

    def render(self) -> str:
        """A few lines for the CLI."""
        if not self.runtime_installed or not self.model_installed:
            return f"not installed (run `anysym llm install --model {self.model}`)"
        if not self.running:
            return f"installed ({self.model}), not running (start it with `anysym llm serve`)"
        lines = [f"running at {self.url} (pid {self.pid}, model {self.served_model})"]
        if self.rss_bytes is not None:
            lines.append(f"memory: {self.rss_bytes / 2**30:.2f} GiB resident")
        if self.tokens_per_s is not None:
            lines.append(f"speed: {self.tokens_per_s:.1f} output tokens/s (measured on a short completion)")
        return "\n".join(lines)


def served_model(url: str) -> str | None:
    """The model id the server at `url` serves, or None when it does not answer."""
    try:
        response = httpx.get(f"{url}/models", timeout=2.0)
        data = response.json().get("data") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return str(data[0].get("id", ""))
    return None


def healthy(port: int) -> bool | None:
    """True when llama-server on `port` is ready, False while it loads (503), None when nothing answers."""
    try:
        response = httpx.get(f"http://{HOST}:{port}/health", timeout=2.0)
    except httpx.HTTPError:
        return None
    return response.status_code == 200


def served_alias(command_line: str) -> str | None:
    """The `--alias` of a llama-server command line."""
    words = command_line.split()
    return words[words.index("--alias") + 1] if "--alias" in words[:-1] else None


def measure_speed(url: str, model: str) -> float | None:
    """Output tokens per second of one short, deterministic completion (the server's own timing)."""
    body = {
        "model": model,
        "messages": [{"role": "user", "content": SPEED_PROMPT}],
        "max_tokens": 64,
        "temperature": 0,
        "seed": 0,
    }
    started = time.perf_counter()
    try:
        response = httpx.post(f"{url}/chat/completions", json=body, timeout=300.0)  # waits its turn
        answer = response.json()
        tokens = int(answer["usage"]["completion_tokens"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    timings = parse_timings(answer)
    return timings.generated_per_s if timings is not None else tokens / (time.perf_counter() - started)
