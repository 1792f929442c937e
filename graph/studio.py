"""The module-level graph served by `langgraph dev` (referenced by langgraph.json, imported by nothing else).

Configuration comes from the environment once, here: `$ANYSYM_HOME`, `ANYSYM_LLM_BASE_URL`,
`ANYSYM_LLM_MODEL`, `OPENAI_API_KEY` (default: the managed local LLM, started if needed),
`ANYSYM_COMFY_URL` (one or more ComfyUI base URLs, comma-separated: each execution goes to the least
loaded; default: the managed local ComfyUI, whose saved `/object_info` is the catalog), and the index
store and embedding (`ANYSYM_CHROMA_URL`, `ANYSYM_EMBEDDING`: `anysym.retriever.settings.ENVIRONMENT`).
The services are the CLI's (`anysym.graph.defaults.engine_deps`): node search and constrained decoding
included.
"""

from __future__ import annotations

import os

import httpx

from anysym.executor.object_info import fetch_catalog
from anysym.executor.pool import ServerPool
from anysym.graph.build import GRAPH_NAME, build_graph
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.defaults import engine_deps, resolve_llm_settings
from anysym.graph.deps import Deps
from anysym.language.catalog import Catalog
from anysym.llm.chat import LLMClient
from anysym.llm.settings import LLMSettings
from anysym.retriever.settings import RetrievalSettings
from anysym.services.comfy.server import LocalComfy
from anysym.settings import Paths

COMFY_URL_ENV = "ANYSYM_COMFY_URL"


def studio_deps() -> Deps:
    """Build the services from the environment (the HTTP clients live as long as the server process)."""
    paths = Paths.from_env(os.environ)
    local = LocalComfy(paths)
    urls = [url.strip() for url in os.environ.get(COMFY_URL_ENV, "").split(",") if url.strip()]
    if urls:  # the catalog of the first server, as `anysym run --server` takes it
        catalog = fetch_catalog(urls[0], fix=f"start it or fix {COMFY_URL_ENV}")
    else:
        catalog = Catalog.load(local.catalog_path)
    settings = resolve_llm_settings(LLMSettings.from_env(os.environ), paths)
    executor = ComfyExecutor(ServerPool(urls or [local.url], httpx.AsyncClient(timeout=60.0)))
    llm = LLMClient.from_settings(settings)
    return engine_deps(
        paths, llm, settings, catalog, executor, retrieval=RetrievalSettings.from_env(os.environ)
    )


graph = build_graph(studio_deps()).compile(name=GRAPH_NAME)
