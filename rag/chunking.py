"""Document -> Chunks: sentence-aware splits with character offsets into the cleaned text."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rag.errors import IngestError
from rag.types import Chunk, Document


def content_hash(doc: Document) -> str:
    """Changes whenever the text or metadata stored with the chunks changes (not the file's location)."""
    digest = hashlib.sha256()
    for part in (doc.doc_id, doc.title, doc.date, doc.source, doc.url, doc.text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:16]


def chunk_id(doc_id: str, doc_hash: str, index: int) -> str:
    """Deterministic: the same document version always yields the same ids, so a re-run upserts in place."""
    return f"{doc_id}#{doc_hash}#{index}"


@lru_cache(maxsize=4)
def _splitter(chunk_size: int, chunk_overlap: int):
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap, paragraph_separator="\n\n")


def chunk_document(doc: Document, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    doc_hash = content_hash(doc)
    pieces = _splitter(chunk_size, chunk_overlap).split_text(doc.text)
    chunks: list[Chunk] = []
    cursor = 0
    for index, piece in enumerate(pieces):
        # Overlapping chunks start before the previous one ends, so search from the previous start.
        start = doc.text.find(piece, cursor)
        if start < 0:
            raise IngestError(f"{doc.path}: chunk {index} of {doc.doc_id} is not a span of its text; please report this")
        end = start + len(piece)
        chunks.append(Chunk(chunk_id(doc.doc_id, doc_hash, index), doc.doc_id, index, piece, start, end, doc_hash))
        cursor = start + 1
    return chunks
