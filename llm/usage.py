"""Token usage of chat completions, read from what the server reported (never counted with tiktoken).

`tiktoken` downloads its encodings on first use, which fails offline, so anysym only records the usage the
endpoint returns: `usage_metadata` (LangChain's standard field), else `response_metadata["token_usage"]`
(the raw OpenAI `usage` block), else zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.messages import AIMessage, BaseMessage

__all__ = ["StageUsage", "UsageRecord", "summarize_usage", "token_usage"]


def token_usage(message: BaseMessage) -> tuple[int, int]:
    """Return `(input_tokens, output_tokens)` the server reported for one answer (0, 0 when unknown)."""
    if isinstance(message, AIMessage) and message.usage_metadata:
        meta = message.usage_metadata
        return int(meta.get("input_tokens", 0) or 0), int(meta.get("output_tokens", 0) or 0)
    raw: Any = message.response_metadata.get("token_usage") or message.response_metadata.get("usage")
    if isinstance(raw, Mapping):
        prompt = raw.get("prompt_tokens", raw.get("input_tokens", 0))
        completion = raw.get("completion_tokens", raw.get("output_tokens", 0))
        return int(prompt or 0), int(completion or 0)
    return 0, 0


class UsageRecord(Protocol):
    """What `summarize_usage` needs of a completion (`anysym.llm.chat.Completion`)."""

    @property
    def stage(self) -> str: ...  # noqa: D102
    @property
    def input_tokens(self) -> int: ...  # noqa: D102
    @property
    def output_tokens(self) -> int: ...  # noqa: D102
    @property
    def seconds(self) -> float: ...  # noqa: D102


@dataclass(frozen=True, kw_only=True)
class StageUsage:
    """Calls, tokens and seconds of one stage (infer_components, infer_topology, refine, ...)."""

    calls: int
    input_tokens: int
    output_tokens: int
    seconds: float

    @property
    def output_tokens_per_s(self) -> float:
        """Decoding speed over the stage's calls (prompt processing time included)."""
        return self.output_tokens / self.seconds if self.seconds > 0 else 0.0


def summarize_usage(records: Iterable[UsageRecord]) -> dict[str, StageUsage]:
    """Total the records per stage, in first-seen stage order."""
    totals: dict[str, list[float]] = {}
    for record in records:
        entry = totals.setdefault(record.stage, [0, 0, 0, 0.0])
        entry[0] += 1
        entry[1] += record.input_tokens
        entry[2] += record.output_tokens
        entry[3] += record.seconds
    return {
        stage: StageUsage(calls=int(c), input_tokens=int(i), output_tokens=int(o), seconds=s)
        for stage, (c, i, o, s) in totals.items()
    }
