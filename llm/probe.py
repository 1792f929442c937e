"""Does an OpenAI-compatible endpoint honour `extra_body={"grammar": ...}`? Known or probed once, cached.

Grammar-constrained decoding is a llama.cpp extension: `llama-server` (and llama-cpp-python's server)
honours `grammar` in a chat request, OpenAI ignores or rejects it. anysym therefore turns constrained
decoding on only for the managed local server (known) or for an endpoint that passes a probe: a small
request whose grammar forces an answer no model would write unprompted (`PROBE_ANSWER`). Any other
outcome (an error, a different answer) means "not supported", and the answer is cached per (base URL,
model).
"""

from __future__ import annotations

import json
import time

import httpx

from anysym.http_body import BodyTooSlow, read_within
from anysym.llm.settings import LLMSettings

__all__ = ["PROBE_ANSWER", "GrammarProbe"]

PROBE_ANSWER = "qz7-grammar-ok"
"""What the probe grammar forces; an endpoint that ignores grammars answers something else."""
PROBE_GRAMMAR = f'root ::= "{PROBE_ANSWER}"\n'


class GrammarProbe:
    """Decide, once per endpoint and model, whether grammar-constrained decoding works there.

    **Usage**: `GrammarProbe(known={local.url}).supports(settings)`; pass an `httpx.Client` in tests.
    """

    def __init__(
        self, *, known: set[str] | frozenset[str] = frozenset(), http_client: httpx.Client | None = None
    ) -> None:
        self._known = {url.rstrip("/") for url in known}
        self._client = http_client
        self._cache: dict[tuple[str, str], bool] = {}

    def supports(self, settings: LLMSettings, *, timeout_s: float = 60.0) -> bool:
        """Whether `settings`' endpoint honours grammars (False when no endpoint is configured).

        `timeout_s` bounds the whole exchange, the body included: an endpoint that trickles its answer
        counts as not supporting grammars once it has passed.
        """
        if settings.base_url is None:
            return False
        base = settings.base_url.rstrip("/")
        if base in self._known:
            return True
        key = (base, settings.model)
        if key not in self._cache:
            self._cache[key] = self._probe(base, settings, timeout_s)
        return self._cache[key]

    def _probe(self, base: str, settings: LLMSettings, timeout_s: float) -> bool:
        body = {
            "model": settings.model,
            "messages": [{"role": "user", "content": "Reply with the word hello."}],
            "temperature": 0,
            "max_tokens": 16,
            "grammar": PROBE_GRAMMAR,
        }
        headers = {"Authorization": f"Bearer {settings.api_key or 'local'}"}
        client = self._client or httpx.Client()
        started = time.monotonic()
        url = f"{base}/chat/completions"
        try:
            with client.stream("POST", url, json=body, headers=headers, timeout=timeout_s) as response:
                if response.status_code != 200:
                    return False
                answer = json.loads(read_within(response, timeout_s, started=started))
            content = answer["choices"][0]["message"]["content"]
        except (httpx.HTTPError, BodyTooSlow, ValueError, KeyError, IndexError, TypeError):
            return False
        finally:
            if self._client is None:
                client.close()
        return isinstance(content, str) and content.strip() == PROBE_ANSWER
