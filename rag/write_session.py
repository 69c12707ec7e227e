"""Write sessions on a store: one writer at a time (a file lock), a new generation token per session so that readers
notice writes, Chroma's and the disk's failures as one StoreError, taking up a collection another process rebuilt,
and the backfills a session starts with (fields that documents stored by older versions lack).
"""

from __future__ import annotations

import fcntl
import functools
import shutil
import sqlite3
import uuid
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

import tenacity

from rag.chunk_records import SIGNATURE, TITLE_VECTOR, encode_vector
from rag.errors import RagError, StoreError
from rag.manifest import check_manifest

LOCK = ".rag-write.lock"
# A new random token in the collection's metadata after every write session: indexes built from the store
# (the BM25 side) compare it with theirs to know they are stale, whichever process or machine wrote.
GENERATION = "rag_generation"
_LOW_DISK = 50_000_000  # bytes free below which a failed write is put down to a full disk


def guarded(method):
    """A ChunkStore method whose Chroma and disk failures become one StoreError (see WriteSession._errors). When
    another process rebuilt the store, the collection this one held is gone: it is opened again by name and the
    call made once more."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        with self._errors():
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                if not collection_gone(exc):
                    raise
                self._reopen()
                return method(self, *args, **kwargs)

    return guarded


def guarded_iterator(method):
    """`guarded` for a generator method: the call is made again only if the collection was gone before the first
    item."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        with self._errors():
            started = False
            try:
                for item in method(self, *args, **kwargs):
                    started = True
                    yield item
            except Exception as exc:
                if started or not collection_gone(exc):
                    raise
                self._reopen()
                yield from method(self, *args, **kwargs)

    return guarded


def collection_gone(exc: BaseException) -> bool:
    return type(exc).__name__ == "NotFoundError" and type(exc).__module__.startswith("chromadb")


class WriteSession:
    """The part of ChunkStore that holds write sessions and notices other processes' writes. Uses the store's
    `path`, `url`, `manifest`, `collection_name`, `_client`, `_collection`, `_chroma_settings` and
    `_known_generation` (the token of the last write this object has seen)."""

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock: two writers at once would interleave their versions. (On a Chroma
        server the lock is this machine's: writers on other machines are not held back.)"""
        lock_path = self.path / LOCK
        with open(lock_path, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"{self.path} is busy: another rag process is writing to it; wait for it to finish and retry"
                ) from None
            try:
                with self._errors():
                    # Before the first write as well as after the last: a session killed half way leaves a token
                    # no index was built for, so a reader rebuilds rather than trust an index missing its writes.
                    self._bump_generation()
                    try:
                        yield
                    finally:
                        self._bump_generation()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Chroma's and the disk's failures as one StoreError saying what to do."""
        try:
            yield
        except RagError:
            raise
        except Exception as exc:
            if not isinstance(exc, (OSError, sqlite3.Error)) and not type(exc).__module__.startswith("chromadb"):
                raise
            again = "run the same command again (documents finished so far are kept, the rest are unchanged)"
            free = None if self.url else shutil.disk_usage(self.path).free
            if free is not None and free < _LOW_DISK:
                raise StoreError(
                    f"{self.path}: the disk is full ({free / 1e6:.1f} MB free), so Chroma cannot write; free some "
                    f"space and {again}"
                ) from None
            raise StoreError(f"{self.url or self.path}: Chroma failed ({type(exc).__name__}: {exc}); {again}") from None

    def _reopen(self, afresh: bool = False) -> None:
        """Take up the collection now stored under this name: after a rebuild (the collection this object held
        is gone; a rebuild in this process leaves a moment with none), or `afresh`, when another process wrote
        and the vectors Chroma holds in this process's memory are stale."""
        if afresh and not self.url:
            import chromadb
            from chromadb.api.shared_system_client import SharedSystemClient

            # Chroma keeps one in-memory copy per store folder and process; drop it so the files are read again.
            SharedSystemClient._identifier_to_system.pop(str(self.path), None)
            self._client = chromadb.PersistentClient(path=str(self.path), settings=self._chroma_settings)
        while_gone = tenacity.Retrying(  # about 2 s for a rebuild to create the new collection
            retry=tenacity.retry_if_exception(collection_gone),
            stop=tenacity.stop_after_attempt(40),
            wait=tenacity.wait_fixed(0.05),
            retry_error_callback=self._being_rebuilt,
        )
        for attempt in while_gone:
            with attempt:
                self._collection = self._client.get_collection(self.collection_name, embedding_function=None)
        check_manifest(self.url or self.path, dict(self._collection.metadata or {}), self.manifest)

    def _being_rebuilt(self, _: tenacity.RetryCallState) -> None:
        raise StoreError(f"{self.url or self.path}: the store is being rebuilt; ask again in a moment")

    @guarded
    def generation(self) -> str:
        """The token of the last write session ("" for a store never written through this class). A token this
        object did not write means another process wrote: the store is read afresh."""
        current = self._client.get_collection(self.collection_name, embedding_function=None)
        token = str((current.metadata or {}).get(GENERATION, ""))
        if token != self._known_generation:
            self._reopen(afresh=True)
            self._known_generation = token
        return token

    @guarded
    def _bump_generation(self) -> None:
        current = self._client.get_collection(self.collection_name, embedding_function=None)
        token = uuid.uuid4().hex
        self._collection.modify(metadata=dict(current.metadata or {}) | {GENERATION: token})
        self._known_generation = token


class Backfills:
    """The part of ChunkStore that gives stored documents the fields older versions did not write. Uses the
    store's `_all_metadatas` and `_collection`; run inside a write session."""

    @guarded
    def fill_signatures(self, compute: Callable[[str], str], progress: bool = False) -> int:
        """Give stored documents written before signatures existed theirs, from their text stitched back together
        from its chunks (nothing is embedded). Returns how many were filled."""
        from tqdm import tqdm

        firsts = {meta["doc_id"]: (chunk_id, meta["content_hash"])
                  for chunk_id, meta in self._all_metadatas(where={"index": 0}) if SIGNATURE not in meta}
        doc_ids = sorted(firsts)
        with tqdm(total=len(doc_ids), unit="doc", desc="signatures", disable=not progress or not doc_ids) as bar:
            for start in range(0, len(doc_ids), 200):
                batch = doc_ids[start : start + 200]
                found = self._collection.get(where={"doc_id": {"$in": batch}}, include=["documents", "metadatas"])
                pieces: dict[str, list[tuple[int, int, str]]] = {}
                for text, meta in zip(found["documents"], found["metadatas"]):
                    if meta["content_hash"] == firsts[meta["doc_id"]][1]:
                        pieces.setdefault(meta["doc_id"], []).append((int(meta["start"]), int(meta["end"]), text))
                ids, metadatas = [], []
                for doc_id in batch:
                    ids.append(firsts[doc_id][0])
                    metadatas.append({SIGNATURE: compute(_stitch(pieces.get(doc_id, [])))})
                self._collection.update(ids=ids, metadatas=metadatas)
                bar.update(len(batch))
        return len(doc_ids)

    @guarded
    def fill_title_vectors(self, embed: Callable[[list[str]], Sequence], progress: bool = False) -> int:
        """Give stored documents written before title vectors existed theirs (only titles are embedded).
        Returns how many were filled."""
        from tqdm import tqdm

        missing = [(chunk_id, str(meta.get("title", "")))
                   for chunk_id, meta in self._all_metadatas(where={"index": 0}) if TITLE_VECTOR not in meta]
        with tqdm(total=len(missing), unit="title", desc="titles", disable=not progress or not missing) as bar:
            for start in range(0, len(missing), 256):
                batch = missing[start : start + 256]
                titled = [title for _, title in batch if title.strip()]
                vectors = iter(embed(titled) if titled else [])
                metadatas = [{TITLE_VECTOR: encode_vector(next(vectors)) if title.strip() else ""}
                             for _, title in batch]
                self._collection.update(ids=[chunk_id for chunk_id, _ in batch], metadatas=metadatas)
                bar.update(len(batch))
        return len(missing)


def _stitch(pieces: list[tuple[int, int, str]]) -> str:
    """A document's text from its (start, end, text) chunks, which overlap."""
    text = ""
    for start, end, piece in sorted(pieces):
        text += piece[max(0, len(text) - start):] if start <= len(text) else " " + piece
    return text
