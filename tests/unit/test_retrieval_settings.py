"""RetrievalSettings: the one reading of the retrieval variables every command shares."""

from __future__ import annotations

import pytest

from anysym.errors import RetrievalError
from anysym.retriever.settings import DEFAULT_EMBEDDING_MODEL, ENVIRONMENT, RetrievalSettings


def test_no_variables_mean_the_embedded_store_and_the_offline_embedding() -> None:
    assert RetrievalSettings.from_env({}) == RetrievalSettings()
    assert RetrievalSettings().chroma_url is None and RetrievalSettings().embedding == "offline"
    assert RetrievalSettings().embedding_model == DEFAULT_EMBEDDING_MODEL


def test_every_documented_variable_is_read() -> None:
    env = {
        "ANYSYM_CHROMA_URL": " http://chroma:8000 ",
        "ANYSYM_EMBEDDING": "openai",
        "ANYSYM_EMBEDDING_MODEL": "text-embedding-3-large",
        "ANYSYM_EMBEDDING_BASE_URL": "http://embed:9000/v1",
    }
    assert set(env) == set(ENVIRONMENT)
    assert RetrievalSettings.from_env(env) == RetrievalSettings(
        chroma_url="http://chroma:8000",
        embedding="openai",
        embedding_model="text-embedding-3-large",
        embedding_base_url="http://embed:9000/v1",
    )


def test_an_unknown_embedding_is_one_retrieval_error() -> None:
    with pytest.raises(RetrievalError, match="ANYSYM_EMBEDDING must be offline or openai, not 'bert'"):
        RetrievalSettings.from_env({"ANYSYM_EMBEDDING": "bert"})
