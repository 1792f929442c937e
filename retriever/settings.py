"""Where the reference-program and node indexes are stored, and how their texts are embedded.

Built once by the caller (the CLI from the environment, `RetrievalSettings.from_env`) and passed in:
`anysym index`, `anysym search`, `anysym run`, `anysym resume` and `anysym bench` all read the same
variables through it, so a Chroma server set for `search` is the one `run` retrieves from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from anysym.errors import RetrievalError

if TYPE_CHECKING:
    from chromadb.api.types import Documents, EmbeddingFunction

__all__ = ["DEFAULT_EMBEDDING_MODEL", "ENVIRONMENT", "EmbeddingKind", "RetrievalSettings"]

EmbeddingKind = Literal["offline", "openai"]
"""`offline`: the bundled int8 MiniLM (default); `openai`: OpenAI embeddings (needs OPENAI_API_KEY)."""
EMBEDDING_KINDS: tuple[str, ...] = get_args(EmbeddingKind)
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"

ENVIRONMENT = {
    "ANYSYM_CHROMA_URL": "a Chroma server (`chroma run`) instead of the embedded store",
    "ANYSYM_EMBEDDING": "`offline` (default: the bundled MiniLM) or `openai` (with OPENAI_API_KEY)",
    "ANYSYM_EMBEDDING_MODEL": "the OpenAI-compatible embedding model (default: DEFAULT_EMBEDDING_MODEL)",
    "ANYSYM_EMBEDDING_BASE_URL": "an OpenAI-compatible embeddings endpoint",
}
"""The variables `from_env` reads, and what each sets."""


@dataclass(frozen=True, kw_only=True)
class RetrievalSettings:
    """The index store and the embedding; the defaults are the embedded store and the offline MiniLM."""

    chroma_url: str | None = None
    """A Chroma server's URL; None: the embedded store in the anysym home."""
    embedding: EmbeddingKind = "offline"
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_base_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RetrievalSettings:
        """Read `ENVIRONMENT`'s variables from `env`; raises `RetrievalError` on an unknown embedding."""
        kind = env.get("ANYSYM_EMBEDDING", "").strip() or "offline"
        if kind not in EMBEDDING_KINDS:
            raise RetrievalError(f"ANYSYM_EMBEDDING must be {' or '.join(EMBEDDING_KINDS)}, not {kind!r}")
        return cls(
            chroma_url=env.get("ANYSYM_CHROMA_URL", "").strip() or None,
            embedding=kind,  # type: ignore[arg-type]  # checked against EMBEDDING_KINDS above
            embedding_model=env.get("ANYSYM_EMBEDDING_MODEL", "").strip() or DEFAULT_EMBEDDING_MODEL,
            embedding_base_url=env.get("ANYSYM_EMBEDDING_BASE_URL", "").strip() or None,
        )

    def embedding_function(self) -> EmbeddingFunction[Documents]:
        """The embedding these settings name (imported only when asked for: chromadb is slow to import)."""
        from anysym.retriever.factory import make_embedding

        return make_embedding(self.embedding, model=self.embedding_model, base_url=self.embedding_base_url)
