"""Sources that disagree: when the passages that answer a how-many question give different figures (a toll
reported at 151 by one article and 156 by a later one), the answer says so and cites each side, oldest first,
instead of picking one silently. The sides are sentences quoted verbatim, so each is a checked citation."""

from __future__ import annotations

import re

from rag.asked import COUNT, _counted, _same_word, asked_kind, gives
from rag.cite import cite_quote
from rag.extractive import Sentence
from rag.period import spoken_day
from rag.text import words
from rag.types import Citation, Differing, Passage

# A sentence of another article is a side only when it scores within this of the best sentence (it also has to
# give one figure standing next to the noun the question counts).
SIDE_MARGIN = 0.2
MAX_SIDES = 3
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_SCALE = {"thousand", "million", "billion", "trillion"}
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
# How far (in words) a figure may stand before the noun it counts ("at least 151 people") or after a word that
# tallies ("the toll rose to 156"); after any other counted word, two ("killed five and injured 17" gives 5).
_NEAR = 4
_TALLIES = {"toll", "dead", "deaths", "fatalities", "number", "total"}
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())}
# A question about deaths ("How many people were killed …?") is answered by a figure beside any of these.
_DEATHS = re.compile(r"\b(?:killed|dead|deaths?|died|die|toll|fatalities|lives)\b", re.IGNORECASE)
_DEATH_WORDS = {"dead", "deaths", "killed", "died", "victims", "toll", "fatalities", "lives", "people", "bodies"}


def figures(question: str, text: str) -> set[str]:
    """The figures `text` gives for what a how-many `question` counts: the numbers standing within _NEAR words of
    the counted noun when the question names one ("How many people …" → "151" from "151 people were killed"; a
    question about deaths counts "dead", "deaths", "victims" or "toll" too: "the toll rose to 156"), else every
    number. Years aside; "three" is 3; a following "million"/"billion" kept ("44 billion")."""
    tokens = words(text)
    numbers = []
    for i, token in enumerate(tokens):
        value = _NUMBER_WORDS.get(token.lower(), token.replace(",", "") if _NUMBER.match(token) else "")
        if value and not _YEAR.match(token):
            if i + 1 < len(tokens) and tokens[i + 1].lower() in _SCALE:
                value += " " + tokens[i + 1].lower()
            numbers.append((i, value))
    counted = _counted(question)
    if not counted:
        return {value for _, value in numbers}
    nouns = {counted.lower()} | (_DEATH_WORDS if _DEATHS.search(question) else set())
    at = [j for j, token in enumerate(tokens) if any(_same_word(noun, token.lower()) for noun in nouns)]
    tallies = [j for j in at if tokens[j].lower() in _TALLIES]
    return {value for i, value in numbers
            if any(0 < j - i <= _NEAR or 0 < i - j <= 2 for j in at) or any(0 < i - j <= _NEAR for j in tallies)}


def disagreement(question: str, citations: tuple[Citation, ...], ranked: list[tuple[float, Sentence]],
                 passages: list[Passage]) -> tuple[Differing, ...]:
    """The sides when articles give different figures for what a how-many question counts: each figure, quoted
    from the answer's citation that gives it or else from the best sentence of another article that does
    (scoring within SIDE_MARGIN of the best), oldest first. () when the question asks no figure, the answer
    cites none, or the articles agree. Only sentences giving one figure are sides ("rose from 12 to 15" tells of
    an update, not a disagreement)."""
    if asked_kind(question) != COUNT or not ranked:
        return ()
    given: set[str] = set()
    sides: dict[str, Citation] = {}
    for citation in citations:
        found = figures(question, citation.quote)
        given |= found
        if len(found) == 1:
            sides.setdefault(next(iter(found)), citation)
    if not given:
        return ()
    context = " ".join(p.text for p in passages)
    floor = ranked[0][0] - SIDE_MARGIN
    for score, sentence in ranked:
        if score < floor or len(sides) >= MAX_SIDES:
            break
        found = figures(question, sentence.text)
        if len(found) != 1 or found <= given or not gives(COUNT, question, sentence.text, context):
            continue
        passage = passages[sentence.passage_index]
        citation = cite_quote(sentence.passage_index + 1, passage, sentence.text)
        if citation is not None:
            given |= found
            sides[next(iter(found))] = citation
    if len(sides) < 2 or len({c.doc_id for c in sides.values()}) < 2:
        return ()
    ordered = sorted(sides.items(), key=lambda side: (side[1].date or "9999", side[1].source))
    return tuple(Differing(value, citation) for value, citation in ordered)


def differing_sentence(sides: tuple[Differing, ...]) -> str:
    """The sentence that tells the reader, with a citation per side: "The articles give different figures: 151
    (CNN, 30 October 2022) [1]; 156 (USA TODAY, 31 October 2022) [3]." """
    parts = []
    for side in sides:
        c = side.citation
        where = ", ".join(part for part in (c.source, spoken_day(c.date) if c.date else "") if part)
        parts.append(f"{side.value}{f' ({where})' if where else ''} [{c.n}]")
    return "The articles give different figures: " + "; ".join(parts) + "."
