"""The Chroma store of reference programs: built from the library, rebuilt when its content changes.

**Usage**::

    index = ProgramIndex(paths, embedding=OfflineMiniLM())       # embedded PersistentClient in paths.chroma
    hits = index.retrieve("blur my photo", k=3)                    # builds the index on first use
    hits = index.retrieve("animate it", k=3, filters={"input_modalities": ["image"]})

With `chroma_url` (e.g. `http://chroma:8000`) the collection lives on a Chroma server (HttpClient). The
library's content hash (programs + document scheme + embedding config) is kept in the collection
metadata; a different hash rebuilds the collection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings

from anysym.errors import RetrievalError
from anysym.reference_programs import ReferenceProgram, content_hash, load_library
from anysym.retriever.documents import Document, DocumentScheme, documents_for
from anysym.retriever.filters import RetrievalFilters, RetrievedProgram, where_clause
from anysym.settings import Paths

__all__ = [
    "COLLECTION",
    "ProgramIndex",
    "Vectorizer",
    "current_collection",
    "fresh_collection",
    "open_client",
]

COLLECTION = "anysym_reference_programs"
"""Default collection name."""

_HASH_KEY = "anysym_library_hash"
_OVERFETCH = 4
"""Documents fetched per wanted program (a program has several documents under the `multi` scheme)."""

Vectorizer = Callable[[list[str]], Sequence[Any]]
"""Turns document texts into vectors; the embedding function by default (benchmarks inject their own)."""


class ProgramIndex:
    """Reference programs in a Chroma collection, searchable by task text (the graph's `Retriever`)."""

    def __init__(
        self,
        paths: Paths,
        *,
        embedding: EmbeddingFunction[Documents],
        chroma_url: str | None = None,
        programs: Sequence[ReferenceProgram] | None = None,
        scheme: DocumentScheme = "multi",
        collection: str = COLLECTION,
    ) -> None:
        self._paths = paths
        self._embedding = embedding
        self._chroma_url = chroma_url
        self._programs = list(programs) if programs is not None else None
        self._scheme: DocumentScheme = scheme
        self._collection_name = collection
        self._client: Any = None
        self._collection: Any = None

    @property
    def programs(self) -> list[ReferenceProgram]:
        """The library this index serves (the built-in programs unless given)."""
        if self._programs is None:
            self._programs = load_library()
        return self._programs

    def library_hash(self) -> str:
        """Fingerprint of everything the stored vectors depend on."""
        config = json.dumps(
            {
                "embedding": self._embedding.name(),
                "config": self._embedding.get_config(),
                "scheme": self._scheme,
            },
            sort_keys=True,
        )
        return hashlib.sha256(f"{content_hash(self.programs)}\0{config}".encode()).hexdigest()

    def ensure(self) -> bool:
        """Open the collection, rebuilding it when the library changed; return whether it was rebuilt."""
        if self._collection is not None:
            return False
        client = self._connect()
        existing = current_collection(
            client, self._collection_name, self._embedding, {_HASH_KEY: self.library_hash()}
        )
        if existing is not None:
            self._collection = existing
            return False
        self.rebuild()
        return True

    def rebuild(self, *, vectorizer: Vectorizer | None = None) -> int:
        """Drop and rebuild the collection from the library; return the number of documents stored."""
        client = self._connect()
        collection = fresh_collection(
            client, self._collection_name, self._embedding, {_HASH_KEY: self.library_hash()}
        )
        documents = [doc for program in self.programs for doc in documents_for(program, self._scheme)]
        by_id = {program.id: program for program in self.programs}
        embed = vectorizer or (lambda texts: self._embedding(texts))
        batch = max(1, min(int(client.get_max_batch_size()), 4096))
        for start in range(0, len(documents), batch):
            chunk = documents[start : start + batch]
            collection.add(
                ids=[doc.id for doc in chunk],
                documents=[doc.text for doc in chunk],
                embeddings=list(embed([doc.text for doc in chunk])),
                metadatas=[_metadata(doc, by_id[doc.program_id]) for doc in chunk],
            )
        self._collection = collection
        return len(documents)

    def count(self) -> int:
        """Number of stored documents (building the index if needed)."""
        self.ensure()
        return int(self._collection.count())

    def retrieve(
        self,
        query: str,
        k: int = 3,
        filters: RetrievalFilters | Mapping[str, Any] | None = None,
    ) -> list[RetrievedProgram]:
        """Return up to `k` programs best matching `query`, best first, with cosine-similarity scores."""
        if k <= 0 or not query.strip():
            return []
        self.ensure()
        chosen = RetrievalFilters.model_validate(filters) if isinstance(filters, Mapping) else filters
        where = where_clause(chosen) if chosen is not None else None
        wanted = min(k * _OVERFETCH, max(1, int(self._collection.count())))
        try:
            found = self._collection.query(
                query_texts=[query], n_results=wanted, where=where, include=["metadatas", "distances"]
            )
        except Exception as exc:  # chromadb wraps backend failures in many types
            raise RetrievalError(f"the reference-program search failed: {exc}") from exc
        return self._best_programs(found, k)

    def _best_programs(self, found: Mapping[str, Any], k: int) -> list[RetrievedProgram]:
        known = {program.id: program for program in self.programs}
        hits: dict[str, float] = {}
        for metadata, distance in zip(found["metadatas"][0], found["distances"][0], strict=True):
            program_id = str(metadata["program_id"])
            if program_id in known and program_id not in hits:
                hits[program_id] = 1.0 - float(distance)
        best = sorted(hits.items(), key=lambda item: -item[1])[:k]
        return [RetrievedProgram(program=known[pid], score=score) for pid, score in best]

    def _connect(self) -> Any:
        if self._client is None:
            self._client = open_client(self._paths, self._chroma_url)
        return self._client


def current_collection(
    client: Any, name: str, embedding: EmbeddingFunction[Documents], stamp: Mapping[str, str]
) -> Any | None:
    """The collection `name` when its metadata carries `stamp` (a content hash); None if absent or stale."""
    try:
        existing = client.get_collection(name, embedding_function=embedding)
    except Exception:  # chromadb raises NotFoundError/ValueError depending on the backend
        return None
    metadata = existing.metadata or {}
    return existing if all(metadata.get(key) == value for key, value in stamp.items()) else None


def fresh_collection(
    client: Any, name: str, embedding: EmbeddingFunction[Documents], stamp: Mapping[str, str]
) -> Any:
    """Drop the collection `name` if it exists and create it empty (cosine space), stamped with `stamp`."""
    try:
        client.delete_collection(name)
    except Exception:  # absent: nothing to delete
        pass
    return client.create_collection(
        name, embedding_function=embedding, metadata={"hnsw:space": "cosine", **stamp}
    )


def open_client(paths: Paths, chroma_url: str | None) -> Any:
    """A Chroma client: HttpClient for `chroma_url`, else the embedded PersistentClient in `paths.chroma`."""
    settings = Settings(anonymized_telemetry=False)
    try:
        if chroma_url:
            url = urlparse(chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
        paths.chroma.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(paths.chroma), settings=settings)
    except Exception as exc:
        raise RetrievalError(f"cannot open the Chroma store at {chroma_url or paths.chroma}: {exc}") from exc


def _metadata(document: Document, program: ReferenceProgram) -> dict[str, str | bool]:
    flags: dict[str, str | bool] = {"program_id": program.id, "category": program.category}
    flags.update({f"in_{m}": True for m in program.input_modalities})
    flags.update({f"out_{m}": True for m in program.output_modalities})
    return flags
