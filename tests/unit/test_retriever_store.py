"""ProgramIndex on a real embedded Chroma with a deterministic bag-of-words embedding (no model needed)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from anysym.reference_programs import ReferenceProgram, load_library
from anysym.retriever import ProgramIndex, RetrievalFilters
from anysym.retriever.documents import SCHEMES, documents_for
from anysym.retriever.filters import where_clause
from anysym.settings import Paths

LIBRARY = load_library()


class WordHash(EmbeddingFunction[Documents]):
    """Each word hashed into one of 256 buckets; L2-normalised counts."""

    def __init__(self) -> None:
        self.calls = 0

    @staticmethod
    def name() -> str:
        return "test-word-hash"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> WordHash:
        return WordHash()

    def __call__(self, input: Documents) -> Embeddings:
        self.calls += 1
        out: Embeddings = []
        for text in input:
            vector = np.zeros(256, dtype=np.float32)
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % 256] += 1.0
            out.append((vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32))
        return out


def _index(tmp_path: Path, programs: list[ReferenceProgram] | None = None, **kw: Any) -> ProgramIndex:
    return ProgramIndex(Paths(home=tmp_path), embedding=WordHash(), programs=programs or LIBRARY, **kw)


def test_builds_once_then_reopens_without_rebuilding(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert index.ensure() is True
    count = index.count()
    assert count == sum(len(documents_for(p, "multi")) for p in LIBRARY)
    assert (tmp_path / "chroma").is_dir()
    reopened = _index(tmp_path)
    assert reopened.ensure() is False and reopened.count() == count


def test_library_change_triggers_a_rebuild(tmp_path: Path) -> None:
    _index(tmp_path).ensure()
    changed = [LIBRARY[0].model_copy(update={"description": "Something else entirely."}), *LIBRARY[1:]]
    assert _index(tmp_path, changed).ensure() is True
    assert _index(tmp_path, changed).ensure() is False
    assert _index(tmp_path, changed, scheme="combined").ensure() is True


def test_retrieve_ranks_dedupes_and_scores(tmp_path: Path) -> None:
    index = _index(tmp_path)
    hits = index.retrieve("Gaussian blur softens a picture", k=3)
    assert hits[0].program.id == "blur_image"
    assert len({h.program.id for h in hits}) == len(hits) == 3
    assert all(-1.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.retrieve("anything", k=0) == [] and index.retrieve("   ", k=3) == []
    assert len(index.retrieve("picture", k=100)) == len(LIBRARY)


@pytest.mark.parametrize(
    "filters",
    [
        RetrievalFilters(input_modalities=("image",), output_modalities=("video",)),
        RetrievalFilters(categories=("text-to-audio", "text-to-3d")),
        RetrievalFilters(input_modalities=("text",), output_modalities=("3d",), categories=("text-to-3d",)),
    ],
)
def test_filters_restrict_to_matching_programs(tmp_path: Path, filters: RetrievalFilters) -> None:
    hits = _index(tmp_path).retrieve("make something from my input", k=50, filters=filters)
    expected = {p.id for p in LIBRARY if filters.matches(p)}
    assert expected and {h.program.id for h in hits} == expected


def test_filters_accept_a_plain_mapping(tmp_path: Path) -> None:
    hits = _index(tmp_path).retrieve("sound", k=5, filters={"output_modalities": ["audio"]})
    assert [h.program.id for h in hits] == ["text_to_audio_stable_audio"]


def test_where_clause_shapes() -> None:
    assert where_clause(RetrievalFilters()) is None
    assert where_clause(RetrievalFilters(input_modalities=("image",))) == {"in_image": True}
    assert where_clause(RetrievalFilters(output_modalities=("video",), categories=("inpaint",))) == {
        "$and": [{"out_video": True}, {"category": {"$in": ["inpaint"]}}]
    }


@pytest.mark.parametrize("scheme", SCHEMES)
def test_document_schemes(scheme: str) -> None:
    program = next(p for p in LIBRARY if p.id == "text_to_image")
    docs = documents_for(program, scheme)  # type: ignore[arg-type]
    assert len({d.id for d in docs}) == len(docs) and all(d.program_id == program.id for d in docs)
    text = " ".join(d.text for d in docs)
    assert program.title in text
    if scheme != "description":
        assert "KSampler" in text and program.use_when[0] in text
    with pytest.raises(ValueError, match="unknown document scheme"):
        documents_for(program, "nope")  # type: ignore[arg-type]
