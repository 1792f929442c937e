"""`LLMSettings`: which OpenAI-compatible endpoint and model the engine talks to, and how patiently.

Built once by the CLI (`LLMSettings.from_env(os.environ, model=flag, ...)`); library code receives it.
`base_url=None` means "no endpoint configured": `anysym run` then starts the managed local model
(`anysym.services.llm.server.LocalLLM.ensure_running`) and fills in its URL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from anysym.services.llm.models import DEFAULT_MODEL

__all__ = ["BASE_URL_ENV", "KEY_ENV", "MODEL_ENV", "LLMSettings"]

BASE_URL_ENV = "ANYSYM_LLM_BASE_URL"
"""Environment variable with the OpenAI-compatible base URL (e.g. `http://host:8000/v1`)."""
MODEL_ENV = "ANYSYM_LLM_MODEL"
"""Environment variable with the model name sent in every request."""
KEY_ENV = "OPENAI_API_KEY"
"""Environment variable with the API key (optional for keyless local servers)."""


@dataclass(frozen=True, kw_only=True)
class LLMSettings:
    """Endpoint, model and sampling/retry settings of the chat model.

    **Usage**: `LLMSettings(base_url="http://127.0.0.1:8765/v1", model="qwen2.5-coder-0.5b")`.
    """

    base_url: str | None = None
    model: str = DEFAULT_MODEL
    """The model name sent in every request; without an endpoint, the managed local model to serve."""
    api_key: str | None = None
    temperature: float = 0.0
    seed: int | None = 0
    max_tokens: int = 1024
    timeout_s: float = 120.0
    max_retries: int = 3
    backoff_s: float = 1.0

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")
        if self.max_retries < 0 or self.backoff_s < 0 or self.timeout_s <= 0:
            raise ValueError("max_retries and backoff_s must be >= 0 and timeout_s > 0")

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> LLMSettings:
        """Read `ANYSYM_LLM_BASE_URL`, `ANYSYM_LLM_MODEL`, `OPENAI_API_KEY`; non-None overrides win."""
        values: dict[str, Any] = {}
        for field_name, env_name in (("base_url", BASE_URL_ENV), ("model", MODEL_ENV), ("api_key", KEY_ENV)):
            configured = environ.get(env_name, "").strip()
            if configured:
                values[field_name] = configured
        return cls(**values).overridden(**overrides)

    def overridden(self, **overrides: Any) -> LLMSettings:
        """A copy with every non-None override set (`model=None` keeps the model); unknown names raise."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown LLM settings: {', '.join(sorted(unknown))}")
        return dataclasses.replace(
            self, **{name: value for name, value in overrides.items() if value is not None}
        )

    @property
    def is_configured(self) -> bool:
        """Whether an endpoint was configured (False: use the managed local server)."""
        return self.base_url is not None

    def with_endpoint(self, base_url: str, model: str | None = None) -> LLMSettings:
        """Return a copy that talks to `base_url` (and `model`, when given)."""
        return dataclasses.replace(self, base_url=base_url, model=model or self.model)
