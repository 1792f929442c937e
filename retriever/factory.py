"""Build the retriever the CLI and the graph use: library (built-in + user folders), embedding, store."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from chromadb.api.types import Documents, EmbeddingFunction

from anysym.language.catalog import Catalog
from anysym.reference_programs import library_catalog_fragments, load_library
from anysym.retriever.embeddings import OfflineMiniLM, OpenAIEmbedding
from anysym.retriever.node_docs import embedded_docs_dir, node_docs_for
from anysym.retriever.node_index import NodeIndex
from anysym.retriever.settings import DEFAULT_EMBEDDING_MODEL, EmbeddingKind
from anysym.retriever.store import ProgramIndex
from anysym.settings import Paths

__all__ = ["EmbeddingKind", "build_index", "build_node_index", "make_embedding"]


def make_embedding(
    kind: EmbeddingKind = "offline", *, model: str = DEFAULT_EMBEDDING_MODEL, base_url: str | None = None
) -> EmbeddingFunction[Documents]:
    """Return the embedding function called `kind`."""
    if kind == "openai":
        return OpenAIEmbedding(model=model, base_url=base_url)
    if kind == "offline":
        return OfflineMiniLM()
    raise ValueError(f"unknown embedding {kind!r}; choose offline or openai")


def build_index(
    paths: Paths,
    *,
    library_dirs: Iterable[str | Path] = (),
    chroma_url: str | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
) -> ProgramIndex:
    """Return a ProgramIndex over the built-in programs plus `library_dirs`.

    ComfyUI UI workflows in those folders are imported with the catalog saved by the last
    `anysym comfy serve`, when there is one.
    """
    saved = paths.comfy / "object_info.json"
    catalog = Catalog.load(saved).merged(library_catalog_fragments()) if saved.is_file() else None
    programs = load_library(library_dirs, catalog=catalog)
    return ProgramIndex(
        paths, embedding=embedding or OfflineMiniLM(), chroma_url=chroma_url, programs=programs
    )


def build_node_index(
    paths: Paths,
    catalog: Catalog,
    *,
    chroma_url: str | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
    docs_dir: Path | None = None,
) -> NodeIndex:
    """Return a NodeIndex over `catalog`'s node types.

    They are documented by the installed `comfyui-embedded-docs` package (or `docs_dir`), else by the
    catalog's own descriptions.
    """
    docs = node_docs_for(catalog, docs_dir if docs_dir is not None else embedded_docs_dir())
    return NodeIndex(paths, embedding=embedding or OfflineMiniLM(), docs=docs, chroma_url=chroma_url)
