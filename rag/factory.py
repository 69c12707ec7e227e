"""The one place that picks implementations from settings: build_assistant(settings)."""

from __future__ import annotations

from pathlib import Path

from rag.embed import Embedder, SentenceTransformerEmbedder
from rag.generate import Generator
from rag.settings import Settings
from rag.store import ChunkStore, manifest_for


def build_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(batch_size=settings.embed_batch)


def build_store(settings: Settings, embedder: Embedder) -> ChunkStore:
    manifest = manifest_for(embedder.name, embedder.dim, settings.chunk_size, settings.chunk_overlap)
    return ChunkStore(settings.store, settings.collection, manifest, url=settings.chroma_url)


def build_retriever(settings: Settings, store: ChunkStore):
    """Meaning, words or both, as RAG_RETRIEVAL says; the BM25 index lives beside the store."""
    from rag.lexical import LexicalIndex
    from rag.retrieve import Retriever

    return Retriever(store, LexicalIndex.of(store) if settings.retrieval != "dense" else None, settings)


def chosen_llm(settings: Settings) -> str:
    """RAG_LLM with `auto` settled: local when the local runtime and model are installed, else extractive."""
    if settings.llm != "auto":
        return settings.llm
    from rag.models import installed

    return "local" if installed(settings.model) else "extractive"


def build_generator(settings: Settings) -> Generator | None:
    """The LLM behind answers, or None for the extractive answerer."""
    llm = chosen_llm(settings)
    if llm == "local":
        from rag.generate import LocalGenerator

        cache = Path(settings.model_cache).expanduser() if settings.model_cache else None
        return LocalGenerator(settings.model, cache, settings.n_ctx, settings.threads)
    if llm == "openai":
        from rag.generate import OpenAIGenerator

        return OpenAIGenerator(
            settings.openai_base_url, settings.openai_model, settings.openai_api_key, settings.llm_timeout
        )
    return None


def build_assistant(settings: Settings | None = None, *, seed_if_empty: bool = True):
    """An Assistant whose parts are built by the functions above."""
    from rag.assistant import Assistant

    return Assistant(settings or Settings.from_env(), seed_if_empty=seed_if_empty)
