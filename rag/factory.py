"""The one place that picks implementations from settings and assembles them: build_assistant(settings)."""

from __future__ import annotations

from pathlib import Path

from rag.assistant import Assistant
from rag.embed import Embedder, SentenceTransformerEmbedder
from rag.extractive import ExtractiveAnswerer
from rag.generate import Generator
from rag.ingest import SEEDS_DIR
from rag.lexical import LexicalIndex
from rag.retrieve import Retriever
from rag.settings import Settings
from rag.store import ChunkStore, manifest_for

# build_assistant's `generator` when none is given: the one RAG_LLM picks (None itself means no model).
FROM_SETTINGS = object()


def build_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(batch_size=settings.embed_batch)


def build_store(settings: Settings, embedder: Embedder) -> ChunkStore:
    manifest = manifest_for(embedder.name, embedder.dim, settings.chunk_size, settings.chunk_overlap)
    return ChunkStore(settings.store, settings.collection, manifest, url=settings.chroma_url)


def build_retriever(settings: Settings, store: ChunkStore) -> Retriever:
    """Meaning, words or both, as RAG_RETRIEVAL says; the BM25 index lives beside the store."""
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


def build_assistant(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    store: ChunkStore | None = None,
    generator: Generator | None | object = FROM_SETTINGS,
    seed_if_empty: bool = True,
) -> Assistant:
    """An Assistant over RAG_* settings (or `settings`), its parts built by the functions above unless given:
    pass `embedder`, `store` or `generator` to share one or to use a fake (generator=None: no model, quote).
    An empty store gets the two bundled demo articles when `seed_if_empty`."""
    settings = settings or Settings.from_env()
    embedder = embedder or build_embedder(settings)
    store = store or build_store(settings, embedder)
    if generator is FROM_SETTINGS:
        generator = build_generator(settings)
    answerer = ExtractiveAnswerer(embedder, settings.min_sentence_score)
    assistant = Assistant(settings, embedder, store, build_retriever(settings, store), answerer, generator)
    if seed_if_empty and store.count() == 0:
        assistant.ingest([SEEDS_DIR], progress=False)
    return assistant
