"""Sources that disagree: when the passages that answer a how-many question give different figures (a toll
reported at 151 by one article and 156 by a later one), or those that answer a when-question give different days
(a fire "on Thursday" in one article and "on Friday" in another), the answer says so and cites each side, oldest
first, instead of picking one silently. The sides are sentences quoted verbatim, so each is a checked citation."""

from __future__ import annotations

import datetime as dt
import re

from rag.asked import COUNT, DATE, asked_kind, capitalised_names, counted_noun, same_word
from rag.cite import cite_quote
from rag.extractive import Sentence
from rag.period import days_told, spoken_day
from rag.text import DAY_WORDS, MONTHS, STOPWORDS, WORD, stem, words
from rag.types import Citation, Differing, Passage

# A sentence of another article is a side only when it scores within this of the best sentence (it also has to
# give one figure for what the question counts).
SIDE_MARGIN = 0.2
MAX_SIDES = 3
# Sides are reported at most this many days from the newest article the answer cites.
SIDE_DAYS = 183
# A day is a side only this close to the first day found (the answer's own, when it gives one): reports of one
# event's day differ by a day or two (time zones, a late report); weeks apart, they tell of other events
# ("Truss became prime minister on Sept. 6" for the day Sunak did).
DAY_SIDE_DAYS = 3
# Articles searched for the other side of a how-many or when answer, beside the passages it was written from.
DISAGREEMENT_ARTICLES = 8
# Words and numbers, a number kept whole with its percent sign: "1,100", "1.9", "16,700", "93%".
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?|[^\W_]+(?:['’][^\W_]+)?")
# A question asking for a share is answered by a percentage only ("93% of the total", not "318,956 votes").
_SHARE = re.compile(r"\b(?:percentage|share|proportion|percent)\b", re.IGNORECASE)
_DIGITS = re.compile(r"^\d")
_YEARS = re.compile(r"\b(?:1[89]|20)\d\d\b")
_SCALE = {"thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion",
          "bn": "billion", "m": "million"}
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
# Outcome words a figure stands before ("56 deaths"); the others are acts a figure follows ("killed five").
_NOUNS = {"dead", "death", "deaths", "toll", "fatalities", "lives", "victims", "bodies", "injuries", "cases",
          "infections", "arrests", "evacuations"}
# Parts of a count of people: "14 students, 1 teacher killed" does not say 1 person was killed.
_SUBGROUPS = {"children", "child", "adults", "adult", "students", "student", "teachers", "teacher", "officers",
              "officer", "civilians", "civilian", "soldiers", "soldier", "women", "woman", "men", "man", "kids",
              "girls", "boys", "police", "firefighters", "americans", "tourists", "foreigners", "staff", "workers"}
# A tally's figure may stand far from its noun after words like these: "… rose to at least 101", "… stood at 56".
_RISE = {"to", "at", "reached", "hit", "surpassed", "passed", "topped", "exceeded"}
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
    counted = counted_noun(question).lower()
    asked = {w.lower() for w in words(question)}
    outcome = next((family for family in _OUTCOMES.values() if asked & family), set())
    others = set().union(*(family for family in _OUTCOMES.values() if family is not outcome))
    share = bool(_SHARE.search(question))
    found = set()
    for clause in _CLAUSE.split(text):
        tokens = [t.lower() for t in _TOKEN.findall(clause or "")]
        if (outcome and not set(tokens) & outcome) or (set(tokens) & others) - asked:
            continue
        # what a figure may stand before ("151 people", "56 storm-related deaths") or after ("killed five",
        # "the toll rose to 156")
        counts = [j for j, t in enumerate(tokens) if same_word(counted, t) or t in outcome & _NOUNS] if counted else []
        acts = [j for j, t in enumerate(tokens) if t in outcome - _NOUNS]
        tallies = [j for j, t in enumerate(tokens) if t in _TALLIES]
        for i in range(len(tokens)):
            value = _figure(tokens, i)
            part = tokens[i + 1] if i + 1 < len(tokens) else ""
            if not value or (part in _SUBGROUPS and not same_word(counted, part)) or share != value.endswith("%"):
                # "1 teacher killed", "two adults dead": a part of the count (unless it is what is counted); a
                # share is a percentage, and a percentage no count
                continue
            if (not counted or any(0 < j - i <= _NEAR for j in counts) or any(0 < i - j <= 2 for j in acts + counts)
                    or any(0 < i - j <= _NEAR for j in tallies)
                    or (tallies and counts and _RISE & set(tokens[max(i - 3, 0):i]))):
                found.add(value)
    return found


# The words of a when-question that ask for the day, not name the event: "On what day did the fire happen?"
_ASKING_DAY = {"day", "date", "happen", "happened", "take", "took", "place", "occur", "occurred", "exactly"}
# A sentence tells of a when-question's event when it holds this many of its words (all, when it has fewer), and
# a day it names is that event's when it stands within _NEAR_EVENT words of one of them ("a deadly fire Thursday";
# not "… was arrested at a Moscow airport, the jubilant moment in the Oval Office on Thursday").
_EVENT_WORDS = 2
_NEAR_EVENT = 6
# A when-question's event is told before these; after them it names another event that dates it ("did Amini die
# after being detained": the day she was detained is no side of the day she died). In a quote, a day with one of
# them between it and the event word dates the other event.
_OTHER_EVENT = re.compile(r"\b(?:after|before|following)\b", re.IGNORECASE)


def days(question: str, citation: Citation) -> set[str]:
    """The days a cited sentence gives for the event a when-question asks about (ISO: "2022-11-24"), read
    against its article's day (rag.period.days_told): only when the sentence holds _EVENT_WORDS of the words
    that name the event ("When was Griner arrested at a Moscow airport?": arrested, airport), and only the days
    standing near one of them."""
    if not citation.date:
        return set()
    event = _event_words(question)
    # the words of the event asked about, before a clause naming another that dates it ("… die after being detained")
    own = _event_words(_OTHER_EVENT.split(question)[0]) or event
    quote = citation.quote
    # (where, which event word) for each word of the quote that is one of them
    hits = [(m.start(), e) for m in WORD.finditer(quote) for e in event if _same_event_word(e, m.group().lower())]
    if len({e for _, e in hits}) < min(_EVENT_WORDS, len(event)):
        return set()
    published = dt.date.fromisoformat(citation.date[:10])
    return {day.isoformat() for day, start in days_told(quote, published)
            if not event or any(_dates(quote[min(start, a):max(start, a)]) for a, e in hits if e in own)}


def _dates(between: str) -> bool:
    """Whether a day dates an event word with `between` them: near, and with no other event told between ("died
    three days after being detained Sept. 13" does not date the death)."""
    return len(WORD.findall(between)) <= _NEAR_EVENT and not _OTHER_EVENT.search(between)


def _event_words(question: str) -> set[str]:
    return {w.lower() for w in words(question) if w.islower()} - STOPWORDS - _ASKING_DAY


def _same_event_word(asked: str, word: str) -> bool:
    """One word in two forms (rag.asked.same_word), or a form of an asked verb ("die": "died"), by its stem."""
    return same_word(asked, word) or stem(asked) == stem(word)


def _figure(tokens: list[str], i: int) -> str:
    """The figure token i gives ("" when none): a number or a spelled one, with its scale; not a year, nor the
    "one" of "one of the victims"."""
    token = tokens[i]
    if _DIGITS.match(token):
        if _YEARS.fullmatch(token):
            return ""
        value = token.replace(",", "")
    else:
        value = _NUMBER_WORDS.get(token, "")
    following = tokens[i + 1] if i + 1 < len(tokens) else ""
    before = tokens[i - 1] if i else ""
    if following == "percent":
        return f"{value}%"
    if not value or (following == "of" and not value.endswith("%")) or following in MONTHS or before in MONTHS:
        return ""  # "one of the victims" (not "93% of the total"); "June 27", "27 June" are days
    return f"{value} {_SCALE[following]}" if following in _SCALE else value


def disagreement(question: str, citations: tuple[Citation, ...], ranked: list[tuple[float, Sentence]],
                 passages: list[Passage]) -> tuple[Differing, ...]:
    """The sides when articles give different figures for what a how-many question counts, or different days for
    the event a when-question asks about (within DAY_SIDE_DAYS of each other): each figure or day, quoted
    from the answer's citation that gives it or else from the best sentence that does (scoring within
    SIDE_MARGIN of the best sentence), oldest first; () when the question asks no figure or the articles agree.
    A side comes from an article about the question's story: its sentence or title names what the question
    names ("Buffalo" in "… the Tops supermarket in Buffalo"), and the sentence names no year the question does
    not. Only sentences giving one figure are sides ("rose from 12 to 15" tells of an update). When the answer's
    own quotes give figures or days, one of them must be a side: other articles' days a day apart ("the attempt
    scrubbed on Monday", "… on Tuesday") are no sides of an answer that gives others ("September 23 or
    September 27" for the next attempt)."""
    kind = asked_kind(question)
    if kind not in (COUNT, DATE) or not ranked:
        return ()
    names = {name for _, name in capitalised_names(question)} - set(MONTHS) - DAY_WORDS
    by_quote = {(c.doc_id, c.start): c for c in citations}
    candidates = [(c, by_quote.get((c.doc_id, c.start), c)) for c in citations]
    floor = ranked[0][0] - SIDE_MARGIN
    for score, sentence in ranked:
        if score < floor:
            break
        citation = cite_quote(sentence.passage_index + 1, passages[sentence.passage_index], sentence.text)
        if citation is not None and (citation.doc_id, citation.start) not in by_quote:
            candidates.append((citation, citation))
    given: set[str] = set()
    answered: set[str] = set()  # what the answer's own quotes give
    sides: dict[str, Citation] = {}
    for n, (citation, _) in enumerate(candidates):
        found = figures(question, citation.quote) if kind == COUNT else days(question, citation)
        if not found or not _same_story(citation, names, question, found):
            continue
        if n < len(citations):
            answered |= found
        value = next(iter(found))
        if len(found) == 1 and not found <= given and len(sides) < MAX_SIDES and (
                kind == COUNT or not sides or _days_apart(value, next(iter(sides))) <= DAY_SIDE_DAYS):
            sides[value] = citation
        given |= found
    if sides:  # one event is reported within months: a figure from years before is another event's
        anchor = max((c.date for c in citations if c.date), default="") or next(iter(sides.values())).date
        sides = {value: c for value, c in sides.items() if _days_apart(c.date, anchor) <= SIDE_DAYS}
    if len(sides) < 2 or len({c.doc_id for c in sides.values()}) < 2 or (answered and not answered & set(sides)):
        return ()  # sides that leave out what the answer gives differ from each other, not from the answer
    ordered = sorted(sides.items(), key=lambda side: (side[1].date or "9999", side[1].source))
    if kind == COUNT:
        return tuple(Differing(value, citation) for value, citation in ordered)
    return tuple(Differing(spoken_day(day), citation, "day") for day, citation in ordered)


def _days_apart(day: str, other: str) -> float:
    if not day or not other:
        return 0.0
    return abs((dt.date.fromisoformat(day) - dt.date.fromisoformat(other)).days)


def _same_story(citation: Citation, names: set[str], question: str, found: set[str]) -> bool:
    """Whether a cited sentence tells of the question's story: it or its article's title names one of the
    question's names (when it has any), and it names no year the question does not ("the worst since the 2014
    ferry sinking, which killed 304" is another event's figure) but the year of a day it gives."""
    given = {year for value in found for year in _YEARS.findall(value)}
    if set(_YEARS.findall(citation.quote)) - set(_YEARS.findall(question)) - given:
        return False
    if not names:
        return True
    told = {w.lower().removesuffix("'s").removesuffix("’s") for w in words(f"{citation.quote} {citation.title}")}
    return bool(names & told)


def differing_sentence(sides: tuple[Differing, ...]) -> str:
    """The sentence that tells the reader, with a citation per side: "The articles give different figures: 151
    (CNN, 30 October 2022) [1]; 156 (USA TODAY, 31 October 2022) [3]." (or "different days")"""
    parts = []
    for side in sides:
        c = side.citation
        where = ", ".join(part for part in (c.source, spoken_day(c.date) if c.date else "") if part)
        parts.append(f"{side.value}{f' ({where})' if where else ''} [{c.n}]")
    return f"The articles give different {sides[0].kind}s: " + "; ".join(parts) + "."
