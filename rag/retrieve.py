"""Question -> ranked Passages: dense search over the store, optionally one passage per article, optionally
limited to a date range and to some sources (the filter runs inside Chroma, before the nearest are taken)."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from rag.embed import Embedder
from rag.errors import ConfigError
from rag.store import ChunkStore, day_number
from rag.types import Filters, Passage

# When collapsing to articles, look this many times deeper so k distinct articles usually survive.
_COLLAPSE_DEPTH = 5


def dense_search(
    store: ChunkStore, embedder: Embedder, query: str, k: int, distinct_documents: bool = False,
    filters: Filters = Filters(),
) -> list[Passage]:
    return search_by_vector(store, embedder.embed([query])[0], k, distinct_documents, filters)


def search_by_vector(
    store: ChunkStore, vector: list[float], k: int, distinct_documents: bool = False, filters: Filters = Filters()
) -> list[Passage]:
    where = where_clause(filters)
    if not distinct_documents:
        return store.query(vector, k, where)
    return collapse_to_documents(store.query(vector, k * _COLLAPSE_DEPTH, where), k)


def make_filters(
    since: str | dt.date | None = None, until: str | dt.date | None = None, sources: Iterable[str] | str | None = None
) -> Filters:
    """Filters from user input, checked: dates as YYYY-MM-DD (or date objects), since not after until."""
    since_day, until_day = _iso(since, "since"), _iso(until, "until")
    if since_day and until_day and since_day > until_day:
        raise ConfigError(f"since {since_day} is after until {until_day}; swap them or drop one")
    sources = [sources] if isinstance(sources, str) else list(sources or ())
    if not all(isinstance(name, str) for name in sources):
        raise ConfigError(f"sources must be names (text), e.g. sources=['Reuters']; got {sources!r:.80}")
    names = tuple(dict.fromkeys(name.strip() for name in sources if name.strip()))
    return Filters(since_day, until_day, names)


def _iso(value: str | dt.date | None, name: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date; write it as YYYY-MM-DD, e.g. 2022-02-24") from None


def describe_filters(filters: Filters) -> str:
    """The filters in words, for messages: "dates 2022-02-01 to 2022-03-01, sources Reuters or AP"."""
    parts = []
    if filters.since or filters.until:
        parts.append(f"dates {filters.since or 'any'} to {filters.until or 'any'}")
    if filters.sources:
        parts.append("sources " + " or ".join(filters.sources))
    return ", ".join(parts) or "no filters"


def where_clause(filters: Filters) -> dict | None:
    """The Chroma `where` filter for `filters`, or None when they let everything through."""
    terms: list[dict] = []
    if filters.since:
        terms.append({"day": {"$gte": day_number(filters.since)}})
    if filters.until:
        terms.append({"day": {"$lte": day_number(filters.until)}})
    if filters.until and not filters.since:
        terms.append({"day": {"$gt": 0}})  # an undated article (day 0) is not known to be before `until`
    if filters.sources:
        terms.append({"source": {"$in": list(filters.sources)}})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


def collapse_to_documents(passages: list[Passage], k: int) -> list[Passage]:
    """The best passage of each article, in rank order, at most k articles."""
    best: dict[str, Passage] = {}
    for passage in passages:
        best.setdefault(passage.doc_id, passage)
    return list(best.values())[:k]
