"""Node search: the catalog's node types in a Chroma collection, found by what each step of a task does.

Whole-task search over reference programs finds programs, not parts: a two-step task ("sharpen, then
posterize") gets one program that does something similar and misses the second node. Each step of the
task is searched here against the node documentation (`node_docs`), so the prompt's catalog excerpt holds
a node for every step even when no reference program contains it.

**Usage**::

    nodes = NodeIndex(paths, embedding=OfflineMiniLM(), docs=node_docs_for(catalog, embedded_docs_dir()))
    nodes.retrieve_nodes("make it half as wide", k=3)   # -> [NodeHit(name="ImageScaleBy", score=0.61), ...]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction

from anysym.errors import RetrievalError
from anysym.retriever.node_docs import NodeDoc
from anysym.retriever.store import current_collection, fresh_collection, open_client
from anysym.settings import Paths

__all__ = ["NODE_COLLECTION", "NodeHit", "NodeIndex"]

NODE_COLLECTION = "anysym_node_docs"
_HASH_KEY = "anysym_node_docs_hash"
_BATCH = 512


@dataclass(frozen=True)
class NodeHit:
    """One node type found for a query, with its cosine similarity."""

    name: str
    score: float


class NodeIndex:
    """Node documentation in a Chroma collection, rebuilt when the docs or the embedding change."""

    def __init__(
        self,
        paths: Paths,
        *,
        embedding: EmbeddingFunction[Documents],
        docs: Mapping[str, NodeDoc],
        chroma_url: str | None = None,
        collection: str = NODE_COLLECTION,
    ) -> None:
        self._paths = paths
        self._embedding = embedding
        self._docs = dict(docs)
        self._chroma_url = chroma_url
        self._collection_name = collection
        self._collection: Any = None

    @property
    def docs(self) -> Mapping[str, NodeDoc]:
        """The documentation this index serves, by node type."""
        return self._docs

    def gist(self, name: str) -> str | None:
        """One line on what node type `name` does, None when undocumented."""
        doc = self._docs.get(name)
        return doc.gist() if doc is not None else None

    def input_docs(self, name: str) -> Mapping[str, str]:
        """What each input of node type `name` means, by input name (empty when undocumented)."""
        doc = self._docs.get(name)
        return doc.inputs if doc is not None else {}

    def content_hash(self) -> str:
        """Fingerprint of everything the stored vectors depend on."""
        texts = sorted(f"{name}\0{doc.search_text()}" for name, doc in self._docs.items())
        config = json.dumps({"embedding": self._embedding.name(), "config": self._embedding.get_config()})
        return hashlib.sha256("\n".join([config, *texts]).encode()).hexdigest()

    def ensure(self) -> bool:
        """Open the collection, rebuilding it when its content changed; return whether it was rebuilt."""
        if self._collection is not None:
            return False
        client = open_client(self._paths, self._chroma_url)
        stamp = {_HASH_KEY: self.content_hash()}
        existing = current_collection(client, self._collection_name, self._embedding, stamp)
        if existing is not None:
            self._collection = existing
            return False
        self._rebuild(client, stamp)
        return True

    def _rebuild(self, client: Any, stamp: dict[str, str]) -> None:
        collection = fresh_collection(client, self._collection_name, self._embedding, stamp)
        names = sorted(self._docs)
        for start in range(0, len(names), _BATCH):
            chunk = names[start : start + _BATCH]
            collection.add(ids=chunk, documents=[self._docs[name].search_text() for name in chunk])
        self._collection = collection

    def retrieve_nodes(self, query: str, k: int = 3) -> list[NodeHit]:
        """The `k` node types whose documentation best matches `query`, best first."""
        if k <= 0 or not query.strip() or not self._docs:
            return []
        self.ensure()
        try:
            found = self._collection.query(
                query_texts=[query], n_results=min(k, len(self._docs)), include=["distances"]
            )
        except Exception as exc:  # chromadb wraps backend failures in many types
            raise RetrievalError(f"the node search failed: {exc}") from exc
        ids: Sequence[str] = found["ids"][0]
        distances: Sequence[float] = found["distances"][0]
        return [NodeHit(name=name, score=1.0 - float(d)) for name, d in zip(ids, distances, strict=True)]
