"""Retrieval benchmarks: recall@k on paraphrased task descriptions, and query latency at library scale.

`recall(index, queries)` asks the index for the top 3 of every query and reports recall@1, recall@3 and
the mean reciprocal rank. `latency(...)` fills a fresh collection with `size` synthetic copies of the
library (documents vectorised once with the real embedding, each copy perturbed with small Gaussian
noise so no two vectors coincide) and times `retrieve(query, k=3)` end to end, query embedding included.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from pydantic import BaseModel, ConfigDict, Field

from anysym.errors import BenchError
from anysym.reference_programs import ReferenceProgram
from anysym.retriever.documents import DocumentScheme
from anysym.retriever.store import ProgramIndex
from anysym.settings import Paths

__all__ = ["LatencyReport", "Query", "QueryOutcome", "RecallReport", "latency", "load_queries", "recall"]

NOISE_SIGMA = 0.02
"""Per-dimension noise added to each synthetic copy's vectors (before re-normalising)."""


class Query(BaseModel):
    """A task description and every program that is a right answer."""

    model_config = ConfigDict(frozen=True)

    query: str
    expected: tuple[str, ...] = Field(min_length=1)
    split: str = "dev"
    """`dev` (used while writing the library) or `heldout` (never tuned on)."""


class QueryOutcome(BaseModel):
    """What the index returned for one query."""

    query: str
    expected: tuple[str, ...]
    retrieved: tuple[str, ...]
    rank: int | None
    """1-based rank of the first right program among those retrieved, None when absent."""


class RecallReport(BaseModel):
    """Recall of one index configuration over a query set."""

    scheme: str
    queries: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    misses: list[QueryOutcome]


class LatencyReport(BaseModel):
    """Timing of `retrieve(query, k=3)` over a large synthetic library."""

    programs: int
    documents: int
    index_seconds: float
    samples: int
    median_ms: float
    p95_ms: float


def load_queries(path: Path) -> list[Query]:
    """Read a query set (`{"queries": [{"query", "expected": [...]}]}`); raises BenchError when unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Query.model_validate(item) for item in data["queries"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BenchError(f"cannot read the retrieval query set {path}: {exc}") from exc


def recall(index: ProgramIndex, queries: Sequence[Query], *, scheme: str = "", k: int = 3) -> RecallReport:
    """Run every query against `index` and measure recall@1, recall@k and MRR."""
    outcomes = []
    for item in queries:
        retrieved = tuple(hit.program.id for hit in index.retrieve(item.query, k=k))
        rank = next((i + 1 for i, pid in enumerate(retrieved) if pid in item.expected), None)
        outcome = QueryOutcome(query=item.query, expected=item.expected, retrieved=retrieved, rank=rank)
        outcomes.append(outcome)
    total = max(1, len(outcomes))
    return RecallReport(
        scheme=scheme,
        queries=len(outcomes),
        recall_at_1=sum(o.rank == 1 for o in outcomes) / total,
        recall_at_3=sum(o.rank is not None and o.rank <= k for o in outcomes) / total,
        mrr=sum(1.0 / o.rank for o in outcomes if o.rank) / total,
        misses=[o for o in outcomes if o.rank != 1],
    )


def latency(
    paths: Paths,
    *,
    embedding: EmbeddingFunction[Documents],
    programs: Sequence[ReferenceProgram],
    queries: Sequence[str],
    size: int = 10_000,
    repeats: int = 3,
    scheme: DocumentScheme = "multi",
    seed: int = 0,
) -> LatencyReport:
    """Index `size` synthetic copies of `programs` in a fresh store under `paths` and time retrieval."""
    if not programs or not queries:
        raise BenchError("the latency benchmark needs at least one program and one query")
    copies = [
        program.model_copy(update={"id": f"{program.id}__copy{n:05d}"})
        for n in range(size // len(programs) + 1)
        for program in programs
    ][:size]
    index = ProgramIndex(
        paths, embedding=embedding, programs=copies, scheme=scheme, collection="anysym_bench"
    )
    started = time.perf_counter()
    documents = index.rebuild(vectorizer=_NoisyVectorizer(embedding, seed))
    index_seconds = time.perf_counter() - started
    index.retrieve(queries[0], k=3)  # warm-up: loads the HNSW segment and the model
    samples = []
    for _ in range(repeats):
        for query in queries:
            begin = time.perf_counter()
            index.retrieve(query, k=3)
            samples.append((time.perf_counter() - begin) * 1000.0)
    samples.sort()
    return LatencyReport(
        programs=len(copies),
        documents=documents,
        index_seconds=index_seconds,
        samples=len(samples),
        median_ms=statistics.median(samples),
        p95_ms=samples[min(len(samples) - 1, int(0.95 * len(samples)))],
    )


class _NoisyVectorizer:
    """Embeds each distinct text once with the real model, then returns a perturbed unit vector per call."""

    def __init__(self, embedding: EmbeddingFunction[Documents], seed: int) -> None:
        self._embedding = embedding
        self._cache: dict[str, np.ndarray] = {}
        self._rng = np.random.default_rng(seed)

    def __call__(self, texts: list[str]) -> list[Any]:
        missing = sorted({t for t in texts if t not in self._cache})
        if missing:
            for text, vector in zip(missing, self._embedding(missing), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        base = np.stack([self._cache[t] for t in texts])
        noisy = base + self._rng.normal(0.0, NOISE_SIGMA, size=base.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        return list(noisy)
