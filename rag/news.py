"""The steps a news answer adds around the answer itself (docs/news.md): the period a question names narrows the
filters before the search; after it, the sides when articles give different figures, the day of the newest
evidence with a warning when it is old, and a refusal that names the period asked for."""

from __future__ import annotations

import dataclasses
import time

from rag.asked import COUNT, DATE, asked_kind
from rag.disagree import DISAGREEMENT_ARTICLES, differing_sentence, disagreement
from rag.filters import Filters
from rag.period import Period, freshness_warning, newest_evidence, now_of, question_period
from rag.types import Answer, Passage


def period_of(query: str, filters: Filters, recent_days: int) -> tuple[Filters, Period, tuple[str, ...]]:
    """The filters narrowed to the period the question names ("since 1 March 2022"; with an as-of day, "this
    week" or "recently", the latter `recent_days` back), and a note saying so."""
    period = question_period(query, now_of(filters), recent_days if filters.as_of else 0)
    if not period:
        return filters, period, ()
    narrowed = period.within(filters)
    if narrowed is None:
        return filters, Period(), (f"the question asks for articles {period.describe()}, after the last day the "
                                   "filters allow; the filters were kept",)
    return narrowed, period, (f"searched only articles {period.describe()}, as the question asks",)


def news_checks(assistant, answer: Answer, query: str, vector: list[float], ranked, period: Period) -> Answer:
    """`answer` with the sides when articles give different figures or days for a how-many or when question, the
    day of its newest evidence and a warning when that is old; a refusal names the period the question asked for.
    `ranked` are the sentences of answer.passages as ExtractiveAnswerer.rank scored them."""
    checking = time.perf_counter()
    if answer.refused:
        return dataclasses.replace(answer, text=f"No article {period.describe()} answers this.") if period else answer
    if not answer.timeline and asked_kind(query) in (COUNT, DATE):
        passages, ranked = _wider(assistant, query, vector, answer.passages, ranked, answer.filters)
        sides = disagreement(query, answer.citations, ranked, passages)
        if sides:
            cited = {(c.n, c.start) for c in answer.citations}
            added = tuple(s.citation for s in sides if (s.citation.n, s.citation.start) not in cited)
            answer = dataclasses.replace(answer, text=f"{answer.text} {differing_sentence(sides)}",
                                         passages=tuple(passages), citations=answer.citations + added,
                                         disagreement=sides)
    newest = newest_evidence(answer)
    warning = freshness_warning(newest, now_of(answer.filters), assistant.settings.stale_days,
                                bool(answer.filters.as_of))
    answer = dataclasses.replace(answer, evidence_date=newest, warnings=answer.warnings + ((warning,) if warning else ()))
    answer.timings["news_ms"] = round((time.perf_counter() - checking) * 1000, 1)
    return answer


def _wider(assistant, query: str, vector: list[float], passages: tuple[Passage, ...], ranked, filters: Filters):
    """The passages and ranked sentences with the best passage of up to DISAGREEMENT_ARTICLES more articles
    after them: a figure that differs is often in an article the answer did not need."""
    have = {p.chunk_id for p in passages}
    found = assistant.retriever.search(query, vector, DISAGREEMENT_ARTICLES, True, filters)
    extra = [p for p in found if p.chunk_id not in have]
    if not extra:
        return list(passages), ranked
    offset = len(passages)
    more = [(score, dataclasses.replace(s, passage_index=s.passage_index + offset))
            for score, s in assistant.answerer.rank(query, vector, extra)]
    return list(passages) + extra, sorted(list(ranked) + more, key=lambda pair: -pair[0])
