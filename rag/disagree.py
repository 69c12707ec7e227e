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
# give one figure for what the question counts).
SIDE_MARGIN = 0.2
MAX_SIDES = 3
# Words and numbers, a number kept whole: "1,100", "1.9", "16,700".
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[^\W_]+(?:['’][^\W_]+)?")
_DIGITS = re.compile(r"^\d")
_YEARS = re.compile(r"\b(?:1[89]|20)\d\d\b")
_SCALE = {"thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion",
          "bn": "billion", "m": "million"}
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
# A figure counts what stands after it within _NEAR words ("at least 151 people") or what it follows within two
# ("killed five"); after a word that tallies, within _NEAR ("the toll rose to 156").
_NEAR = 4
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())}
# What a toll counts: a question naming one outcome is answered only in a clause telling of that outcome and of
# no other ("82 people were injured" gives no death toll; "Four people were killed" no count of the injured).
_OUTCOMES = {
    "deaths": {"killed", "kill", "dead", "death", "deaths", "died", "die", "toll", "fatalities", "lives", "victims",
               "bodies"},
    "injuries": {"injured", "injuries", "injuring", "wounded", "hurt", "hospitalized", "hospitalised"},
    "missing": {"missing", "unaccounted"},
    "arrests": {"arrested", "arrests", "detained"},
    "evacuations": {"evacuated", "evacuate", "evacuation", "evacuations", "displaced"},
    "rescues": {"rescued", "saved"},
    "infections": {"infected", "cases", "infections"},
}
_TALLIES = {"toll", "dead", "deaths", "fatalities", "number", "total"}
# Clauses: a figure is read with the words of its own clause ("killed 4, injured 160" are two); a comma inside a
# number ("2,000") is no clause end.
_CLAUSE = re.compile(r"(?<!\d),|,(?!\d)|[;:()—–]|\b(?:and|but|which|while|whereas|since|than|compared)\b",
                     re.IGNORECASE)


def figures(question: str, text: str) -> set[str]:
    """The figures `text` gives for what a how-many `question` counts, each read within its clause: the numbers
    standing by the counted noun when the question names one ("How many people …" → "151" from "151 people were
    killed"); for a question naming an outcome (killed, injured, missing …) only in a clause telling of it ("the
    toll rose to 156") and of no other ("82 people were injured" gives no death toll); else every number. Years are no figures, nor "one of";
    "three" is 3, "1,100" is 1100, a following "million"/"bn" is kept ("44 billion")."""
    counted = _counted(question).lower()
    asked = {w.lower() for w in words(question)}
    outcome = next((family for family in _OUTCOMES.values() if asked & family), set())
    others = set().union(*(family for family in _OUTCOMES.values() if family is not outcome))
    nouns = {counted} | outcome
    found = set()
    for clause in _CLAUSE.split(text):
        tokens = [t.lower() for t in _TOKEN.findall(clause or "")]
        if (outcome and not set(tokens) & outcome) or (set(tokens) & others) - asked:
            continue
        at = [j for j, t in enumerate(tokens) if any(_same_word(noun, t) for noun in nouns)] if counted else []
        for i in range(len(tokens)):
            value = _figure(tokens, i)
            if value and (not counted or any(
                    0 < j - i <= _NEAR or 0 < i - j <= 2 or (0 < i - j <= _NEAR and tokens[j] in _TALLIES)
                    for j in at)):
                found.add(value)
    return found


def _figure(tokens: list[str], i: int) -> str:
    """The figure token i gives ("" when none): a number or a spelled one, with its scale; not a year, nor the
    "one" of "one of the victims"."""
    token = tokens[i]
    if _DIGITS.match(token):
        if _YEAR.match(token):
            return ""
        value = token.replace(",", "")
    else:
        value = _NUMBER_WORDS.get(token, "")
    following = tokens[i + 1] if i + 1 < len(tokens) else ""
    if not value or following == "of":
        return ""
    return f"{value} {_SCALE[following]}" if following in _SCALE else value


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
        if set(_YEARS.findall(sentence.text)) - set(_YEARS.findall(question)):
            continue  # "the worst since the 2014 ferry sinking, which killed 304": another event's figure
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
