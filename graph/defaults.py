"""The embedded default services: the LLM, the ComfyUI server and its catalog, the program store.

Every missing piece raises a one-line `AnysymError` that names the command which fixes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx
import structlog

from anysym.errors import LocalServiceError
from anysym.graph.comfy import ComfyExecutor, first_reachable_catalog
from anysym.graph.deps import Deps, GrammarBuilder, NodeSearch, Retriever
from anysym.language.catalog import Catalog
from anysym.llm.chat import LLMClient
from anysym.llm.settings import LLMSettings
from anysym.retriever.settings import RetrievalSettings

if TYPE_CHECKING:
    from chromadb.api.types import Documents, EmbeddingFunction
from anysym.settings import Paths

__all__ = ["engine_deps", "open_default_deps", "resolve_llm_settings"]

_log = structlog.get_logger("anysym.graph")

LOCAL_TIMEOUT_S = 900.0
"""The least request timeout used with the managed local LLM (a slow CPU answers in minutes, not hours)."""


def resolve_llm_settings(settings: LLMSettings, paths: Paths) -> LLMSettings:
    """Return `settings`, or the managed local LLM's endpoint when none is configured (started if needed).

    Without an endpoint, `settings.model` names which installed local model the managed server runs
    (`qwen2.5-coder-1.5b`: the server restarts with it); any other name is a one-line error.
    """
    if settings.is_configured:
        return settings
    from anysym.services.llm.models import MODELS
    from anysym.services.llm.server import LocalLLM

    if settings.model not in MODELS:
        raise LocalServiceError(
            f"{settings.model!r} is not a managed local model ({', '.join(MODELS)}); "
            "give --base-url for a model served elsewhere"
        )
    url = LocalLLM(paths, model=settings.model).ensure_running()
    _log.info("using_managed_local_llm", base_url=url, model=settings.model)
    # The local server answers one request at a time on shared CPU cores: a client that gives up early
    # leaves it busy with the abandoned request and the retry queues behind it.
    return dataclasses.replace(
        settings.with_endpoint(url), timeout_s=max(settings.timeout_s, LOCAL_TIMEOUT_S)
    )


@asynccontextmanager
async def open_default_deps(
    paths: Paths,
    *,
    llm_settings: LLMSettings | None = None,
    servers: Sequence[str] | None = None,
    execute: bool = True,
    retriever: Retriever | None = None,
    retrieval: RetrievalSettings | None = None,
) -> AsyncIterator[Deps]:
    """Open the default services for one run (ComfyUI's HTTP client is closed on exit).

    `servers`: ComfyUI base URLs; each execution goes to the least-loaded reachable one, the catalog comes
    from the first reachable one. None means the managed local ComfyUI. `retrieval`: the index store and
    embedding of the reference programs and the node search (default: embedded store, offline MiniLM).
    """
    retrieval = retrieval or RetrievalSettings()
    settings = resolve_llm_settings(llm_settings or LLMSettings(), paths)
    # Our own client for the chat model, closed with the deps: langchain-openai's default one is cached
    # process-wide and bound to the first event loop (a second `generate()` in a process failed).
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(settings.timeout_s)) as llm_http,
        httpx.AsyncClient(timeout=httpx.Timeout(60.0)) as http,
    ):
        llm = LLMClient.from_settings(settings, http_async_client=llm_http)
        from anysym.executor.pool import ServerPool

        local = None if servers else _local_comfy_url(paths, execute=execute)
        urls = list(servers) if servers else [local] if local else []
        pool = ServerPool(urls, http) if urls else None
        catalog = await _catalog(paths, pool)
        executor = ComfyExecutor(pool) if pool is not None and execute else None
        yield engine_deps(paths, llm, settings, catalog, executor, retrieval=retrieval, retriever=retriever)


def engine_deps(
    paths: Paths,
    llm: LLMClient,
    settings: LLMSettings,
    catalog: Catalog,
    executor: ComfyExecutor | None,
    *,
    retrieval: RetrievalSettings,
    retriever: Retriever | None = None,
) -> Deps:
    """The engine's services around a chat model, a catalog and an executor.

    Reference programs, node search, and grammar-constrained decoding where the endpoint supports it: the
    one recipe of the CLI's runs and of the graph a LangGraph server serves (`anysym.graph.studio`).
    """
    embedding = retrieval.embedding_function()  # one model for both indexes (loaded on first use)
    return Deps(
        llm=llm,
        catalog=catalog,
        retriever=retriever if retriever is not None else _default_retriever(paths, retrieval, embedding),
        nodes=_default_node_search(paths, catalog, retrieval, embedding),
        executor=executor,
        grammar=_grammar_builder() if _grammar_supported(settings, paths) else None,
    )


def _local_comfy_url(paths: Paths, *, execute: bool) -> str | None:
    from anysym.services.comfy.server import LocalComfy

    local = LocalComfy(paths)
    if not execute and local.catalog_path.is_file():
        return None
    return local.serve()


async def _catalog(paths: Paths, pool: Any) -> Catalog:
    if pool is not None:
        return await first_reachable_catalog(pool)
    from anysym.services.comfy.server import LocalComfy

    return Catalog.load(LocalComfy(paths).catalog_path)


def _default_retriever(
    paths: Paths, retrieval: RetrievalSettings, embedding: EmbeddingFunction[Documents]
) -> Retriever:
    from anysym.retriever.factory import build_index

    index: Retriever = build_index(paths, chroma_url=retrieval.chroma_url, embedding=embedding)
    return index


def _default_node_search(
    paths: Paths, catalog: Catalog, retrieval: RetrievalSettings, embedding: EmbeddingFunction[Documents]
) -> NodeSearch:
    from anysym.retriever.factory import build_node_index

    index: NodeSearch = build_node_index(paths, catalog, chroma_url=retrieval.chroma_url, embedding=embedding)
    return index


def _grammar_supported(settings: LLMSettings, paths: Paths) -> bool:
    """Detect (never assume) grammar support: the managed local server has it, others are probed once."""
    from anysym.llm.probe import GrammarProbe
    from anysym.services.llm.server import LocalLLM

    supported = GrammarProbe(known={LocalLLM(paths).url}).supports(settings)
    _log.info("grammar_support", base_url=settings.base_url, supported=supported)
    return supported


def _grammar_builder() -> GrammarBuilder:
    from anysym.language.gbnf import build_grammar

    return build_grammar
