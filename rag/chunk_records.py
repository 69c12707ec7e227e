"""How a chunk is recorded in Chroma's metadata and read back: the keys and encodings beyond the plain fields,
and the types a store's records are read into (Passage, ArticleFacts, DocVersions)."""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from rag.types import Passage

PAGE = 5000  # chunks per Chroma call when reading or updating many
SIGNATURE = "minhash"  # on each document's first chunk: its near-duplicate signature (rag.dedup)
TITLE_VECTOR = "title_vector"  # on each document's first chunk: its title's embedding (encode_vector), "" if untitled


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


def passage_from_record(chunk_id: str, text: str, meta: dict, cosine: float) -> Passage:
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
