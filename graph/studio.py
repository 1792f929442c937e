"""The module-level graph served by `langgraph dev` (referenced by langgraph.json, imported by nothing else).

Configuration comes from the environment once, here: `$ANYSYM_HOME`, `ANYSYM_LLM_BASE_URL`,
`ANYSYM_LLM_MODEL`, `OPENAI_API_KEY`, `ANYSYM_COMFY_URL` (default: the managed local ComfyUI, whose saved
`/object_info` is the catalog), and the index store and embedding (`ANYSYM_CHROMA_URL`, `ANYSYM_EMBEDDING`:
`anysym.retriever.settings.ENVIRONMENT`).
"""

from __future__ import annotations

import os

import httpx

from anysym.executor.client import ComfyClient
from anysym.executor.local_server import LocalComfy
from anysym.graph.build import GRAPH_NAME, build_graph
from anysym.graph.comfy import ComfyExecutor
from anysym.graph.defaults import resolve_llm_settings
from anysym.graph.deps import Deps
from anysym.language.catalog import Catalog
from anysym.llm.chat import LLMClient
from anysym.llm.settings import LLMSettings
from anysym.retriever.factory import build_index
from anysym.retriever.settings import RetrievalSettings
from anysym.settings import Paths


def studio_deps() -> Deps:
    """Build the services from the environment (the HTTP client lives as long as the server process)."""
    paths = Paths.from_env(os.environ)
    local = LocalComfy(paths)
    url = os.environ.get("ANYSYM_COMFY_URL") or local.url
    settings = resolve_llm_settings(LLMSettings.from_env(os.environ), paths)
    retrieval = RetrievalSettings.from_env(os.environ)
    embedding = retrieval.embedding_function()
    return Deps(
        llm=LLMClient.from_settings(settings),
        catalog=Catalog.load(local.catalog_path),
        retriever=build_index(paths, chroma_url=retrieval.chroma_url, embedding=embedding),
        executor=ComfyExecutor(ComfyClient(url, http=httpx.AsyncClient(timeout=60.0))),
    )


graph = build_graph(studio_deps()).compile(name=GRAPH_NAME)
