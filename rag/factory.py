"""The one place that picks implementations from settings: build_assistant(settings)."""

from __future__ import annotations

from rag.embed import Embedder, SentenceTransformerEmbedder
from rag.settings import Settings
from rag.store import ChunkStore, manifest_for


def build_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(batch_size=settings.embed_batch)


def build_store(settings: Settings, embedder: Embedder) -> ChunkStore:
    manifest = manifest_for(embedder.name, embedder.dim, settings.chunk_size, settings.chunk_overlap)
    return ChunkStore(settings.store, settings.collection, manifest)


def build_assistant(settings: Settings | None = None, *, seed_if_empty: bool = True):
    """An Assistant whose parts are built by the functions above."""
    from rag.assistant import Assistant

    return Assistant(settings or Settings.from_env(), seed_if_empty=seed_if_empty)
