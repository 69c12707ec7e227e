"""Question -> ranked Passages: dense search over the store, optionally one passage per article."""

from __future__ import annotations

from rag.embed import Embedder
from rag.store import ChunkStore
from rag.types import Passage

# When collapsing to articles, look this many times deeper so k distinct articles usually survive.
_COLLAPSE_DEPTH = 5


def dense_search(
    store: ChunkStore, embedder: Embedder, query: str, k: int, distinct_documents: bool = False
) -> list[Passage]:
    return search_by_vector(store, embedder.embed([query])[0], k, distinct_documents)


def search_by_vector(
    store: ChunkStore, vector: list[float], k: int, distinct_documents: bool = False
) -> list[Passage]:
    if not distinct_documents:
        return store.query(vector, k)
    return collapse_to_documents(store.query(vector, k * _COLLAPSE_DEPTH), k)


def collapse_to_documents(passages: list[Passage], k: int) -> list[Passage]:
    """The best passage of each article, in rank order, at most k articles."""
    best: dict[str, Passage] = {}
    for passage in passages:
        best.setdefault(passage.doc_id, passage)
    return list(best.values())[:k]
