"""Does a quote say what a sentence says? The claim-level check behind every verified citation.

A sentence is supported by a passage only when one span of it (one to three neighbouring sentences) states what
the sentence asserts: every number and date in it, its names, the polarity of what it says ("would not leave" is
not "would leave"), and who said or did it. Shared words alone are not support; they only pick the span, and
the rest of the sentence's words must be there too, as themselves or as a close form ("annexed" and
"annexation"). What a text asserts is read by claim_facts.py; this module compares a claim's facts with a quote's.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.claim_facts import Clause, Facts, named_without_number, read_facts
from rag.claim_words import (ALIASES, NUMBER_WORDS, join_initialisms, opposite_stems, other_units, short_stem,
                              stem_found)
from rag.text import split_sentences, words

# Share of the sentence's other content words (not names, numbers or dates) that the span must hold: about two
# in three. Chosen on eval/claims.jsonl split in two halves, the same value from either half (docs/claims.md).
COVERAGE = 0.65
# Share of one clause's content words that the quote must hold, for clauses of two or more: an added clause
# ("…, and invited her to Paris") is a claim of its own.
CLAUSE_COVERAGE = 0.5
# Sentences of a passage that one claim may draw on together: a model often joins two neighbouring ones.
_SPAN_SENTENCES = 3


@dataclass(frozen=True)
class Judgement:
    """Whether a claim is supported, the quote that supports it (or came closest), and why not."""

    supported: bool
    quote: str  # verbatim from the passage text
    coverage: float  # share of the claim's other content words found in the quote
    reasons: tuple[str, ...] = ()  # empty when supported


def judge(claim: str, passage: str, context: str = "") -> Judgement:
    """Whether `passage` supports `claim`. `context` (the article's title and the rest of the passage) can vouch
    for a first name or title before a surname the quote has, never for a fact."""
    known = {w.lower().replace("’", "'").removesuffix("'s") for w in words(join_initialisms(f"{context} {passage}"))}
    names = read_facts(f"{context}. {passage}" if context else passage).name_words
    asserted = read_facts(claim, known, names)
    if not asserted.tokens:
        return Judgement(False, "", 0.0, ("the sentence says nothing to check",))
    best: Judgement | None = None
    for quote in _spans(passage):
        judgement = _compare(asserted, quote, known, names)
        if best is None or (judgement.supported, judgement.coverage, -len(judgement.reasons)) > (
            best.supported, best.coverage, -len(best.reasons)
        ):
            best = judgement
    return best or Judgement(False, "", 0.0, ("the passage has no sentence to quote",))


def restatement(claim: str, passage: str) -> str:
    """The one sentence of the passage that a claim the check rejected was most likely drawn from: it holds all
    the claim's numbers, dates and names and at least half its other words. "" when there is none. Quoting it
    instead keeps what the model chose and says only what the article says."""
    asserted = read_facts(claim)
    best, best_share = "", 0.0
    for _, sentence in split_sentences(passage):
        found = read_facts(sentence)
        if asserted.numbers - found.numbers or asserted.dates - found.dates:
            continue
        if not all(_name_found(run, found, set()) for run in asserted.names):
            continue
        share = (len([s for s in asserted.stems if stem_found(s, found.lookup)]) / len(asserted.stems)
                 if asserted.stems else 0.0)
        if share >= 0.5 and share > best_share:
            best, best_share = sentence, share
    return best


def _spans(passage: str) -> list[str]:
    """Runs of one to three neighbouring sentences, each verbatim from the passage."""
    sentences = split_sentences(passage)
    spans = []
    for size in range(1, _SPAN_SENTENCES + 1):
        for i in range(len(sentences) - size + 1):
            start = sentences[i][0]
            last_offset, last = sentences[i + size - 1]
            spans.append(passage[start : last_offset + len(last)])
    return spans


def _compare(asserted: Facts, quote: str, known: set[str], names: frozenset[str]) -> Judgement:
    found = read_facts(quote, known, names)
    reasons = []
    missing_numbers = sorted(n for n in asserted.numbers - found.numbers if not named_without_number(n, found))
    if missing_numbers:
        reasons.append(f"the quote does not give {', '.join(missing_numbers)}")
    missing_dates = sorted(asserted.dates - found.dates)
    if missing_dates:
        reasons.append(f"the quote does not say {', '.join(missing_dates)}")
    missing_names = [" ".join(run) for run in asserted.names if not _name_found(run, found, known)]
    if missing_names:
        reasons.append(f"the quote does not name {', '.join(missing_names)}")
    missing = sorted(s for s in asserted.stems if not stem_found(s, found.lookup))
    coverage = 1 - len(missing) / len(asserted.stems) if asserted.stems else 1.0
    if coverage < COVERAGE:
        reasons.append(f"the quote does not say {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}")
    reasons += _clause_problems(asserted, found)
    reasons += _role_problems(asserted, found)
    opposite = _opposite_word(asserted, found)
    if opposite:
        reasons.append(f"the quote says the opposite of “{opposite}”")
    unsaid = _restriction_unsaid(asserted.tokens, found.tokens)
    if unsaid:
        reasons.append(f"the quote does not say “{unsaid}”")
    return Judgement(not reasons, quote, round(coverage, 3), tuple(reasons))


def _clause_problems(asserted: Facts, found: Facts) -> list[str]:
    """Each clause of the claim against the quote: enough of its words, and the same speaker as the clause of
    the quote that says most of the same; and no negation on one side that the other side lacks."""
    problems = []
    for clause in asserted.clauses:
        held = {s for s in clause.stems if stem_found(s, found.lookup)}
        if len(clause.stems) >= 2 and len(held) / len(clause.stems) < CLAUSE_COVERAGE:
            problems.append(f"the quote does not say “{' '.join(sorted(clause.stems - held))}”")
            continue
        overlap, match = max(
            ((len({s for s in clause.stems if stem_found(s, q.stems)}), q) for q in found.clauses),
            key=lambda pair: pair[0], default=(0, None),
        )
        if match is None or overlap < min(2, len(clause.stems)) or overlap == 0:
            continue  # no clause of the quote says the same thing: its speaker cannot be compared
        # every speaker the claim names that the quote also names must be among the quote's speakers
        claimed = clause.speaker & found.name_words
        if clause.speaker and match.speaker and not all(_found_among(claimed, match.speaker, found)):
            problems.append(f"the quote has {' '.join(sorted(match.speaker))} say this, "
                            f"not {' '.join(sorted(clause.speaker))}")
    for negated, plain, side in ((found, asserted, "quote"), (asserted, found, "claim")):
        flipped = _unmatched_negation(negated, plain)
        if flipped:
            problems.append(f"the {side} negates “{' '.join(sorted(flipped))}” and the "
                            f"{'claim' if side == 'quote' else 'quote'} does not")
    return problems


def _unmatched_negation(negated: Facts, plain: Facts) -> frozenset[str]:
    """What a negation on one side covers that the other side states without one: most of the covered words
    (names included) in one clause of the other side that is not negated, and no negated clause there holding
    as many of its other words (names aside: "no mention of Beijing" and "mentioned China" may agree)."""
    for clause in negated.clauses:
        scope = clause.negated
        if not scope:
            continue
        def held(other: Clause, names: bool) -> int:
            return len({s for s in scope if stem_found(s, other.stems | other.named if names else other.stems)})
        # The other side's plain clauses together: commas split "foreign | and defense ministers" and ", Minsk,"
        # from the words they belong with, and none of those pieces holds the scope alone.
        plain_clauses = [c for c in plain.clauses if not c.negated]
        together = Clause(frozenset().union(*(c.stems for c in plain_clauses)), frozenset(), frozenset(), False,
                          frozenset().union(*(c.named for c in plain_clauses)))
        most = held(together, True)
        plain_best = held(together, False)
        negated_best = max((held(c, False) for c in plain.clauses if c.negated), default=0)
        if most >= -(-2 * len(scope) // 3) and plain_best > negated_best:
            return scope
    return frozenset()


def _role_problems(asserted: Facts, found: Facts) -> list[str]:
    """Who did it: for a verb the claim and the quote both give a doer, the claim's doer must be the quote's
    (when the quote names the claim's doer at all: "Hamdok reinstated Burhan" against "Burhan reinstated
    Hamdok"); a number must go with what it counts ("18,000 babies" against "18,000 toddlers")."""
    problems = []
    for verb, actor in sorted(asserted.actors, key=_sort_key):  # sorted: the same reasons in every run
        doers = sorted((a for v, a in found.actors if v == verb), key=sorted)
        if doers and not any(any(_found_among(actor, a)) for a in doers) and actor & found.name_words:
            problems.append(f"the quote has {' '.join(sorted(doers[0]))} do this, not {' '.join(sorted(actor))}")
    for number, word in sorted(asserted.bound):
        elsewhere = {n for n, w in found.bound if w == word and n != number}
        if elsewhere and (number, word) not in found.bound and asserted.numbers & elsewhere:
            problems.append(f"the quote gives {', '.join(sorted(elsewhere))} {word}, not {number}")
            break
    for number, word in sorted(asserted.bound):  # the same number in another unit: "five months", not "five years"
        other = sorted(w for n, w in found.bound if n == number and w in other_units(word))
        if other and (number, word) not in found.bound:
            problems.append(f"the quote gives {number} {other[0]}, not {number} {word}")
            break
    return problems


def _sort_key(actor: tuple[str, frozenset[str]]) -> tuple[str, list[str]]:
    return actor[0], sorted(actor[1])


def _found_among(claimed: frozenset[str], quoted: frozenset[str], found: Facts | None = None) -> list[bool]:
    """For each claimed name word, whether the quoted name words hold it, by stem ("Canada" is "Canadian"), or,
    given the quote's `found` facts, as the initials it spells ("USGS" for "the US Geological Survey")."""
    stems = frozenset(short_stem(w) for w in quoted)
    return [stem_found(short_stem(w), stems) or (found is not None and _initials_in(w, found)) for w in claimed]


def _name_found(run: tuple[str, ...], found: Facts, known: set[str]) -> bool:
    """A name of the claim is in the quote: each word, or its usual short form, or its initials (USPS for
    "Postal Service"); a first name or title may come from elsewhere in the article when the surname is here."""
    tokens = set(found.tokens)

    def word_found(word: str) -> bool:
        return (word in tokens or short_stem(word) in found.lookup or any(a in tokens for a in ALIASES.get(word, ()))
                or any(word in aliases and short in tokens for short, aliases in ALIASES.items())
                or _initials_in(word, found))

    if all(word_found(w) for w in run):
        return True
    initials = "".join(w[0] for w in run if w not in ("of", "the", "and"))
    if len(initials) >= 2 and any(initials in acronym for acronym in found.acronyms):
        return True
    return word_found(run[-1]) and all(w in known for w in run)


def _initials_in(acronym: str, found: Facts) -> bool:
    """An acronym spelled by the first letters of words in a row, a shorter acronym among them whole
    ("usgs": "US Geological Survey")."""
    if len(acronym) < 2 or len(acronym) > 8:
        return False
    content = [t for t in found.tokens if t not in ("of", "the", "and", "for")]
    for i in range(len(content)):
        spelled = ""
        for token in content[i:]:
            spelled += token if token in found.acronyms else token[0]
            if not acronym.startswith(spelled) or spelled == acronym:
                break
        if spelled == acronym:
            return True
    return False


# Words that say "no other" or "each one": a claim that adds one says more than a quote without it ("Moscow sent
# only its foreign minister" against "its foreign and defense ministers"; "all … were soldiers" against "civilians
# and soldiers"). Words of one group stand for each other.
_RESTRICTIONS = (frozenset({"only", "solely", "sole", "alone", "exclusively"}),
                 frozenset({"all", "every", "entire", "whole"}))
# "only" that limits when, not what: "… gave up only after 60 members resigned".
_NOT_RESTRICTING = {"after", "when", "if", "then", "because", "once", "until", "recently", "now", "just", "to",
                    "since", "later"}


def _restriction_unsaid(claimed: tuple[str, ...], quoted: tuple[str, ...]) -> str:
    """The first word of the claim that says "no other" or "each one" while the quote says no word of its kind;
    "" when there is none."""
    said = set(quoted)
    for i, token in enumerate(claimed):
        group = next((g for g in _RESTRICTIONS if token in g), None)
        if group is None or group & said:
            continue
        following = claimed[i + 1] if i + 1 < len(claimed) else ""
        before = claimed[max(i - 2, 0):i]
        if (following in _NOT_RESTRICTING or following[:1].isdigit() or following in NUMBER_WORDS
                or (token == "all" and before[-1:] == ("at",)) or (token == "whole" and before == ("as", "a"))):
            continue  # "only 12 days" stresses a number the quote gives; "at all", "as a whole" restrict nothing
        return token
    return ""


def _opposite_word(asserted: Facts, found: Facts) -> str:
    """A word of the claim whose opposite the quote uses instead ("rose" where the quote has "fell"). The quote
    holding the claim's word too excuses it only with the claim's polarity: "cut its key rate, and … would not
    raise it again" does not say the bank "raised" it."""
    claimed = {short_stem(t): t for t in asserted.tokens}
    quoted = {short_stem(t) for t in found.tokens}
    negated = {s for clause in asserted.clauses for s in clause.negated}
    polarity: dict[str, set[bool]] = {}  # each word of the quote's clauses: said plainly (False), negated (True)
    for clause in found.clauses:
        for s in clause.stems:
            polarity.setdefault(s, set()).add(s in clause.negated)
    for stem, token in claimed.items():
        opposite = opposite_stems().get(stem)
        # a word no clause counts ("up", "more") is excused by being there at all, as before
        excused = stem in quoted and (stem in negated) in polarity.get(stem, {stem in negated})
        if opposite and opposite & quoted and not excused:
            return token
    return ""
