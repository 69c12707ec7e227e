"""Question -> ranked Passages: meaning (dense vectors in Chroma) and words (BM25) fused by reciprocal rank, plus
(when asked) each candidate article's nearness by title and first passage and the question's phrases each chunk
holds; near-duplicate articles collapsed to the better-ranked copy, optionally one passage per article, limited to a
date range and sources (inside Chroma and BM25 alike), and with an as-of date, nothing published later and a
preference for what was published close to it."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Sequence

import numpy as np

from rag.dedup import SignatureIndex
from rag.filters import Filters, day_number
from rag.store import ArticleFacts, ChunkStore
from rag.text import STOPWORDS, WORD, stem
from rag.types import Passage

# When collapsing to articles, look this many times deeper so k distinct articles usually survive.
_COLLAPSE_DEPTH = 5
# Candidates each ranking contributes to the fusion (on news2022 dev, 50 and 200 scored within 0.01).
FUSION_DEPTH = 50
# Reciprocal rank fusion's constant (Cormack et al. 2009): a rank r adds weight / (RRF_K + r).
RRF_K = 60
# The article bonus (RAG_ARTICLE_WEIGHT) picks among articles competing for one question, so it waits for a field
# of them: candidates from at least this many articles. Fewer means a small collection (or filters that leave
# few), whose questions ask for details of articles that are all about the story; there the article whose lead
# reads closer pushes ahead of the passage that answers (the two-article seed set lost at every weight tried).
# news2022's dev questions draw 10-78 candidate articles each (median 27 dense, 41 hybrid).
ARTICLE_FIELD = 8
# Chroma's metadata filter reads the id of every chunk it lets through before searching: on the 59k-chunk
# news2022 store a dense search as of a date took p50 310 ms that way, 90 ms this way (same run). Filters usually
# let most chunks through, so the vectors are searched this many times deeper without one and the filter is
# applied here; Chroma filters only when too few of those pass (1 of 135 news2022 dev questions).
FILTER_HEADROOM = 4
# Words that ask about the newest reports; asked with no as-of day, the newest article among this many leading
# candidates stands in for the day asked (rag.retrieve.recent_anchor).
RECENT = re.compile(r"\b(?:this|last|past)\s+(?:week|weekend|month)\b|\brecent(?:ly)?\b|\blatest\b|\bnewest\b|"
                    r"\bright\s+now\b|\bcurrently\b|\btoday\b|\byesterday\b", re.IGNORECASE)
ANCHOR_DEPTH = 10


class Found(list):
    """The passages a search returns, best first, and `field`: how many articles their candidates came from. A
    field of ARTICLE_FIELD or more is a busy collection, where a passage of another story can share the question's
    words; fewer is a small one, or filters that leave few, all about one story."""

    def __init__(self, passages: Sequence[Passage] = (), field: int = 0) -> None:
        super().__init__(passages)
        self.field = field


class Retriever:
    """Finds passages for a query by meaning, by words, or both (RAG_RETRIEVAL), under filters."""

    def __init__(self, store: ChunkStore, lexical, settings) -> None:
        self.store = store
        self.lexical = lexical  # a LexicalIndex, or None when retrieval is dense only
        self.settings = settings

    def search(
        self, query: str, vector: list[float], k: int, distinct_documents: bool = False, filters: Filters = Filters()
    ) -> Found:
        """Chunks ranked by reciprocal rank fusion of: their vectors' nearness (dense, hybrid), their words (bm25,
        hybrid), plus, when they come from ARTICLE_FIELD articles or more, their article's nearness by title and
        first passage (RAG_ARTICLE_WEIGHT); with an as-of date, boosted by recency; then, among ARTICLE_FIELD
        articles or more, the share of the query's phrases each holds (RAG_PHRASE_WEIGHT)."""
        s = self.settings
        if s.retrieval == "dense" and not filters.as_of and not s.article_weight:
            # One ranking kept as Chroma returns it: only room for near-duplicates to drop out.
            depth = k * _COLLAPSE_DEPTH if distinct_documents else k * 2
        else:
            depth = max(FUSION_DEPTH, k * _COLLAPSE_DEPTH if distinct_documents else k)
        dense = self._nearest(vector, depth, filters) if s.retrieval != "bm25" else []
        words = self.lexical.search(query, depth, filters) if s.retrieval != "dense" and self.lexical else []
        scores: dict[str, float] = {}
        for ranking, weight in (([p.chunk_id for p in dense], s.dense_weight), ([w[0] for w in words], s.bm25_weight)):
            for rank, chunk_id in enumerate(ranking, start=1):
                scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (RRF_K + rank)
        articles = self.store.articles_of(scores, with_vectors=bool(s.article_weight))
        if s.article_weight and len(articles) >= ARTICLE_FIELD:
            bonus = article_bonus(articles, vector, s.article_weight)
            for chunk_id in scores:
                scores[chunk_id] += bonus.get(doc_id_of(chunk_id), 0.0)
        days = {p.chunk_id: day_number(p.date) for p in dense} | {w[0]: w[2] for w in words}
        now = filters.as_of or recent_anchor(query, scores, days)
        if now and s.recency_weight:
            for chunk_id in scores:
                scores[chunk_id] *= recency_boost(days.get(chunk_id, 0), now, s.recency_weight, s.recency_days)
        order = sorted(scores, key=lambda chunk_id: -scores[chunk_id])[:depth]
        known = {p.chunk_id: p for p in dense}
        missing = [chunk_id for chunk_id in order if chunk_id not in known]
        known |= {p.chunk_id: p for p in self.store.get_passages(missing, vector)}
        candidates = [known[chunk_id] for chunk_id in order if chunk_id in known]
        if s.phrase_weight and len(articles) >= ARTICLE_FIELD:
            for chunk_id, bonus in phrase_bonus(query, candidates, s.phrase_weight).items():
                scores[chunk_id] += bonus
            candidates.sort(key=lambda passage: -scores[passage.chunk_id])
        passages = drop_near_duplicates(articles, candidates)
        return Found(collapse_to_documents(passages, k) if distinct_documents else passages[:k], len(articles))

    def _nearest(self, vector: list[float], depth: int, filters: Filters) -> list[Passage]:
        """The `depth` chunks nearest to `vector` among those `filters` admit."""
        where = filters.where()
        if where is None:
            return self.store.query(vector, depth)
        wide = self.store.query(vector, depth * FILTER_HEADROOM)
        kept = [p for p in wide if filters.admits(p)]
        if len(kept) >= depth or len(wide) < depth * FILTER_HEADROOM:  # enough, or the whole collection was read
            return kept[:depth]
        return self.store.query(vector, depth, where)


def recent_anchor(query: str, scores: dict[str, float], days: dict[str, int]) -> str:
    """For a question asked with no as-of day about what is recent ("this week", "latest", "recently"): the day
    of the newest article among the ANCHOR_DEPTH best candidates, to stand in for the day asked ("" otherwise)."""
    if not RECENT.search(query):
        return ""
    best = sorted(scores, key=lambda chunk_id: -scores[chunk_id])[:ANCHOR_DEPTH]
    newest = max((days.get(chunk_id, 0) for chunk_id in best), default=0)
    return f"{newest // 10000:04d}-{newest // 100 % 100:02d}-{newest % 100:02d}" if newest else ""


def doc_id_of(chunk_id: str) -> str:
    return chunk_id.rsplit("#", 2)[0]  # chunk ids are doc_id#content_hash#index (rag.chunking.chunk_id)


def article_bonus(articles: dict[str, ArticleFacts], vector: Sequence[float], weight: float) -> dict[str, float]:
    """doc_id -> weight x (cosine of the query to the article's title + cosine to its first passage), added to the
    fused score of each of its chunks. Headlines and leads say what an article is about; a chunk deep inside one
    may share the query's words while the article is about something else. An untitled article counts its first
    passage twice. Scores, not ranks: among a few candidates with near-equal titles the bonus stays near-equal."""
    query = np.asarray(vector, dtype=np.float32)
    query = query / (np.linalg.norm(query) or 1.0)
    bonus = {}
    for doc_id, facts in articles.items():
        lead = float(facts.lead_vector @ query)
        title = float(facts.title_vector @ query) if facts.title_vector is not None else lead
        bonus[doc_id] = weight * (title + lead)
    return bonus


def phrases(text: str) -> set[tuple[str, str]]:
    """The adjacent pairs of a text's content words, stemmed ("magnitude earthquake", "tent camp")."""
    stems = [stem(w.lower()) for w in WORD.findall(text) if len(w) > 1 and w.lower() not in STOPWORDS]
    return set(zip(stems, stems[1:]))


def phrase_bonus(query: str, passages: Sequence[Passage], weight: float) -> dict[str, float]:
    """chunk_id -> weight x the share of the query's phrases (rag.retrieve.phrases) the chunk's title and text
    hold. Words alone match every article of a busy week ("earthquake", "country"); the question's phrases
    ("7.0-magnitude earthquake") are told by the article of its event. Empty for a query of fewer than two content
    words."""
    asked = phrases(query)
    if not asked:
        return {}
    return {p.chunk_id: weight * len(asked & (phrases(p.title) | phrases(p.text))) / len(asked) for p in passages}


def recency_boost(day: int, as_of: str, weight: float, days: float) -> float:
    """1 + weight for an article published on the as-of day, fading with age; 1 for an undated one."""
    if not day:
        return 1.0
    published = dt.date(day // 10000, day // 100 % 100, day % 100)
    age = (dt.date.fromisoformat(as_of) - published).days
    return 1.0 + weight * math.exp(-max(age, 0) / days)


def drop_near_duplicates(articles: dict[str, ArticleFacts], passages: list[Passage]) -> list[Passage]:
    """The passages without those of articles that are near-duplicates (rag.dedup) of a better-ranked one."""
    doc_ids = list(dict.fromkeys(p.doc_id for p in passages))  # in rank order
    if len(doc_ids) < 2:
        return passages
    kept = SignatureIndex({})
    dropped = set()
    for doc_id in doc_ids:
        signature = articles[doc_id].signature if doc_id in articles else ""
        if kept.nearest(signature):
            dropped.add(doc_id)
        else:
            kept.add(doc_id, signature)
    return [p for p in passages if p.doc_id not in dropped]


def collapse_to_documents(passages: list[Passage], k: int) -> list[Passage]:
    """The best passage of each article, in rank order, at most k articles."""
    best: dict[str, Passage] = {}
    for passage in passages:
        best.setdefault(passage.doc_id, passage)
    return list(best.values())[:k]
