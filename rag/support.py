"""Does a quote say what a sentence says? The claim-level check behind every verified citation.

A sentence is supported by a passage only when one span of it (one to three neighbouring sentences) states what
the sentence asserts: every number and date in it, its names, the polarity of what it says ("would not leave" is
not "would leave"), and who said or did it. Shared words alone are not support; they only pick the span, and
the rest of the sentence's words must be there too, as themselves or as a close form ("annexed" and
"annexation").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from rag.sentences import DAY_WORDS, MONTHS, STOPWORDS, split_sentences, words

# Share of the sentence's other content words (not names, numbers or dates) that the span must hold: about two
# in three. Chosen on eval/claims.jsonl split in two halves, the same value from either half (docs/claims.md).
COVERAGE = 0.65
# Share of one clause's content words that the quote must hold, for clauses of two or more: an added clause
# ("…, and invited her to Paris") is a claim of its own.
CLAUSE_COVERAGE = 0.5
# Sentences of a passage that one claim may draw on together: a model often joins two neighbouring ones.
_SPAN_SENTENCES = 3

_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "thousand": "1000", "dozen": "12", "half": "0.5", "twice": "2x", "double": "2x",
    "triple": "3x", "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "once": "1x",
    "hundreds": "100s", "thousands": "1000s", "dozens": "12s", "millions": "1e6s", "billions": "1e9s",
}
_SCALES = {"million": 10**6, "billion": 10**9, "trillion": 10**12, "m": 10**6, "bn": 10**9}
# A number as written, with a scale word after it ("$12.6 million"): compared as a plain value.
_NUMBER = re.compile(r"(\d+(?:[.,:]\d+)*)(?:\s*(million|billion|trillion|bn|m)\b)?", re.IGNORECASE)
# Words that turn what follows in their clause into its opposite ("would not leave", "no sign that …").
_NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "unable",
              "lack", "lacked", "lacks", "barely"}
# Words that negate what they lead to ("refused to back him", "would stop financially supporting"), not what
# they name ("the failure of a transformer", "to stop the violence"): negations only before "to" or an -ing word.
_NEGATING_VERBS = {"refused", "refuses", "refuse", "refusing", "refusal", "denied", "denies", "deny", "denial",
                   "rejected", "rejects", "reject", "rejection", "failed", "fails", "fail", "failure", "declined",
                   "declines", "stop", "stops", "stopped", "stopping", "halt", "halts", "halted", "ceased", "ceases",
                   "prevent", "prevents", "prevented", "preventing", "avoid", "avoided", "avoids"}
# Words that negate what they name as well ("abandon any aspirations of joining NATO", "renounced the claim"):
# a claim that drops them ("Ukraine join NATO") says the opposite. "give up" is one of them (see _negates).
_GIVING_UP = {"abandon", "abandons", "abandoned", "abandoning", "renounce", "renounces", "renounced",
              "renouncing", "relinquish", "relinquishes", "relinquished", "relinquishing", "forgo", "forgoes",
              "forgoing", "forwent", "forgone", "forsake", "forsakes", "forsook", "forsaken"}
_GIVE = {"give", "gives", "gave", "given", "giving"}
# Words that only shape a sentence: a paraphrase may add or drop them without changing what it claims.
_LIGHT = {"such", "each", "though", "although", "only", "up", "out", "down", "also", "including", "both", "even",
          "just", "still", "yet", "while", "whereas", "however", "very", "well", "much", "many", "go", "going",
          "went", "gone", "give", "gave", "given", "get", "got", "make", "made", "take", "took", "taken", "come",
          "came", "keep", "kept", "put", "set", "way", "ways", "part", "one", "other", "others", "another",
          "thing", "things", "lot", "like", "now", "since", "until", "because", "due", "amid", "despite",
          "against", "among", "between", "within", "around", "per", "via", "already", "again", "almost",
          "nearly", "roughly", "about", "approximately", "least", "more", "most", "than", "further", "really",
          "actually", "instead", "own", "new", "latest", "recent", "recently", "currently", "here", "whether",
          "either", "several", "various", "numerous", "multiple", "along", "number", "we", "you", "i", "me",
          "my", "our", "us", "your", "him", "himself", "herself", "itself", "themselves", "able", "would",
          "could", "should", "might", "being", "been"}
# Pairs that say opposite things about the same event; a claim with one where its quote has the other is flipped.
_OPPOSITES = [
    ("rise", "fall"), ("rose", "fell"), ("increase", "decrease"), ("increased", "decreased"), ("up", "down"),
    ("more", "less"), ("more", "fewer"), ("higher", "lower"), ("win", "lose"), ("won", "lost"),
    ("before", "after"), ("above", "below"), ("gain", "loss"), ("accept", "reject"), ("accepted", "rejected"),
    ("approve", "reject"), ("approved", "rejected"), ("agreed", "refused"), ("allow", "ban"), ("allowed", "banned"),
    ("confirmed", "denied"), ("support", "oppose"), ("supported", "opposed"), ("stay", "leave"),
    ("remain", "leave"), ("remain", "left"), ("open", "close"), ("opened", "closed"), ("guilty", "innocent"),
    ("largest", "smallest"), ("biggest", "smallest"), ("most", "least"), ("best", "worst"), ("north", "south"),
    ("east", "west"), ("northern", "southern"), ("eastern", "western"), ("early", "late"), ("earlier", "later"),
    ("first", "last"), ("oldest", "youngest"), ("older", "younger"), ("male", "female"), ("men", "women"),
    ("entered", "exited"), ("arrived", "departed"), ("ally", "enemy"), ("afraid", "unafraid"),
    ("approved", "defeated"), ("passed", "defeated"), ("passed", "failed"), ("continue", "suspend"),
    ("keep", "suspend"), ("resume", "suspend"), ("lifted", "imposed"), ("guilty", "acquitted"),
]
# Verbs that attribute words or a stance to someone: the name next to one is who said it.
_SAYING = {"said", "says", "say", "told", "tells", "added", "adds", "warned", "warns", "announced", "announces",
           "stated", "claimed", "claims", "urged", "urges", "wrote", "writes", "tweeted", "insisted", "insists",
           "argued", "argues", "accused", "accuses", "noted", "explained", "confirmed", "denied", "acknowledged",
           "admitted", "according", "asked", "asks", "called", "calls", "demanded", "demands", "praised",
           "criticized", "blamed", "declared", "predicted", "suggested", "described", "reported", "reports",
           "citing", "cited", "announcement", "statement"}
_CLAUSE_BREAK = re.compile(r"(?:,(?!\d)|(?<!\d),|:(?!\d)|[;()\[\]])\s*|\s[—–-]+\s|—|(?<=[.!?])[\"”’]?\s+")
# Conjunctions that start a new clause; "and" only before a lowercase word ("and earned", not "and Salvini").
_CLAUSE_WORDS = {"but", "while", "whereas", "although", "though", "because", "which", "who"}
# Words news reports use for one another: a paraphrase that swaps one for another still says the same. Each
# group is read as one word; opposites and numbers are never here.
_SYNONYMS = [
    ("aim", "goal", "objective"), ("troop", "soldier", "forces"), ("tension", "anxiety", "strain"),
    ("big", "large", "major", "significant", "huge"), ("biggest", "largest"), ("stay", "remain"),
    ("cut", "layoff", "lay", "slash", "axe"), ("job", "employee", "staff", "staffer", "worker", "position"),
    ("new", "fresh"), ("reveal", "announc", "unveil", "disclos"), ("kill", "die", "dead", "death"),
    ("start", "begin", "launch"), ("end", "finish", "conclud"), ("buy", "purchas", "acquir"),
    ("help", "aid", "assist"), ("try", "seek", "attempt"), ("allow", "let", "permit"),
    ("join", "enter", "entry", "admiss"), ("hope", "aspir"), ("invas", "onslaught", "offens"),
    ("chanc", "opportun"), ("win", "victori", "triumph"), ("lose", "defeat"), ("fight", "battl", "combat"),
    ("say", "state"), ("need", "requir"), ("quick", "fast", "rapid"), ("show", "display"),
    ("home", "hous", "resid"), ("firm", "compani", "busi"), ("car", "vehicl"), ("child", "kid"),
    ("citizen", "resid", "peopl"), ("ban", "prohibit", "bar"), ("warn", "caution"), ("injur", "hurt", "wound"),
    ("damag", "harm"), ("rise", "increas", "grow", "climb", "jump"), ("fall", "declin", "drop"),
    ("tough", "harsh", "strict"), ("penalti", "sanction", "punish"), ("send", "deploy", "dispatch", "commit"),
    ("meet", "talk"), ("leader", "head", "chief"), ("countri", "nation"), ("talk", "negoti"),
    ("attack", "strike", "assault"), ("blast", "explos"), ("build", "construct"), ("reach", "hit"),
    ("vote", "ballot"), ("research", "studi"), ("scientist", "research", "expert"),
    ("precaution", "caution"), ("sign", "indic", "evid"), ("back", "support", "endors"),
    ("idea", "propos", "plan"), ("earlier", "ago", "previous"), ("higher", "up"), ("lower", "down"),
    ("fell", "down", "drop"), ("risen", "rose", "jump", "increas", "up"),
]
# Verbs that open the clause after an appositive: "Todd Pugh, Harris' attorney, said …".
_SPOKEN = {"said", "says", "told", "added", "wrote", "tweeted", "explained", "noted", "stated", "asked"}
# Words between a name and what it did ("Spirit will have to pay", "Peskov later said").
_AUXILIARIES = {"has", "have", "had", "was", "were", "is", "are", "will", "would", "did", "does", "also", "then",
                "later", "previously", "earlier", "again", "repeatedly", "publicly"}
# Words that begin with "un" without negating what follows it.
_NOT_UN = ("under", "unit", "univers", "uniq", "union", "unless", "unanim", "unveil", "until", "unto",
           "unemploy")
# Words that measure rather than name what is counted: "12 years in prison" counts prison years.
_UNITS = {"year", "month", "week", "day", "hour", "minut", "second", "percent", "time", "mile", "feet", "foot",
          "meter", "ton", "tonn", "pound", "dollar", "cent", "point"}
_PERIODS = {"week", "month", "year", "weekend", "night", "morning", "evening", "afternoon"}
_RELATIVE = {"last", "this", "next", "past", "coming"}
# Capitalised words that are titles or sentence furniture, not names a claim could get wrong.
_NOT_NAMES = {"president", "prime", "minister", "ministers", "chancellor", "secretary", "spokesman",
              "spokeswoman", "spokesperson", "king", "queen", "prince", "princess", "pope", "general", "gen",
              "sen", "senator", "rep", "gov", "governor", "mayor", "mr", "mrs", "ms", "dr", "sir", "dame", "lord",
              "lady", "chief", "deputy", "foreign", "defense", "defence", "state", "former", "acting", "vice",
              "democrat", "democrats", "republican", "republicans", "i", "god"}
# Common short forms: the name in one text and its usual short form in the other are the same name.
_ALIASES = {
    "us": ("united", "states", "america", "american", "americans"), "usa": ("united", "states", "america"),
    "uk": ("britain", "british", "united", "kingdom"), "un": ("united", "nations"), "eu": ("european", "union"),
    "nato": ("north", "atlantic"), "uae": ("emirates",), "nyc": ("york",), "la": ("angeles",),
}


@dataclass(frozen=True)
class Judgement:
    """Whether a claim is supported, the quote that supports it (or came closest), and why not."""

    supported: bool
    quote: str  # verbatim from the passage text
    coverage: float  # share of the claim's other content words found in the quote
    reasons: tuple[str, ...] = ()  # empty when supported


@dataclass(frozen=True)
class _Clause:
    """A stretch of a sentence between commas or clause words: what it says, whether it is negated (and which
    words the negation covers), and who says it."""

    stems: frozenset[str]  # content words that carry its meaning, names aside
    negated: frozenset[str]  # the stems a negation in it covers: the words after it, or all when few follow
    speaker: frozenset[str]  # name words of who says it (from its own verb of saying or its sentence's)
    opens_with_saying: bool  # "said Harris …", "…, said the mayor": its speaker may be a clause before it
    named: frozenset[str] = frozenset()  # stems of the names in it: a negation covers them too ("not … NATO")


@dataclass(frozen=True)
class _Facts:
    """What a text asserts, in comparable form."""

    tokens: tuple[str, ...]  # lowercased words, in order
    stems: frozenset[str]  # content words that carry the meaning, names aside
    lookup: frozenset[str]  # every content word's stem, names included: what a claim's words are found in
    numbers: frozenset[str]
    dates: frozenset[str]
    names: tuple[tuple[str, ...], ...]  # runs of capitalised words, lowercased ("vladimir", "putin")
    acronyms: frozenset[str]  # words written in capitals ("usps"), for names given by their initials
    clauses: tuple[_Clause, ...]
    actors: frozenset[tuple[str, frozenset[str]]]  # (verb stem, name words): "Hamdok reinstated", "started by eBay"
    bound: frozenset[tuple[str, str]]  # (number, stem of a word next to it): "18,000 babies", "$70 million"

    @property
    def name_words(self) -> frozenset[str]:
        return frozenset(w for run in self.names for w in run)


def judge(claim: str, passage: str, context: str = "") -> Judgement:
    """Whether `passage` supports `claim`. `context` (the article's title and the rest of the passage) can vouch
    for a first name or title before a surname the quote has, never for a fact."""
    known = {w.lower().replace("’", "'").removesuffix("'s") for w in words(_join_initialisms(f"{context} {passage}"))}
    names = _facts(f"{context}. {passage}" if context else passage).name_words
    asserted = _facts(claim, known, names)
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
    asserted = _facts(claim)
    best, best_share = "", 0.0
    for _, sentence in split_sentences(passage):
        found = _facts(sentence)
        if asserted.numbers - found.numbers or asserted.dates - found.dates:
            continue
        if not all(_name_found(run, found, set()) for run in asserted.names):
            continue
        share = (len([s for s in asserted.stems if _stem_found(s, found.lookup)]) / len(asserted.stems)
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


def _compare(asserted: _Facts, quote: str, known: set[str], names: frozenset[str]) -> Judgement:
    found = _facts(quote, known, names)
    reasons = []
    missing_numbers = sorted(asserted.numbers - found.numbers)
    if missing_numbers:
        reasons.append(f"the quote does not give {', '.join(missing_numbers)}")
    missing_dates = sorted(asserted.dates - found.dates)
    if missing_dates:
        reasons.append(f"the quote does not say {', '.join(missing_dates)}")
    missing_names = [" ".join(run) for run in asserted.names if not _name_found(run, found, known)]
    if missing_names:
        reasons.append(f"the quote does not name {', '.join(missing_names)}")
    missing = sorted(s for s in asserted.stems if not _stem_found(s, found.lookup))
    coverage = 1 - len(missing) / len(asserted.stems) if asserted.stems else 1.0
    if coverage < COVERAGE:
        reasons.append(f"the quote does not say {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}")
    reasons += _clause_problems(asserted, found)
    reasons += _role_problems(asserted, found)
    opposite = _opposite_word(asserted, found)
    if opposite:
        reasons.append(f"the quote says the opposite of “{opposite}”")
    return Judgement(not reasons, quote, round(coverage, 3), tuple(reasons))


def _clause_problems(asserted: _Facts, found: _Facts) -> list[str]:
    """Each clause of the claim against the quote: enough of its words, and the same speaker as the clause of
    the quote that says most of the same; and no negation on one side that the other side lacks."""
    problems = []
    for clause in asserted.clauses:
        held = {s for s in clause.stems if _stem_found(s, found.lookup)}
        if len(clause.stems) >= 2 and len(held) / len(clause.stems) < CLAUSE_COVERAGE:
            problems.append(f"the quote does not say “{' '.join(sorted(clause.stems - held))}”")
            continue
        overlap, match = max(
            ((len({s for s in clause.stems if _stem_found(s, q.stems)}), q) for q in found.clauses),
            key=lambda pair: pair[0], default=(0, None),
        )
        if match is None or overlap < min(2, len(clause.stems)) or overlap == 0:
            continue  # no clause of the quote says the same thing: its speaker cannot be compared
        # every speaker the claim names that the quote also names must be among the quote's speakers
        claimed = clause.speaker & found.name_words
        if clause.speaker and match.speaker and not all(_found_among(claimed, match.speaker)):
            problems.append(f"the quote has {' '.join(sorted(match.speaker))} say this, "
                            f"not {' '.join(sorted(clause.speaker))}")
    for negated, plain, side in ((found, asserted, "quote"), (asserted, found, "claim")):
        flipped = _unmatched_negation(negated, plain)
        if flipped:
            problems.append(f"the {side} negates “{' '.join(sorted(flipped))}” and the "
                            f"{'claim' if side == 'quote' else 'quote'} does not")
    return problems


def _unmatched_negation(negated: _Facts, plain: _Facts) -> frozenset[str]:
    """What a negation on one side covers that the other side states without one: most of the covered words
    (names included) in one clause of the other side that is not negated, and no negated clause there holding
    as many of its other words (names aside: "no mention of Beijing" and "mentioned China" may agree)."""
    for clause in negated.clauses:
        scope = clause.negated
        if not scope:
            continue
        def held(other: _Clause, names: bool) -> int:
            return len({s for s in scope if _stem_found(s, other.stems | other.named if names else other.stems)})
        # The other side's plain clauses together: commas split "foreign | and defense ministers" and ", Minsk,"
        # from the words they belong with, and none of those pieces holds the scope alone.
        plain_clauses = [c for c in plain.clauses if not c.negated]
        together = _Clause(frozenset().union(*(c.stems for c in plain_clauses)), frozenset(), frozenset(), False,
                           frozenset().union(*(c.named for c in plain_clauses)))
        most = held(together, True)
        plain_best = held(together, False)
        negated_best = max((held(c, False) for c in plain.clauses if c.negated), default=0)
        if most >= -(-2 * len(scope) // 3) and plain_best > negated_best:
            return scope
    return frozenset()


def _role_problems(asserted: _Facts, found: _Facts) -> list[str]:
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
    return problems


def _sort_key(actor: tuple[str, frozenset[str]]) -> tuple[str, list[str]]:
    return actor[0], sorted(actor[1])


def _found_among(claimed: frozenset[str], quoted: frozenset[str]) -> list[bool]:
    """For each claimed name word, whether the quoted name words hold it, by stem ("Canada" is "Canadian")."""
    stems = frozenset(_stem(w) for w in quoted)
    return [_stem_found(_stem(w), stems) for w in claimed]


def _facts(text: str, known: set[str] | frozenset[str] = frozenset(), known_names: frozenset[str] = frozenset()
           ) -> _Facts:
    """What `text` asserts. `known` holds the passage's words and `known_names` its names: a capitalised first word
    is a name when the passage writes it as one, or when the passage never uses it at all ("Washington has long
    had …": a name the passage would have to give)."""
    text = _join_initialisms(text)
    numbers = {_plain_number(n, scale) for n, scale in _NUMBER.findall(text)}
    dates: set[str] = set()
    names: list[tuple[str, ...]] = []
    clauses: list[_Clause] = []
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
            runs = _name_runs(raw, tokens, opens_sentence=number == 0, known=known, names=known_names)
            negation_at = -1
            speaker: frozenset[str] = frozenset()
            for i, (word, token) in enumerate(zip(raw, tokens)):
                if token in _NUMBER_WORDS and not _pronoun_one(tokens, i):
                    numbers.add(_NUMBER_WORDS[token])
                if token in MONTHS and (token != "may" or word[0].isupper()) and (token != "mar" or word == "Mar"):
                    dates.add(MONTHS[token])
                elif token in DAY_WORDS:
                    dates.add(token)
                elif token in _PERIODS and i and tokens[i - 1] in _RELATIVE:
                    dates.add(f"{tokens[i - 1]} {token}")
                if negation_at < 0 and _negates(tokens, i):
                    negation_at = i
                if token in _SAYING and not speaker:
                    speaker = _speaker_near(raw, tokens, i)
            names += [run for _, run in runs]
            name_stems = {_stem(w) for _, run in runs for w in run}
            stems = frozenset({_stem(_unword(t) or t) for t in tokens if _carries_meaning(t)} - name_stems)
            scope = _negation_scope(tokens, negation_at, stems | name_stems)
            sentence_clauses.append(_Clause(stems, scope, speaker, bool(tokens) and tokens[0] in _SPOKEN,
                                            frozenset(name_stems)))
            actors |= _actors(raw, tokens, runs)
            if runs and runs[0][0] == 0 and len(runs[0][1]) == len(tokens):
                opener = frozenset(runs[0][1])  # a name alone between commas: "Chris Herd, curator …,"
            elif opener and tokens and _is_verb(tokens[0], False):
                actors.add((_stem(tokens[0]), opener))  # "…, received samples"
                opener = frozenset()
            bound |= _bound_numbers(piece)
            tokens_seen += tokens
        clauses += _share_speakers(_appositive_speakers(sentence, sentence_clauses))
    stems = frozenset(s for c in clauses for s in c.stems)
    lookup = frozenset({_stem(_unword(t) or t) for t in tokens_seen if _carries_meaning(t)}
                       | {_stem(w) for r in names for w in r})
    return _Facts(tuple(tokens_seen), stems, lookup, frozenset(numbers), frozenset(dates),
                  tuple(dict.fromkeys(names)), frozenset(acronyms), tuple(clauses), frozenset(actors),
                  frozenset(bound))


def _negation_scope(tokens: list[str], at: int, stems: frozenset[str]) -> frozenset[str]:
    """The stems a negation at `at` covers: those after it in its clause, or the whole clause when fewer than
    two follow ("evacuation orders have not been issued")."""
    if at < 0:
        return frozenset()
    after = frozenset(_stem(_unword(t) or t) for t in tokens[at:] if _carries_meaning(t) or _unword(t)) & stems
    return after if len(after) >= 2 else stems


def _actors(raw: list[str], tokens: list[str], runs: list[tuple[int, tuple[str, ...]]]) -> set:
    """(verb stem, doer) pairs of a clause: a name right before a word ("Hamdok reinstated", "Spirit will have
    to pay"), or "by" and a name right after one ("started by eBay"). Verbs of saying are the speaker's."""
    found = set()
    for at, run in runs:
        j = at + len(run)
        helped = False
        while j < len(tokens) and tokens[j] in _AUXILIARIES | {"to", "will", "have", "be", "first"}:
            helped, j = helped or tokens[j] not in ("then", "also", "first"), j + 1
        if (j < len(tokens) and _is_verb(tokens[j], helped) and not _is_name(raw[j], False)
                and tokens[at + len(run)] not in ("was", "were", "is", "are")):
            found.add((_stem(tokens[j]), frozenset(run)))
        k = at - 1
        while k > 0 and tokens[k] in ("the", "late", "former", "a"):
            k -= 1
        if k >= 1 and tokens[k] == "by" and _carries_meaning(tokens[k - 1]) and tokens[k - 1].endswith(("ed", "en")):
            found.add((_stem(tokens[k - 1]), frozenset(run)))
    return found


def _is_verb(token: str, helped: bool) -> bool:
    """A word that reads as what a name did: past tense ("reinstated"), or any word after an auxiliary
    ("will have to pay"). Verbs of saying belong to the speaker check."""
    return _carries_meaning(token) and token not in _SAYING and (helped or token.endswith("ed"))


def _bound_numbers(clause: str) -> set[tuple[str, str]]:
    """(number, stem of what it counts) in a clause: the content word right after it ("9,000 babies"), and
    after a unit the word that says of what ("12 years in prison")."""
    bound = set()
    for match in _NUMBER.finditer(clause):
        number = _plain_number(match.group(1).rstrip(".,"), match.group(2) or "")
        after = [w.lower() for w in words(clause[match.end() :])][:4]
        counted = [(i, w) for i, w in enumerate(after) if _carries_meaning(w) and not w[0].isdigit()]
        if not counted or counted[0][0] > 1:
            continue
        at, word = counted[0]
        bound.add((number, _stem(word)))
        if _stem(word) in _UNITS and len(counted) > 1 and counted[1][0] <= at + 2:
            bound.add((number, _stem(counted[1][1])))
    return bound


def _opens_with_name(raw: list[str], tokens: list[str], known=frozenset(), names=frozenset()) -> bool:
    """Whether a sentence's capitalised first word is a name: the passage writes it as one, another name
    follows it ("Randal Kolo Muani"), a verb of saying does ("Peskov said", "Russia has announced"), or the
    passage never uses the word (a name it would have to give: "Washington has long had …")."""
    if not raw or not _is_name(raw[0], False):
        return False
    if tokens[0] in names:
        return True
    if known and tokens[0] not in known and _stem(tokens[0]) not in {_stem(k) for k in known} and not tokens[0].endswith("ing"):
        return True
    if len(raw) < 2:
        return False
    if _is_name(raw[1], False):
        return True
    following = [t for t in tokens[1:4] if t not in _AUXILIARIES]
    return bool(following) and following[0] in _SAYING


def _appositive_speakers(sentence: str, clauses: list[_Clause]) -> list[_Clause]:
    """"Todd Pugh, Harris' attorney, said …": a clause that opens with a verb of saying and names nobody before
    it is said by the name that opens the sentence."""
    if not any(c.opens_with_saying and not c.speaker for c in clauses) or clauses[0].stems:
        return clauses
    first = _clause_texts(sentence)[0]
    raw = words(first)
    runs = _name_runs(raw, [w.lower().removesuffix("'s") for w in raw], opens_sentence=False)
    if not runs or runs[0][0] > 1:
        return clauses
    opener = frozenset(runs[0][1])
    return [replace(c, speaker=opener) if c.opens_with_saying and not c.speaker else c for c in clauses]


def _share_speakers(clauses: list[_Clause]) -> list[_Clause]:
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


def _clause_texts(sentence: str) -> list[str]:
    """The clauses of a sentence: split at commas, dashes, brackets and colons, before a clause word, and
    before "and" with a lowercase word after it ("and earned", not "Meloni and Salvini")."""
    pieces = []
    for part in _CLAUSE_BREAK.split(sentence):
        current: list[str] = []
        for word in part.split():
            bare = word.lower().strip(".,;:!?\"“”'’")
            if current and (bare in _CLAUSE_WORDS or (current[-1].lower() == "and" and word[:1].islower())):
                pieces.append(" ".join(current[:-1] if bare not in _CLAUSE_WORDS else current))
                current = []
            current.append(word)
        pieces.append(" ".join(current))
    return [p for p in pieces if words(p)]


def _negates(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    if token.endswith("n't") or _unword(token):
        return True
    before = tokens[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if token in _GIVING_UP or (token == "up" and before in _GIVE):
        return True
    if token in _NEGATING_VERBS:
        return any(t == "to" or t.endswith("ing") for t in tokens[i + 1 : i + 3])
    if token not in _NEGATIONS:
        return False
    # "whether or not" asks, "No. 2" counts, "not only" adds: none of them negates
    return not (before == "or" or (token == "no" and after[:1].isdigit()) or (token == "not" and after == "only"))


def _name_runs(raw: list[str], tokens: list[str], opens_sentence: bool, known=frozenset(), names=frozenset()
               ) -> list[tuple[int, tuple[str, ...]]]:
    """(position, run) for each run of capitalised name words in a clause."""
    runs, run, at = [], [], 0
    for i, word in enumerate(raw):
        opening = opens_sentence and i == 0 and not _opens_with_name(raw, tokens, known, names)
        if _is_name(word, opening):
            if not run:
                at = i
            run.append(tokens[i])
        elif run:
            runs.append((at, tuple(run)))
            run = []
    if run:
        runs.append((at, tuple(run)))
    return runs


def _unword(token: str) -> str:
    """The word an "un-" word negates ("unclear": "clear"), or "" for the words that only start with "un"."""
    if len(token) >= 6 and token.startswith("un") and not token.startswith(_NOT_UN) and token not in ("uncle", "uncles"):
        return token[2:]
    return ""


def _carries_meaning(token: str) -> bool:
    return (len(token) > 1 and not token.isdigit() and token not in STOPWORDS and token not in _LIGHT
            and token not in _SAYING and token not in _NEGATIONS and token not in _NEGATING_VERBS
            and token not in _GIVING_UP
            and token not in _NUMBER_WORDS and token not in MONTHS and token not in DAY_WORDS
            and not token.endswith("n't"))


def _pronoun_one(tokens: list[str], i: int) -> bool:
    """"one" that counts nothing: "no one", "one of them", "one another"."""
    if tokens[i] != "one":
        return False
    before = tokens[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return before in ("no", "any", "every", "some", "the", "this", "that") or after in ("of", "another")


def _join_initialisms(text: str) -> str:
    """U.S. and U.N. as the single words US and UN; "No. 2" as "No 2", a rank, not a sentence's end."""
    text = re.sub(r"\b(?:[A-Z]\.){2,}", lambda m: m.group().replace(".", ""), text)
    return re.sub(r"\b(No|no)\.\s*(?=\d)", r"\1 ", text)


def _plain_number(number: str, scale: str = "") -> str:
    """1,000 and 1000 alike, 7.0 and 7 alike, $12.6 million and $12,600,000 alike; 8:43 stays a time."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", number):
        number = number.replace(",", "")
    if scale and re.fullmatch(r"\d+(?:\.\d+)?", number):
        return str(round(float(number) * _SCALES[scale.lower()]))
    if re.fullmatch(r"\d+\.0+", number):
        number = number.split(".")[0]
    return number.lstrip("0") or "0"


def _is_name(word: str, first_of_sentence: bool) -> bool:
    """A capitalised word that names someone or something. A sentence's first word is capitalised anyway, so
    there only an all-capitals word (NATO) counts; the coverage check sees the rest."""
    lowered = word.lower().replace("’", "'").removesuffix("'s")
    if not (word[0].isupper() or (word[0].islower() and any(c.isupper() for c in word[1:]))) or lowered in _NOT_NAMES:
        return False  # a name is capitalised, or written like "eBay"
    if len(word) > 1 and word.isupper():  # NATO, US: a name even where a lowercase "us" is a pronoun
        return True
    if lowered in STOPWORDS or lowered in _LIGHT:
        return False
    if lowered in MONTHS or lowered in DAY_WORDS or lowered in _NUMBER_WORDS:
        return False
    return not first_of_sentence


def _run_at(raw: list[str], tokens: list[str], at: int) -> list[str]:
    """The name that starts at `at`, read past titles inside it ("NASA Deputy Administrator Pam Melroy")."""
    run = []
    for j in range(at, len(raw)):
        if _is_name(raw[j], False):
            run.append(tokens[j])
        elif not (raw[j][0].isupper() and tokens[j] in _NOT_NAMES):
            break
    return run


def _speaker_near(raw: list[str], tokens: list[str], at: int) -> frozenset[str]:
    """The name that says the verb at `at`: "Peskov said", "Dmitry Peskov told", "said Peskov", "according to
    the Interior Ministry". A pronoun names nobody, so "he said" gives an empty set."""
    if tokens[at] == "according":
        for j in range(at + 1, min(len(raw), at + 8)):
            if _is_name(raw[j], False):
                return frozenset(_run_at(raw, tokens, j))
        return frozenset()
    if at and tokens[at - 1] in ("was", "were", "been", "be", "being", "is", "are"):
        return frozenset()  # "Ukraine was asked": the name is who was asked; a "by NAME" is the asker
    for j in range(at - 1, max(-1, at - 4), -1):
        if tokens[j] in ("he", "she", "they", "it", "we", "i"):
            return frozenset()
        if _is_name(raw[j], False):
            start = j  # back over the whole name and any names joined to it ("Meloni and Salvini")
            while start > 0 and (raw[start - 1][0].isupper() or (tokens[start - 1] == "and" and start > 1
                                                                   and _is_name(raw[start - 2], False))):
                start -= 1
            if start and tokens[start - 1] in ("of", "for", "at", "in", "from", "with", "on"):
                return frozenset()  # "the maker of Batiste products said": Batiste is not who spoke
            return frozenset(t for w, t in zip(raw[start : j + 1], tokens[start : j + 1]) if _is_name(w, False))
    if at + 1 < len(raw) and _is_name(raw[at + 1], False):
        run = _run_at(raw, tokens, at + 1)
        if at + 1 + len(run) >= len(raw) - 1:  # "…,” said Peskov." but not "said Harris is grateful"
            return frozenset(run)
    return frozenset()


def _name_found(run: tuple[str, ...], found: _Facts, known: set[str]) -> bool:
    """A name of the claim is in the quote: each word, or its usual short form, or its initials (USPS for
    "Postal Service"); a first name or title may come from elsewhere in the article when the surname is here."""
    tokens = set(found.tokens)

    def word_found(word: str) -> bool:
        return (word in tokens or _stem(word) in found.lookup or any(a in tokens for a in _ALIASES.get(word, ()))
                or any(word in aliases and short in tokens for short, aliases in _ALIASES.items())
                or _initials_in(word, found))

    if all(word_found(w) for w in run):
        return True
    initials = "".join(w[0] for w in run if w not in ("of", "the", "and"))
    if len(initials) >= 2 and any(initials in acronym for acronym in found.acronyms):
        return True
    return word_found(run[-1]) and all(w in known for w in run)


def _initials_in(acronym: str, found: _Facts) -> bool:
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


def _opposite_word(asserted: _Facts, found: _Facts) -> str:
    """A word of the claim whose opposite the quote uses instead ("rose" where the quote has "fell")."""
    claimed = {_stem(t): t for t in asserted.tokens}
    quoted = {_stem(t) for t in found.tokens}
    for stem, token in claimed.items():
        opposite = _opposite_stems().get(stem)
        if opposite and opposite & quoted and stem not in quoted:
            return token
    return ""


@cache
def _opposite_stems() -> dict[str, set[str]]:
    opposites: dict[str, set[str]] = {}
    for a, b in _OPPOSITES:
        opposites.setdefault(_stem(a), set()).add(_stem(b))
        opposites.setdefault(_stem(b), set()).add(_stem(a))
    return opposites


def _stem(word: str) -> str:
    """A word's comparable form: its Snowball stem cut to six letters, so a paraphrase's "abandoned" meets the
    article's "abandon", "posing" meets "poses" and "Ukrainian" meets "Ukraine"."""
    return _stemmer().stemWord(word.lower().replace("’", "'").removesuffix("'s"))[:6]


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def _stem_found(stem: str, stems: frozenset[str]) -> bool:
    if stem in stems or (len(stem) >= 5 and any(s[:5] == stem[:5] for s in stems if len(s) >= 5)):
        return True
    return bool(_synonym_stems().get(stem, set()) & stems)


@cache
def _synonym_stems() -> dict[str, set[str]]:
    synonyms: dict[str, set[str]] = {}
    for group in _SYNONYMS:
        stems = {_stem(w) for w in group}
        for stem in stems:
            synonyms.setdefault(stem, set()).update(stems - {stem})
    return synonyms
