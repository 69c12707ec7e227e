"""The Chroma store: chunks with explicit embeddings and metadata, a manifest, and per-document versions.

Every chunk id carries its document's content hash, so a new version of a document is written beside the
old one and the old one deleted after: an interrupted write leaves a state the next ingest can finish.
"""

from __future__ import annotations

import base64
import fcntl
import functools
import os
import shutil
import sqlite3
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from rag.errors import RagError, StoreError, StoreMismatchError
from rag.types import Chunk, Document, Passage

# 2: chunks carry `day` (YYYYMMDD as a number, 0 when the date is unknown) so date ranges filter inside Chroma.
SCHEMA_VERSION = 2
_SQLITE = "chroma.sqlite3"
_LOCK = ".rag-write.lock"
# A new random token in the collection's metadata after every write session: indexes built from the store
# (the BM25 side) compare it with theirs to know they are stale, whichever process or machine wrote.
_GENERATION = "rag_generation"
_PAGE = 5000
_SIGNATURE = "minhash"  # on each document's first chunk: its near-duplicate signature (rag.dedup)
_TITLE_VECTOR = "title_vector"  # on each document's first chunk: its title's embedding (encode_vector), "" if untitled
_LOW_DISK = 50_000_000  # bytes free below which a failed write is put down to a full disk
REBUILD_HINT = "python -m rag ingest --rebuild PATH…"


@dataclass(frozen=True)
class ArticleFacts:
    """What a document's first chunk says about the whole article, for ranking articles against each other."""

    signature: str  # near-duplicate signature (rag.dedup); "" if none stored
    title_vector: np.ndarray | None  # unit embedding of the title; None if untitled, not stored yet or not asked for
    lead_vector: np.ndarray | None  # unit embedding of the first chunk; None if not asked for


def encode_vector(vector: Sequence[float]) -> str:
    """A unit vector as metadata text: float16, base64 (768 bytes -> 1,024 characters at 384 dimensions)."""
    array = np.asarray(vector, dtype=np.float32)
    array = array / (np.linalg.norm(array) or 1.0)
    return base64.b64encode(array.astype("<f2").tobytes()).decode("ascii")


def decode_vector(text: str) -> np.ndarray | None:
    if not text:
        return None
    return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)


@dataclass
class DocVersions:
    """What the store holds for one document: chunk counts per content hash, and how many each should have."""

    path: str = ""
    counts: Counter = field(default_factory=Counter)
    expected: dict[str, int] = field(default_factory=dict)

    def is_complete(self, doc_hash: str) -> bool:
        return self.counts.get(doc_hash, 0) == self.expected.get(doc_hash, -1) and len(self.counts) == 1


def manifest_for(embedder_name: str, dim: int, chunk_size: int, chunk_overlap: int) -> dict[str, Any]:
    return {
        "rag_schema": SCHEMA_VERSION,
        "embedder": embedder_name,
        "dim": dim,
        "chunk_size": chunk_size,
        "chunk_overlap": chunk_overlap,
    }


def _guarded(method):
    """A ChunkStore method whose Chroma and disk failures become one StoreError (see ChunkStore._errors). When
    another process rebuilt the store, the collection this one held is gone: it is opened again by name and the
    call made once more."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        with self._errors():
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                if not _collection_gone(exc):
                    raise
                self._reopen()
                return method(self, *args, **kwargs)

    return guarded


def _guarded_iterator(method):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        with self._errors():
            started = False
            try:
                for item in method(self, *args, **kwargs):
                    started = True
                    yield item
            except Exception as exc:
                if started or not _collection_gone(exc):
                    raise
                self._reopen()
                yield from method(self, *args, **kwargs)

    return guarded


def _collection_gone(exc: Exception) -> bool:
    return type(exc).__name__ == "NotFoundError" and type(exc).__module__.startswith("chromadb")


class ChunkStore:
    """The chunks in one Chroma collection: embedded in `path`, or on the Chroma server at `url` (then `path`
    only holds this machine's caches, such as the BM25 index)."""

    def __init__(self, path: Path, collection: str, manifest: dict[str, Any], url: str = "") -> None:
        self.path = path
        self.url = url
        self.manifest = manifest
        where = url or str(path)
        if not url:
            _check_directory(path)
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        try:
            path.mkdir(parents=True, exist_ok=True)
            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            self._chroma_settings = chroma_settings
            if url:
                self._client = _http_client(url, chroma_settings)
            else:
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self._collection = self._client.get_or_create_collection(
                collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=dict(manifest),
            )
        except StoreError:
            raise
        except Exception as exc:  # chromadb raises many kinds; all mean the same to the user
            if url:
                raise StoreError(
                    f"cannot reach the Chroma server at {url} ({type(exc).__name__}); start one with: chroma run "
                    "--path DIR --host 127.0.0.1 --port 8000, or unset RAG_CHROMA_URL to use the local store"
                ) from None
            raise StoreError(f"{where}: cannot open the Chroma store ({type(exc).__name__}: {exc})") from None
        self.collection_name = collection
        found = dict(self._collection.metadata or {})
        self._known_generation = str(found.get(_GENERATION, ""))  # the last write this object has seen
        if found.get("rag_schema") == 1 and manifest.get("rag_schema") == 2:
            _check_manifest(where, found | {"rag_schema": 2}, manifest)  # refuse other differences before any write
            found = self._upgrade_from_1(found)
        _check_manifest(where, found, manifest)

    def _upgrade_from_1(self, found: dict[str, Any]) -> dict[str, Any]:
        """Give a schema-1 store's chunks their `day`, in place: metadata only, nothing is embedded again."""
        with self.writing():
            ids, days = [], []
            for chunk_id, meta in self._all_metadatas():
                ids.append(chunk_id)
                days.append({"day": day_number(meta.get("date", ""))})
            for start in range(0, len(ids), _PAGE):
                self._collection.update(ids=ids[start : start + _PAGE], metadatas=days[start : start + _PAGE])
            upgraded = found | {"rag_schema": 2}
            self._collection.modify(metadata=upgraded)
        return upgraded

    # ---- reading -------------------------------------------------------------------------------

    @_guarded
    def count(self) -> int:
        return self._collection.count()

    @_guarded_iterator
    def _all_metadatas(self, where: dict | None = None) -> Iterator[tuple[str, dict]]:
        offset = 0
        while True:
            page = self._collection.get(where=where, include=["metadatas"], limit=_PAGE, offset=offset)
            for chunk_id, meta in zip(page["ids"], page["metadatas"]):
                yield chunk_id, meta
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    @_guarded
    def doc_versions(self) -> dict[str, DocVersions]:
        versions: dict[str, DocVersions] = {}
        for _, meta in self._all_metadatas():
            doc = versions.setdefault(meta["doc_id"], DocVersions(path=meta.get("path", "")))
            doc.counts[meta["content_hash"]] += 1
            doc.expected[meta["content_hash"]] = meta["n_chunks"]
        return versions

    @_guarded
    def documents(self) -> list[dict[str, Any]]:
        """One row per document: doc_id, title, date, source, path, chunks."""
        rows: dict[str, dict[str, Any]] = {}
        for _, meta in self._all_metadatas():
            row = rows.setdefault(
                meta["doc_id"],
                {key: meta.get(key, "") for key in ("doc_id", "title", "date", "source", "path")} | {"chunks": 0},
            )
            row["chunks"] += 1
        return sorted(rows.values(), key=lambda row: row["doc_id"])

    @_guarded_iterator
    def all_chunks(self) -> Iterator[tuple[str, str, dict]]:
        """(chunk_id, text, metadata) of every chunk, a page at a time."""
        offset = 0
        while True:
            page = self._collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            yield from zip(page["ids"], page["documents"], page["metadatas"])
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    @_guarded
    def get_passages(self, chunk_ids: Sequence[str], embedding: Sequence[float]) -> list[Passage]:
        """The passages of these chunks, in this order, each scored by cosine similarity to `embedding`."""
        if not chunk_ids:
            return []
        found = self._collection.get(ids=list(chunk_ids), include=["documents", "metadatas", "embeddings"])
        query = np.asarray(embedding, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        by_id = {}
        for chunk_id, text, meta, vector in zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"]):
            vector = np.asarray(vector, dtype=np.float32)
            cosine = float(vector @ query / (np.linalg.norm(vector) or 1.0))
            by_id[chunk_id] = _passage(chunk_id, text, meta, cosine)
        return [by_id[i] for i in chunk_ids if i in by_id]

    def signatures(self) -> dict[str, str]:
        """doc_id -> near-duplicate signature (rag.dedup) of every document; "" where none is stored."""
        return {meta["doc_id"]: str(meta.get(_SIGNATURE, "")) for _, meta in self._all_metadatas(where={"index": 0})}

    @_guarded
    def articles_of(self, chunk_ids: Iterable[str], with_vectors: bool = False) -> dict[str, ArticleFacts]:
        """doc_id -> ArticleFacts of these chunks' documents: one lookup of their first chunks by id; the title and
        lead vectors only `with_vectors`."""
        firsts = {chunk_id.rsplit("#", 1)[0] + "#0" for chunk_id in chunk_ids}
        if not firsts:
            return {}
        include = ["metadatas", "embeddings"] if with_vectors else ["metadatas"]
        found = self._collection.get(ids=sorted(firsts), include=include)
        facts = {}
        for n, meta in enumerate(found["metadatas"]):
            title = lead = None
            if with_vectors:
                title = decode_vector(str(meta.get(_TITLE_VECTOR, "")))
                lead = np.asarray(found["embeddings"][n], dtype=np.float32)
                lead = lead / (np.linalg.norm(lead) or 1.0)
            facts[meta["doc_id"]] = ArticleFacts(str(meta.get(_SIGNATURE, "")), title, lead)
        return facts

    @_guarded
    def fill_signatures(self, compute: Callable[[str], str], progress: bool = False) -> int:
        """Give stored documents written before signatures existed theirs, from their text stitched back together
        from its chunks (nothing is embedded). Returns how many were filled."""
        from tqdm import tqdm

        firsts = {meta["doc_id"]: (chunk_id, meta["content_hash"])
                  for chunk_id, meta in self._all_metadatas(where={"index": 0}) if _SIGNATURE not in meta}
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
                    metadatas.append({_SIGNATURE: compute(_stitch(pieces.get(doc_id, [])))})
                self._collection.update(ids=ids, metadatas=metadatas)
                bar.update(len(batch))
        return len(doc_ids)

    @_guarded
    def fill_title_vectors(self, embed: Callable[[list[str]], Sequence], progress: bool = False) -> int:
        """Give stored documents written before title vectors existed theirs (only titles are embedded).
        Returns how many were filled."""
        from tqdm import tqdm

        missing = [(chunk_id, str(meta.get("title", "")))
                   for chunk_id, meta in self._all_metadatas(where={"index": 0}) if _TITLE_VECTOR not in meta]
        with tqdm(total=len(missing), unit="title", desc="titles", disable=not progress or not missing) as bar:
            for start in range(0, len(missing), 256):
                batch = missing[start : start + 256]
                titled = [title for _, title in batch if title.strip()]
                vectors = iter(embed(titled) if titled else [])
                metadatas = [{_TITLE_VECTOR: encode_vector(next(vectors)) if title.strip() else ""}
                             for _, title in batch]
                self._collection.update(ids=[chunk_id for chunk_id, _ in batch], metadatas=metadatas)
                bar.update(len(batch))
        return len(missing)

    @_guarded
    def chunk_ids(self, doc_id: str) -> list[str]:
        return [chunk_id for chunk_id, _ in self._all_metadatas(where={"doc_id": doc_id})]

    @_guarded
    def query(self, embedding: Sequence[float], k: int, where: dict | None = None) -> list[Passage]:
        """The k chunks nearest to `embedding`, among those matching Chroma's `where` filter when given."""
        self.generation()  # read afresh first if another process wrote
        stored = self.count()
        if k <= 0 or stored == 0:
            return []
        result = self._collection.query(
            query_embeddings=[list(embedding)],
            n_results=min(k, stored),
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            _passage(chunk_id, text, meta, 1.0 - float(distance))
            for chunk_id, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
        ]

    # ---- writing -------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock: two writers at once would interleave their versions. (On a Chroma
        server the lock is this machine's: writers on other machines are not held back.)"""
        lock_path = self.path / _LOCK
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
        for _ in range(40):
            try:
                self._collection = self._client.get_collection(self.collection_name, embedding_function=None)
                break
            except Exception as exc:
                if not _collection_gone(exc):
                    raise
                time.sleep(0.05)
        else:
            raise StoreError(f"{self.url or self.path}: the store is being rebuilt; ask again in a moment")
        _check_manifest(self.url or self.path, dict(self._collection.metadata or {}), self.manifest)

    @_guarded
    def generation(self) -> str:
        """The token of the last write session ("" for a store never written through this class). A token this
        object did not write means another process wrote: the store is read afresh."""
        current = self._client.get_collection(self.collection_name, embedding_function=None)
        token = str((current.metadata or {}).get(_GENERATION, ""))
        if token != self._known_generation:
            self._reopen(afresh=True)
            self._known_generation = token
        return token

    @_guarded
    def _bump_generation(self) -> None:
        current = self._client.get_collection(self.collection_name, embedding_function=None)
        token = uuid.uuid4().hex
        self._collection.modify(metadata=dict(current.metadata or {}) | {_GENERATION: token})
        self._known_generation = token

    @_guarded
    def upsert(
        self, doc: Document, chunks: Sequence[Chunk], n_chunks: int, embeddings: Sequence[Sequence[float]],
        signature: str = "", title_vector: Sequence[float] | None = None,
    ) -> None:
        """Write chunks of one document; its near-duplicate `signature` (rag.dedup) and its title's embedding go
        with its first chunk (without a vector for a titled document, the next ingest fills it in)."""
        if not chunks:
            return
        first: dict[str, Any] = {_SIGNATURE: signature}
        if title_vector is not None or not doc.title.strip():
            first[_TITLE_VECTOR] = encode_vector(title_vector) if title_vector is not None else ""
        self._collection.upsert(
            ids=[c.chunk_id for c in chunks],
            embeddings=[list(e) for e in embeddings],
            documents=[c.text for c in chunks],
            metadatas=[
                {
                    "doc_id": doc.doc_id,
                    "title": doc.title,
                    "date": doc.date,
                    "day": day_number(doc.date),
                    "source": doc.source,
                    "path": doc.path,
                    "url": doc.url,
                    "start": c.start,
                    "end": c.end,
                    "index": c.index,
                    "n_chunks": n_chunks,
                    "content_hash": c.content_hash,
                }
                | (first if c.index == 0 else {})
                for c in chunks
            ],
        )

    @_guarded
    def delete_other_versions(self, doc_id: str, keep_hash: str) -> int:
        stale = [
            chunk_id
            for chunk_id, meta in self._all_metadatas(where={"doc_id": doc_id})
            if meta["content_hash"] != keep_hash
        ]
        if stale:
            self._collection.delete(ids=stale)
        return len(stale)

    @_guarded
    def move_document(self, doc_id: str, path: str) -> None:
        """Record that `doc_id` is now read from `path` (its folder was moved): metadata only."""
        ids = self.chunk_ids(doc_id)
        for start in range(0, len(ids), _PAGE):
            page = ids[start : start + _PAGE]
            self._collection.update(ids=page, metadatas=[{"path": path}] * len(page))

    @_guarded
    def delete_document(self, doc_id: str) -> int:
        ids = self.chunk_ids(doc_id)
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    @_guarded
    def clear(self) -> None:
        """Drop every chunk and start a new collection with the current manifest (and this write session's
        token, so that readers in this process do not take the new collection for another process's work)."""
        self._client.delete_collection(self.collection_name)
        self._collection = self._client.create_collection(
            self.collection_name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=dict(self.manifest) | ({_GENERATION: self._known_generation} if self._known_generation else {}),
        )


def _http_client(url: str, chroma_settings):
    """A client for the Chroma server at an http(s)://host:port URL."""
    from urllib.parse import urlparse

    import chromadb

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreError(f"RAG_CHROMA_URL={url!r} is not a server address; write it like http://127.0.0.1:8000")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    return chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=chroma_settings)


def _passage(chunk_id: str, text: str, meta: dict, cosine: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        doc_id=meta["doc_id"],
        title=meta.get("title", ""),
        date=meta.get("date", ""),
        source=meta.get("source", ""),
        path=meta.get("path", ""),
        url=meta.get("url", ""),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        score=round(cosine, 6),
    )


def _stitch(pieces: list[tuple[int, int, str]]) -> str:
    """A document's text from its (start, end, text) chunks, which overlap."""
    text = ""
    for start, end, piece in sorted(pieces):
        text += piece[max(0, len(text) - start):] if start <= len(text) else " " + piece
    return text


def day_number(date: str) -> int:
    """2022-02-25 -> 20220225, the form Chroma can compare; 0 for an unknown date."""
    digits = date.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _check_directory(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a store directory; set RAG_STORE (or --store) to a directory")
    if path.is_dir() and not (path / _SQLITE).exists():
        foreign = [p.name for p in path.iterdir() if not p.name.startswith(".")]
        if foreign:
            raise StoreError(
                f"{path} is not a rag store (it holds {', '.join(sorted(foreign)[:3])}… but no {_SQLITE}); "
                "point RAG_STORE (or --store) at an empty or new directory"
            )


def _check_manifest(path: Path | str, found: dict[str, Any], expected: dict[str, Any]) -> None:
    differences = [
        f"{key} {found.get(key)!r} in the store, {value!r} now"
        for key, value in expected.items()
        if found.get(key) != value
    ]
    if differences:
        raise StoreMismatchError(
            f"{path} was built with other settings ({'; '.join(differences)}). "
            f"Re-index with: {REBUILD_HINT} (or point RAG_STORE at a new directory)"
        )
