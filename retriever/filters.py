"""Retrieval results and filters: by input/output modality and by task category."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from anysym.reference_programs import Category, Modality, ReferenceProgram

__all__ = ["RetrievalFilters", "RetrievedProgram", "where_clause"]


class RetrievedProgram(BaseModel):
    """One hit: the program and its cosine similarity to the query (1 = identical direction)."""

    model_config = ConfigDict(frozen=True)

    program: ReferenceProgram
    score: float


class RetrievalFilters(BaseModel):
    """Restrict retrieval by modality and category.

    A program must take every `input_modalities` entry, produce every `output_modalities` entry, and
    belong to one of `categories` (when given).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_modalities: tuple[Modality, ...] = ()
    output_modalities: tuple[Modality, ...] = ()
    categories: tuple[Category, ...] = ()

    def matches(self, program: ReferenceProgram) -> bool:
        """Tell whether `program` passes the filters (the same rule as the Chroma `where` clause)."""
        return (
            set(self.input_modalities) <= set(program.input_modalities)
            and set(self.output_modalities) <= set(program.output_modalities)
            and (not self.categories or program.category in self.categories)
        )


def where_clause(filters: RetrievalFilters) -> dict[str, Any] | None:
    """Translate filters into a Chroma `where` clause over the stored metadata flags (None = no filter)."""
    clauses: list[dict[str, Any]] = [{f"in_{m}": True} for m in filters.input_modalities]
    clauses += [{f"out_{m}": True} for m in filters.output_modalities]
    if filters.categories:
        clauses.append({"category": {"$in": list(filters.categories)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
