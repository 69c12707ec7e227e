"""Timelines: "What happened with X?" answered as dated events in date order, one line each, each a sentence
quoted verbatim from a different article, so every line carries a checked citation. Built from quoted sentences
alone: the no-model answerer, the local model and a hosted one give the same timeline."""

from __future__ import annotations

import datetime as dt
import re

from rag.cite import cite_quote
from rag.extractive import Sentence
from rag.text import content_words, is_question
from rag.types import Citation, Passage

# A question that asks what happened over time. "What happened in Kyiv on Friday?", "… over the weekend?" and
# "What happened to the Moskva?" ask for one event, so "what happened" counts only with "with" or "since"; "How
# did researchers develop the vaccine?" asks how, so "develop" counts only as the question's last word.
ASKS_TIMELINE = re.compile(
    r"\b(?:timeline|chronology)\b|"
    r"\bwhat\s+(?:has\s+|have\s+)?happened\s+(?:with|since)\b|"
    r"\bhow\s+(?:did|has|have)\b[^?]*?\b(?:unfold(?:ed)?|develop(?:ed)?|evolved?)\s*\??\s*$|"
    r"\b(?:main|key)\s+(?:developments|events)\b|"
    r"\bwhat\s+(?:has\s+)?changed\s+since\b",
    re.IGNORECASE,
)
# The words that ask for a timeline, left out of what is searched: they name no event.
_ASKING = re.compile(
    r"^\W*(?:(?:give|show|make|write)\s+(?:me\s+)?)?(?:an?\s+|the\s+)?(?:timeline|chronology)\s+(?:of|for|on)\s+|"
    r"^\W*what\s+(?:has\s+|have\s+)?happened\s+with\s+|"
    r"^\W*what\s+(?:were|are)\s+the\s+(?:main|key)\s+(?:developments|events)\s+(?:in|of|on)\s+|"
    r"^\W*how\s+(?:did|has|have)\s+",
    re.IGNORECASE,
)
# Articles a timeline is drawn from, and the most lines it shows.
TIMELINE_ARTICLES = 16
MAX_EVENTS = 10
# Two quoted sentences published within SAME_EVENT_DAYS whose content words (the story's own aside) overlap this
# much (Jaccard) report one event: the earlier is kept. 0.3 (from 0.4, with the lead and day bonuses below) left
# fewer events told twice on both halves of the news2022 timeline questions and found as many (docs/news.md).
SAME_EVENT = 0.3
SAME_EVENT_DAYS = 7
MIN_EVENT_WORDS = 6


def asks_timeline(question: str) -> bool:
    return bool(ASKS_TIMELINE.search(question))


def subject(question: str) -> str:
    """What a timeline question is about, for searching: "What happened with the Twitter takeover?" → "the
    Twitter takeover?"."""
    rest = _ASKING.sub("", question, count=1).strip()
    return rest if len(content_words(rest)) >= 1 else question


def build_timeline(about: str, ranked: list[tuple[float, Sentence]], passages: list[Passage], min_score: float,
                   ) -> tuple[str, tuple[Citation, ...]] | None:
    """Dated lines "YYYY-MM-DD: sentence [n]" in date order: each dated article's best sentence (its
    ExtractiveAnswerer.rank score, at least `min_score`, plus _event_bonus) that tells something (no question,
    no fragment), a later report of an event already listed left
    out, at most MAX_EVENTS of the best-scoring kept. Two sentences a week apart at most report one event when they
    share the words that are not the story's own (`about`, what was searched: every line names the story). None
    when fewer than two events are found."""
    story = content_words(about)
    best: dict[str, tuple[float, Sentence]] = {}
    for score, sentence in ranked:
        passage = passages[sentence.passage_index]
        if score >= min_score and passage.date and _tells(sentence.text):
            told = score + _event_bonus(passage, sentence)
            if passage.doc_id not in best or told > best[passage.doc_id][0]:
                best[passage.doc_id] = (told, sentence)
    chosen = sorted(best.values(), key=lambda pair: -pair[0])[:MAX_EVENTS * 2]
    chosen.sort(key=lambda pair: (passages[pair[1].passage_index].date, -pair[0]))
    events: list[tuple[float, Sentence, set[str]]] = []
    for score, sentence in chosen:
        words = content_words(sentence.text) - story
        day = _day(passages[sentence.passage_index].date)
        if not any(_jaccard(words, other) >= SAME_EVENT
                   and (day - _day(passages[s.passage_index].date)).days <= SAME_EVENT_DAYS
                   for _, s, other in events):
            events.append((score, sentence, words))
    if len(events) > MAX_EVENTS:
        keep = {id(e) for e in sorted(events, key=lambda e: -e[0])[:MAX_EVENTS]}
        events = [e for e in events if id(e) in keep]
    lines, citations = [], []
    for _, sentence, _ in events:
        n = sentence.passage_index + 1
        citation = cite_quote(n, passages[sentence.passage_index], sentence.text)
        if citation is not None:
            citations.append(citation)
            lines.append(f"{citation.date}: {sentence.text} [{n}]")
    if len(lines) < 2:
        return None
    return "\n".join(lines), tuple(citations)


# An article's event is told in its lead (its first LEAD_CHARS characters) and with the day it happened ("on
# Thursday"); a line is picked by its score against the story plus these. Chosen on half of the news2022
# timeline questions and checked on the other, both ways (docs/news.md): event recall 0.239 -> 0.328 on the
# half it was not chosen on, 0.329 -> 0.414 on the other; larger values change nothing.
LEAD_BONUS = 0.3
DAY_BONUS = 0.3
LEAD_CHARS = 400
_DAY_WORD = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)\b",
                       re.IGNORECASE)


def _event_bonus(passage: Passage, sentence: Sentence) -> float:
    """How much more a sentence reads as an article's event: in its lead, and naming a day."""
    lead = LEAD_BONUS if passage.start + sentence.start < LEAD_CHARS else 0.0
    return lead + (DAY_BONUS if _DAY_WORD.search(sentence.text) else 0.0)


def _tells(sentence: str) -> bool:
    """Whether a sentence can tell of an event: not a question ("How much did Musk pay?", an explainer's
    heading) and not a fragment of a headline (fewer than MIN_EVENT_WORDS words)."""
    return not is_question(sentence) and len(sentence.split()) >= MIN_EVENT_WORDS


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)
