"""Assistant: ingest, search and ask; composes loading, chunking, embedding, storage, retrieval and answering."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

from rag.clean import normalise_line
from rag.embed import Embedder
from rag.errors import ConfigError, RagError
from rag.extractive import ExtractiveAnswerer
from rag.ingest import sync
from rag.prompts import REFUSAL
from rag.retrieve import search_by_vector
from rag.settings import Settings
from rag.store import ChunkStore
from rag.types import Answer, IngestReport, Passage

SEEDS_DIR = Path(__file__).parent / "seeds"


class Assistant:
    """Answers questions from the articles in one store. `Assistant()` uses RAG_* settings and store/."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        store: ChunkStore | None = None,
        seed_if_empty: bool = True,
    ) -> None:
        from rag import factory

        self.settings = settings or Settings.from_env()
        self.embedder = embedder or factory.build_embedder(self.settings)
        self.store = store or factory.build_store(self.settings, self.embedder)
        self.answerer = ExtractiveAnswerer(self.embedder, self.settings.min_sentence_score)
        if seed_if_empty and self.store.count() == 0:
            self.ingest([SEEDS_DIR], progress=False)

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        prune: bool = False,
        dry_run: bool = False,
        rebuild: bool = False,
        progress: bool = True,
        on_notice: Callable[[str], None] | None = None,
    ) -> IngestReport:
        return sync(
            self.store,
            self.embedder,
            [Path(p) for p in paths],
            self.settings.chunk_size,
            self.settings.chunk_overlap,
            prune=prune,
            dry_run=dry_run,
            rebuild=rebuild,
            progress=progress,
            on_notice=on_notice,
        )

    def remove(self, doc_id: str) -> int:
        """Delete one document's chunks; returns how many were deleted."""
        with self.store.writing():
            deleted = self.store.delete_document(doc_id)
        if deleted == 0:
            raise RagError(f"no document {doc_id!r} in {self.settings.store}; list them with: python -m rag stats")
        return deleted

    def search(self, query: str, k: int | None = None, distinct_documents: bool = False) -> list[Passage]:
        query = self._check_question(query)
        vector = self.embedder.embed([query])[0]
        return search_by_vector(self.store, vector, self._check_k(k), distinct_documents)

    def ask(self, question: str, k: int | None = None) -> Answer:
        question = self._check_question(question)
        started = time.perf_counter()
        vector = self.embedder.embed([question])[0]
        passages = search_by_vector(self.store, vector, self._check_k(k))
        retrieved = time.perf_counter()
        timings = {"retrieve_ms": _ms(retrieved - started)}
        warnings: tuple[str, ...] = ()
        result = None
        if not passages:
            warnings = (f"the store {self.settings.store} is empty; add articles with: python -m rag ingest PATH",)
        elif passages[0].score >= self.settings.min_score:
            result = self.answerer.answer(question, vector, passages)
            timings["generate_ms"] = _ms(time.perf_counter() - retrieved)
        timings["total_ms"] = _ms(time.perf_counter() - started)
        if result is None:
            return Answer(question, REFUSAL, (), True, tuple(passages), timings, warnings)
        text, citations = result
        return Answer(question, text, citations, False, tuple(passages), timings, warnings)

    def stats(self) -> dict:
        documents = self.store.documents()
        return {
            "store": str(self.settings.store),
            "documents": len(documents),
            "chunks": self.store.count(),
            "manifest": self.store.manifest,
            "by_document": documents,
        }

    def _check_question(self, question: str) -> str:
        if not isinstance(question, str):
            raise ConfigError(f"the question must be text, got {type(question).__name__}")
        cleaned = normalise_line(question)
        if not cleaned:
            raise ConfigError("the question is empty; ask something, e.g. \"Where were talks proposed?\"")
        limit = self.settings.max_question_chars
        if len(cleaned) > limit:
            raise ConfigError(
                f"the question is {len(cleaned):,} characters; the limit is {limit:,} "
                "(ask a shorter question, or raise RAG_MAX_QUESTION_CHARS)"
            )
        return cleaned

    def _check_k(self, k: int | None) -> int:
        k = self.settings.top_k if k is None else k
        if not isinstance(k, int) or not 1 <= k <= 100:
            raise ConfigError(f"k={k!r} must be a whole number between 1 and 100")
        return k


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
