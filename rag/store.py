"""The Chroma store: chunks with explicit embeddings and metadata, and per-document versions.

Every chunk id carries its document's content hash, so a new version of a document is written beside the
old one and the old one deleted after: an interrupted write leaves a state the next ingest can finish.
ChunkStore's reading and writing of the collection are here; its manifest check is in rag.manifest, its write
sessions and backfills in rag.write_session, the form of a chunk's metadata in rag.chunk_records, and opening
Chroma in rag.chroma_client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from rag.chunk_records import (
    PAGE,
    SIGNATURE,
    TITLE_VECTOR,
    ArticleFacts,
    DocVersions,
    decode_vector,
    encode_vector,
    passage_from_record,
)
from rag.chroma_client import open_collection
from rag.filters import day_number
from rag.manifest import ManifestCheck, manifest_for
from rag.types import Chunk, Document, Passage
from rag.write_session import GENERATION, Backfills, WriteSession, guarded, guarded_iterator

__all__ = [  # what other modules import from here, wherever it is defined
    "ArticleFacts", "ChunkStore", "DocVersions", "day_number", "decode_vector",
    "encode_vector", "manifest_for",
]


class ChunkStore(WriteSession, Backfills, ManifestCheck):
    """The chunks in one Chroma collection: embedded in `path`, or on the Chroma server at `url` (then `path`
    only holds this machine's caches, such as the BM25 index)."""

    def __init__(self, path: Path, collection: str, manifest: dict[str, Any], url: str = "") -> None:
        self.path = path
        self.url = url
        self.manifest = manifest
        where = url or str(path)
        self._client, self._chroma_settings, self._collection = open_collection(path, url, collection, manifest)
        self.collection_name = collection
        found = dict(self._collection.metadata or {})
        self._known_generation = str(found.get(GENERATION, ""))  # the last write this object has seen
        self._check_or_upgrade(where, found)

    # ---- reading -------------------------------------------------------------------------------

    @guarded
    def count(self) -> int:
        return self._collection.count()

    @guarded_iterator
    def _all_metadatas(self, where: dict | None = None) -> Iterator[tuple[str, dict]]:
        offset = 0
        while True:
            page = self._collection.get(where=where, include=["metadatas"], limit=PAGE, offset=offset)
            for chunk_id, meta in zip(page["ids"], page["metadatas"]):
                yield chunk_id, meta
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    @guarded
    def doc_versions(self) -> dict[str, DocVersions]:
        versions: dict[str, DocVersions] = {}
        for _, meta in self._all_metadatas():
            doc = versions.setdefault(meta["doc_id"], DocVersions(path=meta.get("path", "")))
            doc.counts[meta["content_hash"]] += 1
            doc.expected[meta["content_hash"]] = meta["n_chunks"]
        return versions

    @guarded
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

    @guarded_iterator
    def all_chunks(self) -> Iterator[tuple[str, str, dict]]:
        """(chunk_id, text, metadata) of every chunk, a page at a time."""
        offset = 0
        while True:
            page = self._collection.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
            yield from zip(page["ids"], page["documents"], page["metadatas"])
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    @guarded
    def get_passages(self, chunk_ids: Sequence[str], embedding: Sequence[float]) -> list[Passage]:
        """The passages of these chunks, in this order, each scored by cosine similarity to `embedding`."""
        if not chunk_ids:
            return []
        found = self._collection.get(ids=list(chunk_ids), include=["documents", "metadatas", "embeddings"])
        query = np.asarray(embedding, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        by_id = {}
        records = zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"])
        for chunk_id, text, meta, vector in records:
            vector = np.asarray(vector, dtype=np.float32)
            cosine = float(vector @ query / (np.linalg.norm(vector) or 1.0))
            by_id[chunk_id] = passage_from_record(chunk_id, text, meta, cosine)
        return [by_id[i] for i in chunk_ids if i in by_id]

    def signatures(self) -> dict[str, str]:
        """doc_id -> near-duplicate signature (rag.dedup) of every document; "" where none is stored."""
        return {meta["doc_id"]: str(meta.get(SIGNATURE, "")) for _, meta in self._all_metadatas(where={"index": 0})}

    @guarded
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
                title = decode_vector(str(meta.get(TITLE_VECTOR, "")))
                lead = np.asarray(found["embeddings"][n], dtype=np.float32)
                lead = lead / (np.linalg.norm(lead) or 1.0)
            facts[meta["doc_id"]] = ArticleFacts(str(meta.get(SIGNATURE, "")), title, lead)
        return facts

    @guarded
    def chunk_ids(self, doc_id: str) -> list[str]:
        return [chunk_id for chunk_id, _ in self._all_metadatas(where={"doc_id": doc_id})]

    @guarded
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
            passage_from_record(chunk_id, text, meta, 1.0 - float(distance))
            for chunk_id, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
        ]

    # ---- writing -------------------------------------------------------------------------------

    @guarded
    def upsert(
        self, doc: Document, chunks: Sequence[Chunk], n_chunks: int, embeddings: Sequence[Sequence[float]],
        signature: str = "", title_vector: Sequence[float] | None = None,
    ) -> None:
        """Write chunks of one document; its near-duplicate `signature` (rag.dedup) and its title's embedding go
        with its first chunk (without a vector for a titled document, the next ingest fills it in)."""
        if not chunks:
            return
        first: dict[str, Any] = {SIGNATURE: signature}
        if title_vector is not None or not doc.title.strip():
            first[TITLE_VECTOR] = encode_vector(title_vector) if title_vector is not None else ""
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

    @guarded
    def delete_other_versions(self, doc_id: str, keep_hash: str) -> int:
        stale = [
            chunk_id
            for chunk_id, meta in self._all_metadatas(where={"doc_id": doc_id})
            if meta["content_hash"] != keep_hash
        ]
        if stale:
            self._collection.delete(ids=stale)
        return len(stale)

    @guarded
    def move_document(self, doc_id: str, path: str) -> None:
        """Record that `doc_id` is now read from `path` (its folder was moved): metadata only."""
        ids = self.chunk_ids(doc_id)
        for start in range(0, len(ids), PAGE):
            page = ids[start : start + PAGE]
            self._collection.update(ids=page, metadatas=[{"path": path}] * len(page))

    @guarded
    def delete_document(self, doc_id: str) -> int:
        ids = self.chunk_ids(doc_id)
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    @guarded
    def clear(self) -> None:
        """Drop every chunk and start a new collection with the current manifest (and this write session's
        token, so that readers in this process do not take the new collection for another process's work)."""
        self._client.delete_collection(self.collection_name)
        self._collection = self._client.create_collection(
            self.collection_name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=dict(self.manifest) | ({GENERATION: self._known_generation} if self._known_generation else {}),
        )

