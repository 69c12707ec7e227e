"""BM25 over the same chunks as the Chroma store, persisted beside it and rebuilt whenever the store changed.

Words find what vectors miss (names, numbers, rare terms). bm25s cannot add or delete documents in place, so
the index is rebuilt from the store's chunks after every write: each write session leaves a new token in the
store (its generation), the index records the token it was built from, and a search on a stale index rebuilds
it first. On a Chroma server the index is this machine's cache, rebuilt when any machine wrote. Each
chunk is indexed with its article's title, and its day and source are kept so filters apply here too.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.filters import Filters, day_number
from rag.store import ChunkStore
from rag.text import WORD_FORMS, Stems

INDEX_DIR = ".rag-bm25"
_META = "chunks.json"


def _tokenize(texts: list[str]):
    """Words as BM25 sees them, the same for chunks and questions: lower case, English stopwords out, stemmed."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=Stems(), show_progress=False)


class _Built:
    """One built index and what it covers; replaced whole, never changed, so a search holds a consistent one."""

    def __init__(self, generation: str | None, bm25, ids: Sequence[str], days: Sequence[int], sources: Sequence[str]):
        self.generation = generation
        self.bm25 = bm25
        self.ids = list(ids)
        self.days = np.asarray(days, dtype=np.int64)
        self.sources = np.asarray(sources, dtype=object)


class LexicalIndex:
    """BM25 over a ChunkStore's chunks (title + text), with each chunk's day and source for filtering.

    `LexicalIndex.of(store)` is the one index of a store object in this process, so two assistants sharing a
    store (the chat page keeps one per answer generator) build it once and never write its files at once."""

    _shared: "weakref.WeakKeyDictionary[ChunkStore, LexicalIndex]" = weakref.WeakKeyDictionary()
    _shared_lock = threading.Lock()

    @classmethod
    def of(cls, store: ChunkStore) -> "LexicalIndex":
        with cls._shared_lock:
            if store not in cls._shared:
                cls._shared[store] = cls(store)
            return cls._shared[store]

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.folder = store.path / INDEX_DIR
        self._lock = threading.Lock()
        self._built = _Built(None, None, [], [], [])

    @property
    def chunk_ids(self) -> list[str]:
        """The chunks the index covers, as of its last refresh."""
        return list(self._built.ids)

    def search(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[str, float, int]]:
        """(chunk_id, BM25 score, day) of the k best chunks containing the query's words, best first."""
        built = self.refresh()
        if not built.ids or k <= 0:
            return []
        tokens = _tokenize([query])
        if not tokens.vocab:
            return []
        mask = _mask(built, filters)
        if mask is not None and not mask.any():
            return []
        found, scores = built.bm25.retrieve(
            tokens, k=min(k, len(built.ids)), show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(built.ids[i], float(s), int(built.days[i])) for i, s in zip(found[0], scores[0]) if s > 0]

    def refresh(self) -> _Built:
        """The current index: loaded from disk, or rebuilt when the store was written since it was built."""
        with self._lock:
            # The count too: writes Chroma took before a failure (a full disk) can be applied on a later read,
            # under the token of the session that failed.
            generation = f"{self.store.generation()}/{self.store.count()}"
            if self._built.generation != generation:
                self._built = self._load(generation) or self._build(generation)
            return self._built

    def _load(self, generation: str) -> _Built | None:
        import bm25s

        try:
            meta = json.loads((self.folder / _META).read_text(encoding="utf-8"))
            if meta["generation"] != generation or meta.get("word_forms") != WORD_FORMS:
                return None
            bm25 = bm25s.BM25.load(str(self.folder), show_progress=False, verbosity=0) if meta["ids"] else None
            # Another process may have put a newer index in place while this one was read: then both halves
            # might not belong together, so build rather than trust them.
            if json.loads((self.folder / _META).read_text(encoding="utf-8"))["generation"] != generation:
                return None
            return _Built(generation, bm25, meta["ids"], meta["days"], meta["sources"])
        except (OSError, ValueError, KeyError):
            return None

    def _build(self, generation: str) -> _Built:
        import bm25s

        ids, texts, days, sources = [], [], [], []
        for chunk_id, text, meta in self.store.all_chunks():
            ids.append(chunk_id)
            texts.append(f"{meta.get('title', '')}\n{text}")
            days.append(day_number(meta.get("date", "")))
            sources.append(meta.get("source", ""))
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index(_tokenize(texts), show_progress=False)
        built = _Built(generation, bm25, ids, days, sources)
        try:
            self._save(built)
        except OSError as exc:  # a full or read-only disk: serve from memory, build again next time
            print(f"warning: the word index could not be saved in {self.folder} ({exc.strerror or exc}); "
                  "it is kept in memory and built again by the next process", file=sys.stderr)
        return built

    def _save(self, built: _Built) -> None:
        # A folder of its own to write in, and the old index moved aside under a name of its own: processes
        # saving at once never write into, or delete, each other's files.
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.folder.parent, prefix=INDEX_DIR + ".new-"))
        retired = None
        try:
            if built.bm25 is not None:
                built.bm25.save(str(staging), show_progress=False)
            meta = {"generation": built.generation, "word_forms": WORD_FORMS, "ids": built.ids, "days": built.days.tolist(),
                    "sources": built.sources.tolist()}
            (staging / _META).write_text(json.dumps(meta), encoding="utf-8")
            retired = Path(tempfile.mkdtemp(dir=self.folder.parent, prefix=INDEX_DIR + ".old-"))
            try:
                self.folder.rename(retired / "index")
            except FileNotFoundError:
                pass
            try:
                staging.rename(self.folder)  # readers see the old index or the new one, never half of one
            except OSError:  # another process put its index there first; it is checked against the store when read
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if retired is not None:
                shutil.rmtree(retired, ignore_errors=True)


def _mask(built: _Built, filters: Filters) -> np.ndarray | None:
    """1 for chunks the filters let through, 0 for the rest (None: no filter): Filters.terms read on arrays."""
    if not filters:
        return None
    keep = np.ones(len(built.ids), dtype=bool) & filters.admits_values(built.days, built.sources)
    return keep.astype(np.float32)
