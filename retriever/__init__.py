"""The Chroma store of reference programs and its embedding functions (offline int8 MiniLM, OpenAI).

**Usage**: `build_index(paths).retrieve("blur my photo", k=3)` -> `[RetrievedProgram(program, score)]`.
"""

from __future__ import annotations

from anysym.retriever.documents import SCHEMES, DocumentScheme
from anysym.retriever.embeddings import OfflineMiniLM, OpenAIEmbedding
from anysym.retriever.factory import EmbeddingKind, build_index, make_embedding
from anysym.retriever.filters import RetrievalFilters, RetrievedProgram
from anysym.retriever.store import ProgramIndex

__all__ = [
    "SCHEMES",
    "DocumentScheme",
    "EmbeddingKind",
    "OfflineMiniLM",
    "OpenAIEmbedding",
    "ProgramIndex",
    "RetrievalFilters",
    "RetrievedProgram",
    "build_index",
    "make_embedding",
]
