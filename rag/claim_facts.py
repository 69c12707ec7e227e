"""What a text asserts, in comparable form: `read_facts` reads its words, names, numbers and dates, its clauses
(each with what its negation covers and who says it) and who did what into a `Facts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.claim_names import actors_in, is_verb, name_runs, speaker_near
from rag.claim_words import (
    CLAUSE_BREAK, CLAUSE_WORDS, NUMBER, NUMBER_WORDS, PERIODS, RELATIVE, SAYING, SCALES, SPOKEN, UNITS,
    carries_meaning, join_initialisms, negates, other_units, plain_number, pronoun_one, short_stem, unword,
)
from rag.text import DAY_WORDS, MONTHS, split_sentences, words


@dataclass(frozen=True)
class Clause:
    """A stretch of a sentence between commas or clause words: what it says, whether it is negated (and which
    words the negation covers), and who says it."""

    stems: frozenset[str]  # content words that carry its meaning, names aside
    negated: frozenset[str]  # the stems a negation in it covers: the words after it, or all when few follow
    speaker: frozenset[str]  # name words of who says it (from its own verb of saying or its sentence's)
    opens_with_saying: bool  # "said Harris …", "…, said the mayor": its speaker may be a clause before it
    named: frozenset[str] = frozenset()  # stems of the names in it: a negation covers them too ("not … NATO")


@dataclass(frozen=True)
class Facts:
    """What a text asserts, in comparable form."""

    tokens: tuple[str, ...]  # lowercased words, in order
    stems: frozenset[str]  # content words that carry the meaning, names aside
    lookup: frozenset[str]  # every content word's stem, names included: what a claim's words are found in
    numbers: frozenset[str]
    dates: frozenset[str]
    names: tuple[tuple[str, ...], ...]  # runs of capitalised words, lowercased ("vladimir", "putin")
    acronyms: frozenset[str]  # words written in capitals ("usps"), for names given by their initials
    clauses: tuple[Clause, ...]
    actors: frozenset[tuple[str, frozenset[str]]]  # (verb stem, name words): "Hamdok reinstated", "started by eBay"
    bound: frozenset[tuple[str, str]]  # (number, stem of a word next to it): "18,000 babies", "$70 million"

    @property
    def name_words(self) -> frozenset[str]:
        return frozenset(w for run in self.names for w in run)


def read_facts(text: str, known: set[str] | frozenset[str] = frozenset(),
               known_names: frozenset[str] = frozenset()) -> Facts:
    """What `text` asserts. `known` holds the passage's words and `known_names` its names: a capitalised first word
    is a name when the passage writes it as one, or when the passage never uses it at all ("Washington has long
    had …": a name the passage would have to give)."""
    text = join_initialisms(text)
    # a number joined to a name is part of it, compared whole: "Covid-19", "F-35", "Crew-5" (name_numbers(), below)
    numbers = {plain_number(n, scale) for n, scale in NUMBER.findall(NAME_NUMBER.sub(" ", text))} | name_numbers(text)
    dates: set[str] = set()
    names: list[tuple[str, ...]] = []
    clauses: list[Clause] = []
    tokens_seen: list[str] = []
    acronyms: set[str] = set()
    actors: set[tuple[str, frozenset[str]]] = set()
    bound: set[tuple[str, str]] = set()
    for _, sentence in split_sentences(text) or [(0, text)]:
        sentence_clauses = []
        opener: frozenset[str] = frozenset()
        for number, piece in enumerate(_clause_texts(sentence)):
            raw = words(piece)
            tokens = [w.lower().replace("’", "'").removesuffix("'s") for w in raw]
            acronyms |= {t for w, t in zip(raw, tokens) if len(w) > 1 and w.isupper()}
            runs = name_runs(raw, tokens, opens_sentence=number == 0, known=known, names=known_names)
            negation_at = -1
            speaker: frozenset[str] = frozenset()
            for i, (word, token) in enumerate(zip(raw, tokens)):
                if token in NUMBER_WORDS and not pronoun_one(tokens, i):  # "four million" is 4,000,000
                    scale = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1] in SCALES else ""
                    numbers.add(plain_number(NUMBER_WORDS[token], scale))
                if token in MONTHS and (token != "may" or word[0].isupper()) and (token != "mar" or word == "Mar"):
                    dates.add(MONTHS[token])
                elif token in DAY_WORDS:
                    dates.add(token)
                elif token in PERIODS and i and tokens[i - 1] in RELATIVE:
                    dates.add(f"{tokens[i - 1]} {token}")
                if negation_at < 0 and negates(tokens, i):
                    negation_at = i
                if token in SAYING and not speaker:
                    speaker = speaker_near(raw, tokens, i)
            names += [run for _, run in runs]
            name_stems = {short_stem(w) for _, run in runs for w in run}
            stems = frozenset({short_stem(unword(t) or t) for t in tokens if carries_meaning(t)} - name_stems)
            scope = _negation_scope(tokens, negation_at, stems | name_stems)
            sentence_clauses.append(Clause(stems, scope, speaker, bool(tokens) and tokens[0] in SPOKEN,
                                           frozenset(name_stems)))
            actors |= actors_in(raw, tokens, runs)
            if runs and runs[0][0] == 0 and len(runs[0][1]) == len(tokens):
                opener = frozenset(runs[0][1])  # a name alone between commas: "Chris Herd, curator …,"
            elif opener and tokens and is_verb(tokens[0], False):
                actors.add((short_stem(tokens[0]), opener))  # "…, received samples"
                opener = frozenset()
            bound |= _bound_numbers(piece)
            tokens_seen += tokens
        clauses += _share_speakers(_appositive_speakers(sentence, sentence_clauses))
    stems = frozenset(s for c in clauses for s in c.stems)
    lookup = frozenset({short_stem(unword(t) or t) for t in tokens_seen if carries_meaning(t)}
                       | {short_stem(w) for r in names for w in r})
    return Facts(tuple(tokens_seen), stems, lookup, frozenset(numbers), frozenset(dates),
                 tuple(dict.fromkeys(names)), frozenset(acronyms), tuple(clauses), frozenset(actors),
                 frozenset(bound))


NAME_NUMBER = re.compile(r"\b([A-Z][A-Za-z]*)-(\d+)\b")


def name_numbers(text: str) -> set[str]:
    """The names with a number joined to them, lowered: "Covid-19 cases" -> {"covid-19"}."""
    return {f"{m.group(1).lower()}-{m.group(2)}" for m in NAME_NUMBER.finditer(text)}


def named_without_number(name_number: str, found: Facts) -> bool:
    """Whether a text whose facts are `found` names what `name_number` does without its number: "Covid" is
    "Covid-19", but "Crew-4" is not "Crew-5", nor "F" "F-35" (a name of three letters or fewer is told apart by
    its number)."""
    name = name_number.rsplit("-", 1)[0]
    return (len(name) >= 4 and name in found.tokens
            and not any(n.rsplit("-", 1)[0] == name for n in found.numbers if "-" in n))


def _clause_texts(sentence: str) -> list[str]:
    """The clauses of a sentence: split at commas, dashes, brackets and colons, before a clause word, and
    before "and" with a lowercase word after it ("and earned", not "Meloni and Salvini")."""
    pieces = []
    for part in CLAUSE_BREAK.split(sentence):
        current: list[str] = []
        for word in part.split():
            bare = word.lower().strip(".,;:!?\"“”'’")
            if current and (bare in CLAUSE_WORDS or (current[-1].lower() == "and" and word[:1].islower())):
                pieces.append(" ".join(current[:-1] if bare not in CLAUSE_WORDS else current))
                current = []
            current.append(word)
        pieces.append(" ".join(current))
    return [p for p in pieces if words(p)]


def _negation_scope(tokens: list[str], at: int, stems: frozenset[str]) -> frozenset[str]:
    """The stems a negation at `at` covers: those after it in its clause, or the whole clause when fewer than
    two follow ("evacuation orders have not been issued")."""
    if at < 0:
        return frozenset()
    after = frozenset(short_stem(unword(t) or t) for t in tokens[at:] if carries_meaning(t) or unword(t)) & stems
    return after if len(after) >= 2 else stems


_AGE = re.compile(r"-(?:year|month|week|day)s?-old\b", re.IGNORECASE)
# The counts in words ("five", "dozen"; not "first", "twice" or "half").
_SPELLED = re.compile(r"\b(?:" + "|".join(w for w, n in NUMBER_WORDS.items() if n.isdigit()) + r")\b", re.IGNORECASE)


def _bound_numbers(clause: str) -> set[tuple[str, str]]:
    """(number, stem of what it counts) in a clause: the content word right after it ("9,000 babies"), and
    after a unit the word that says of what ("12 years in prison")."""
    bound = set()
    found = [(plain_number(m.group(1).rstrip(".,"), m.group(2) or ""), m.end()) for m in NUMBER.finditer(clause)]
    for match in _SPELLED.finditer(clause):  # a count in words only before a unit: "five years", not "three NBA stars"
        after = words(clause[match.end():])[:1]
        if after and other_units(short_stem(after[0])):
            found.append((NUMBER_WORDS[match.group().lower()], match.end()))
    for number, end in found:
        if _AGE.match(clause, end):  # "a 31-year-old player" gives an age, not 31 years of anything
            continue
        after = [w.lower() for w in words(clause[end:])][:4]
        counted = [(i, w) for i, w in enumerate(after) if carries_meaning(w) and not w[0].isdigit()]
        if not counted or counted[0][0] > 1:
            continue
        at, word = counted[0]
        bound.add((number, short_stem(word)))
        if short_stem(word) in UNITS and len(counted) > 1 and counted[1][0] <= at + 2:
            bound.add((number, short_stem(counted[1][1])))
    return bound


def _appositive_speakers(sentence: str, clauses: list[Clause]) -> list[Clause]:
    """"Todd Pugh, Harris' attorney, said …": a clause that opens with a verb of saying and names nobody before
    it is said by the name that opens the sentence."""
    if not any(c.opens_with_saying and not c.speaker for c in clauses) or clauses[0].stems:
        return clauses
    first = _clause_texts(sentence)[0]
    raw = words(first)
    runs = name_runs(raw, [w.lower().removesuffix("'s") for w in raw], opens_sentence=False)
    if not runs or runs[0][0] > 1:
        return clauses
    opener = frozenset(runs[0][1])
    return [replace(c, speaker=opener) if c.opens_with_saying and not c.speaker else c for c in clauses]


def _share_speakers(clauses: list[Clause]) -> list[Clause]:
    """A sentence's "…, Peskov said" speaks for its other clauses: each clause without a speaker of its own
    takes the nearest one's in the sentence, the earlier one when two are as near."""
    speaking = [i for i, c in enumerate(clauses) if c.speaker]
    shared = []
    for i, clause in enumerate(clauses):
        if clause.speaker or not speaking:
            shared.append(clause)
            continue
        nearest = min(speaking, key=lambda j: (abs(j - i), j))
        shared.append(replace(clause, speaker=clauses[nearest].speaker))
    return shared
