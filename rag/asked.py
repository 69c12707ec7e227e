"""What a question asks for, and whether an answer gives it.

A question that names its kind of answer ("How many …", "In which year …", "Which official …") is answered only by
text that holds an answer of that kind which the question did not already give. Without this check a near-miss
question (the topic is in the articles, the asked fact is not) is answered with the nearest sentence on the topic:
"How many Russian tanks were seen entering Kyiv?" with "Russian tanks were then seen entering the city".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.countries import countries_in
from rag.period import RELATIVE_PERIOD
from rag.support import judge
from rag.text import DAY_WORDS, MONTHS, STOPWORDS, split_sentences, words

COUNT, YEAR, MONTH, DATE, TIME, PERSON, COUNTRY, NAME, REASON = (
    "count", "year", "month", "date", "time", "person", "country", "name", "reason")

# A word between "which" and the noun it asks about: "which Biden administration official", not "which virus is
# making officials".
_NOT_A_VERB = r"(?:(?!(?:is|are|was|were|did|does|do|has|have|had|will|would)\b)\w+\s+)"
_ASKS = [  # (pattern on the lowered question, kind): the first that matches decides
    (re.compile(r"\b(?:what|which|at)\s+(?:exact\s+)?time\b|\bexactly\s+what\s+time\b|\bwhat\s+hour\b"), TIME),
    (re.compile(r"\b(?:what|which)\s+year\b|\bin\s+what\s+year\b"), YEAR),
    (re.compile(r"\b(?:what|which)\s+month\b"), MONTH),
    (re.compile(r"\bhow\s+(?:many|much)\b|\bwhat\s+(?:number|percentage|share|proportion|amount|sum)\b|"
                r"\bwhat\s+(?:is|was)\s+the\s+(?:total\s+)?(?:number|value|cost|price|amount|toll)\b"), COUNT),
    # "when" asks only where it opens a question, not in "Why did Russia drop … when it offered talks?"
    (re.compile(r"\b(?:what|which)\s+(?:date|day)\b|(?:^|[.!?:]\s+|\band\s+)when\b"), DATE),
    # "Who is Peskov?" asks for a description and "Who did he say was the target?" may be answered "me": neither
    # needs a name; "Who used a video address …" does
    (re.compile(r"\bnames?\s+of\b|\bwho\s+(?!(?:is|was|are|were|did|does|do|has|had|have|will|would)\b)\w+|"
                r"\bwhich\s+" + _NOT_A_VERB + r"{0,3}?(?:officials?|ministers?|generals?|spokes(?:man|woman|person)|"
                r"leaders?|commanders?|ambassadors?|presidents?|chancellor|mayor|governor|chief|executives?|ceo|"
                r"wife|husband|son|daughter|players?|coach|singer|actor|actress|judge|senators?|lawmakers?)\b"),
     PERSON),
    # a country is named by a country ("Iranian lawmakers" names Iran; "South Carolina", a state, does not)
    (re.compile(r"\b(?:which|what)\s+" + _NOT_A_VERB + r"{0,2}?(?:countries|country|nations?)\b(?!\s+music)"),
     COUNTRY),
    # things that have names ("Which university …", "Which band …"); not "which product" (dry shampoo, baby wipes)
    (re.compile(r"\bwhich\s+" + _NOT_A_VERB + r"{0,2}?(?:city|cities|town|district|region|province|state|country|"
                r"countries|nation|company|companies|banks?|bloc|teams?|party|airline|agency|newspaper|"
                r"universit(?:y|ies)|college|school|band|group|show|series|film|movie|brands?|storm|"
                r"hurricane|network|league|club|organi[sz]ation|retailers?|chain|stores?|supermarkets?|automaker|"
                r"carmaker|carrier|platform|app|website|island|county|capital|restaurant|firm|manufacturer|channel|"
                r"museum|stadium|airport|magazine|character)\b"),
     NAME),
    # a reason, asked only where no other kind is: "Why were some Kia and Hyundai SUVs recalled?", "… due to what?"
    (re.compile(r"\bwhy\b|\b(?:due|owing)\s+to\s+what\b|\bbecause\s+of\s+what\b|\bfor\s+what\s+reason\b|"
                r"(?:^|[.!?]\s+)what\s+(?:caused|causes|is\s+causing|led\s+to|prompted)\b"), REASON),
]
# The person a PERSON question asks about is named by a role the answer must also use ("Which Western officials
# said …": an answer naming a Kremlin spokesman does not say which officials).
_ROLES = {"official", "minister", "general", "spokesman", "spokeswoman", "spokesperson", "leader", "commander",
          "ambassador", "president", "chancellor", "mayor", "governor", "chief", "executive", "ceo", "wife",
          "husband", "son", "daughter", "coach", "judge", "senator", "lawmaker"}
_COUNT_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion",
                "billions", "trillion", "half", "third", "quarter", "twenty", "thirty", "forty", "fifty", "sixty",
                "seventy", "eighty", "ninety", "single", "double", "twice", "none"}
# A how-much question that asks a price or a sum of money is answered by money: "they come in servings of eight,
# 12 or 36 pieces" holds numbers but says no price.
_ASKS_MONEY = re.compile(r"\bhow\s+much\b[^?]*?\b(?:costs?|pays?|paid|charged?|sell\s+for|sold\s+for|worth|earn(?:s|ed)?|"
                         r"fined|owed?)\b|\bhow\s+much\s+(?:money|cash)\b", re.IGNORECASE)
_MONEY = re.compile(r"[$€£¥₹]|\b(?:dollars?|euros?|pounds?|yuan|yen|rupees?|r[o]?ubles?|francs?|cents?|pesos?|usd|eur|"
                    r"gbp)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_CLOCK = re.compile(r"\b\d{1,2}(?::\d\d)?\s*(?:a\.?m\b\.?|p\.?m\b\.?|o'clock|gmt|utc|[ce][sd]?t\b)|\b\d{1,2}:\d\d\b|"
                    r"\b(?:midnight|noon|midday)\b", re.IGNORECASE)
_RELATIVE = re.compile(r"\b(?:last|this|next|earlier this|later this)\s+(?:week|month|year|weekend)\b|"
                       r"\b(?:a\s+few|several|a\s+couple\s+of|\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                       r"(?:days?|weeks?|months?|years?)\b", re.IGNORECASE)
_AUXILIARIES = {"were", "was", "are", "is", "did", "do", "does", "have", "has", "had", "will", "would", "can",
                "could", "should", "since", "during", "per", "each"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Capitalised words that are not names of what a question asks about.
_NOT_NAMES = {"the", "a", "an", "in", "on", "at", "but", "and", "he", "she", "it", "they", "we", "i", "his", "her",
              "their", "this", "that", "after", "before", "when", "while", "as", "mr", "mrs", "ms", "dr", "if",
              "there", "for", "of", "to", "by", "with", "from", "so", "our", "my", "you", "what", "who", "which"}


# Words that give a reason or a purpose ("recalled over a fire risk", "because …", "to avoid …"); a why-question's
# answer that holds none, and only restates what the question took as given, does not say why.
_REASON_WORDS = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|thanks\s+to|caus(?:e|es|ed|ing)|as\s+a\s+result|result(?:s|ed)?\s+(?:of|from)|"
    r"after|amid|following|since|so\s+that|therefore|hence|in\s+order\s+to|in\s+(?:a|an)\s+(?:bid|effort|attempt)|"
    r"aim(?:s|ed)?\s+to|meant\s+to|risks?|fears?|feared|concerns?|concerned|worr(?:y|ies|ied)|reasons?|"
    r"blam(?:e|es|ed)|(?:led|leads?|leading)\s+to|could|might|(?-i:may)|"
    r"over(?!\s+(?:\$|\d|the\s+(?:weekend|past|last|next)\b))|"
    r"to\s+(?:avoid|prevent|protect|help|stop|reduce|ensure|save|curb|counter|neutrali[sz]e|fight|boost))\b",
    re.IGNORECASE)
# A why-question's opening, left out of what it takes as given: "Why did …", "… due to what?", "What caused …".
_WHY_OPENING = re.compile(r"^\W*why\s+(?:(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could)\b)?\s*|"
                          r"^\W*what\s+(?:caused|causes|is\s+causing|led\s+to|prompted)\s+|"
                          r"\s*\b(?:due\s+to|owing\s+to|because\s+of)\s+what\W*$|\s*\bfor\s+what\s+reason\W*$",
                          re.IGNORECASE)
# Words that say "no other": a premise that holds one is taken as given only by a text that says it too ("only its
# foreign minister" is not what "its foreign and defense ministers" says).
_RESTRICTIVE = {"only", "just", "single", "sole", "solely", "alone", "all", "every", "entire", "whole"}

# A question that asks which news outlet: its answer may be one of the passages' sources.
_ASKS_OUTLET = re.compile(r"\b(?:network|newspaper|channel|magazine|outlet|broadcaster|station|agency|paper)s?\b",
                          re.IGNORECASE)

# A numbered label: "target number two", "the No. 2 target", "#2".
LABEL = re.compile(r"(?:\bnumber|\bno\.|#)\s?(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b",
                   re.IGNORECASE)
_DIGITS = {w: str(n) for n, w in enumerate(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                                            "ten"), start=1)}
# A question that asks who or what holds something ("Whom did he say was target number two?"), not why or whether.
_ASKS_WHICH = re.compile(r"^\W*(?:who|whom|what|which)\b", re.IGNORECASE)


def labels(text: str) -> set[str]:
    """The numbered labels a text names, as digits: "target number two" and "the No. 2 target" both give {"2"}."""
    return {_DIGITS.get(m.group(1).lower(), m.group(1)) for m in LABEL.finditer(text)}


def other_label(question: str, text: str) -> str:
    """Why `text` answers about another numbered label than the one `question` asks who or what holds ("" when
    it does not): "the enemy designated me as target number one" does not say who is target number two. A "why"
    question's label is a premise, which an answer may correct."""
    asked, given = labels(question), labels(text)
    if not _ASKS_WHICH.match(question) or not asked or not given or asked & given:
        return ""
    return f"the question asks about number {', '.join(sorted(asked))} and the answer speaks of number " \
           f"{', '.join(sorted(given))}"


def asked_kind(question: str) -> str | None:
    """The kind of answer a question names, or None when it names none ("Why …", "What did … say …")."""
    lowered = re.sub(r"\bWHO\b", "the health agency", question).lower().replace("’", "'")  # not "who"
    for pattern, kind in _ASKS:
        if pattern.search(lowered):
            return kind
    return None


def gives(kind: str | None, question: str, text: str, context: str = "", outlets: Iterable[str] = ()) -> bool:
    """Whether `text` holds an answer of `kind` that `question` did not already hold. `context` (the passages the
    text comes from) tells a name that opens a sentence from a common word; `outlets` (the passages' sources) are
    who reported, not an answer ("… CNN projects" names no state), unless the question asks for a news outlet."""
    if kind is None:
        return True
    if kind == REASON:
        # a correction of the premise ("Ukraine said it had severed all diplomatic ties") answers too
        statement = premise(question)
        return bool(reasons_given(statement, text)) or not takes_premise(statement, text)
    if kind == COUNT:
        counted = _counted(question)
        # "How many Russian soldiers …" is not answered by a count that names no Russia: "Ukraine has announced
        # at least 137 people – civilians and soldiers – have been killed"
        countries = countries_in(" ".join(counted))
        return (bool(asked_facts(kind, question, text)) and (not counted or _mentions(text, counted[-1]))
                and (not countries or bool(countries & countries_in(text)))
                and (not _ASKS_MONEY.search(question) or bool(_MONEY.search(text))))
    if kind == PERSON:
        asked = [w.lower() for w in words(question)]
        roles = {_singular(w) for w in asked} & _ROLES
        if roles:
            # the name stands beside the role ("Kremlin spokesman Dmitry Peskov", "Peskov, the spokesman"); a
            # question that does not ask for a name may be answered by what kind ("its foreign and defense
            # ministers" for "Which ministers …"), not by the question's own words ("the Biden administration
            # official" for "Which Biden administration official …")
            tokens = [_singular(w.lower()) for w in words(text)]
            at = [j for j, t in enumerate(tokens) if t in roles]
            new = _new_names(question, text, context, outlets)
            if any(-3 <= i - j <= 2 for i, _ in new for j in at):
                return True
            described = "name" not in asked and "names" not in asked and any(
                t not in STOPWORDS and not any(same_word(t, w) for w in asked)
                for j in at for t in tokens[max(j - 3, 0):j])
            return described
    return bool(asked_facts(kind, question, text, context, outlets))


def reasons_given(statement: str, text: str) -> set[str]:
    """The words of `text` that give a reason or a purpose and `statement`, what a why-question takes as given
    (premise()), did not hold, lowered ("risk", "because"): "caused" answers "What caused the bridge to fail?",
    not "after" for "Why did Ukraine cut ties after the attack?"."""
    found = {m.group().lower() for m in _REASON_WORDS.finditer(text)}
    return found - {m.group().lower() for m in _REASON_WORDS.finditer(statement)}


def premise(question: str) -> str:
    """What a why-question takes as given, as a statement: "Why were some Kia and Hyundai SUVs recalled this
    week?" -> "some Kia and Hyundai SUVs recalled"; for "… known as a palindrome date. Why?", the sentences before.
    The question's own period ("this week") is left out: it is when the articles searched were published."""
    parts = [sentence for _, sentence in split_sentences(question)]
    if len(parts) > 1 and re.fullmatch(r"\W*why\W*", parts[-1], re.IGNORECASE):
        statement = " ".join(parts[:-1])
    else:
        statement = next((p for p in parts if _WHY_OPENING.search(p)), question)
        statement = _WHY_OPENING.sub("", statement)
    statement = re.sub(r"(?:,\s*)?\b(?:earlier\s+|later\s+)?" + RELATIVE_PERIOD.pattern, "", statement,
                       flags=re.IGNORECASE)
    return statement.strip().rstrip("?").strip()


def takes_premise(statement: str, text: str) -> bool:
    """Whether `text` says `statement`, what a why-question takes as given (premise()), by the claim check: "Many
    Americans are bracing … to keep their homes warm this winter" for "Many Americans likely shell out more money
    to keep their homes warm this winter due to what?". A text that gives another number, day, name or polarity
    does not: it corrects the question."""
    restricted = {w.lower() for w in words(statement)} & _RESTRICTIVE
    if restricted - {w.lower() for w in words(text)}:
        return False
    return bool(statement) and judge(statement, text).supported


def asked_facts(kind: str | None, question: str, text: str, context: str = "", outlets: Iterable[str] = ()
                ) -> set[str]:
    """The answers of `kind` that `text` gives and `question` did not hold, lowered: names ("pfizer"), counts
    ("41.4", "billion"), years, months, days or times; none for a question that names no kind. `context` and
    `outlets` as in gives()."""
    if kind == COUNT:
        return counts_in(text) - counts_in(question)
    if kind == YEAR:
        return set(_YEAR.findall(text)) - set(_YEAR.findall(question))
    if kind == MONTH:
        return _months(text) - _months(question)
    if kind == TIME:
        return {m.group().lower() for m in _CLOCK.finditer(text)}
    if kind == DATE:
        return _dates(text) - _dates(question)
    if kind in (PERSON, NAME):
        return {name for _, name in _new_names(question, text, context, outlets)}
    if kind == COUNTRY:
        return {country.lower() for country in countries_in(text) - countries_in(question)}
    return set()


def _new_names(question: str, text: str, context: str, outlets: Iterable[str]) -> list[tuple[int, str]]:
    """(position, lowered name) of the names in `text` that `question` does not hold."""
    asked = [w.lower() for w in words(question)]
    common = frozenset(w.lower() for w in words(f"{text} {context}") if w.islower())
    # a day or month is when, not who or which ("The boil water notice was issued Sunday" names no city)
    not_names = DAY_WORDS | set(MONTHS)
    if not _ASKS_OUTLET.search(question):
        not_names |= {w.lower() for outlet in outlets for w in words(outlet)}
    return [(i, name) for i, name in capitalised_names(text, common)
            if name not in not_names and not any(same_word(name, w) for w in asked)]


def counted_noun(question: str) -> str:
    """What a how-many question counts, its last word before the verb: "How many Russian soldiers were killed" →
    soldiers. An answer must count the same thing: "137 people were killed" does not say how many soldiers."""
    counted = _counted(question)
    return counted[-1] if counted else ""


def _counted(question: str) -> list[str]:
    """The words of what a how-many question counts, up to the verb: "Russian soldiers"."""
    match = re.search(r"\bhow\s+(?:many|much)\s+(.*)", question.replace("’", "'"), re.IGNORECASE)
    counted = []
    for word in words(match.group(1)) if match else []:
        if word.lower() in STOPWORDS or word.lower() in _AUXILIARIES:
            break
        counted.append(word)
    return counted


def _mentions(text: str, word: str) -> bool:
    return any(same_word(word.lower(), w.lower()) for w in words(text))


def same_word(a: str, b: str) -> bool:
    """One word in two forms: "Russia" and "Russian", "soldier" and "soldiers" (a shared five-letter start, or
    the whole of a shorter word)."""
    a, b = a.replace("’", "'").removesuffix("'s"), b.replace("’", "'").removesuffix("'s")
    if min(len(a), len(b)) < 5:
        return _singular(a) == _singular(b)
    return a[:5] == b[:5]


def _lowered(text: str) -> set[str]:
    return {w.lower().replace("’", "'").removesuffix("'s") for w in words(text)}


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def counts_in(text: str) -> set[str]:
    """Numbers in a text, years aside (a count is not a year: "annexed in 2014" says no how-many)."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(text)} - set(_YEAR.findall(text))
    return numbers | (_lowered(text) & _COUNT_WORDS)


def _dates(text: str) -> set[str]:
    lowered = _lowered(text)
    found = (lowered & DAY_WORDS) | _months(text) | set(_YEAR.findall(text))
    found |= {m.group().lower() for m in _RELATIVE.finditer(text)} | {m.group().lower() for m in _CLOCK.finditer(text)}
    return found


def _months(text: str) -> set[str]:
    """Month names; "may" and "march" only when capitalised (in lower case they are the verbs)."""
    return {w.lower() for w in words(text)
            if w.lower() in MONTHS and (w[0].isupper() or w.lower() not in ("may", "march"))}


def capitalised_names(text: str, common: frozenset[str] | None = None) -> list[tuple[int, str]]:
    """(word position, lowered word) of the capitalised words of a text ("Minsk", "Peskov"). A sentence's first
    word is one only when `common` is given and does not hold it (the words the text or its passages write in
    lower case): "Zelensky used a video address" names Zelensky, "Explosions jolted the city" names nothing."""
    found = []
    previous = "."
    position = 0
    for word in re.findall(r"[^\W_]+(?:['’][^\W_]+)?|[.!?:;“”\"]", text):
        if not word[0].isalnum():
            previous = word
            continue
        lowered = word.lower().replace("’", "'").removesuffix("'s")
        opens = previous in ".!?:;“\""
        if (word[0].isupper() and lowered not in _NOT_NAMES
                and (not opens or (common is not None and lowered not in common and lowered not in STOPWORDS))):
            found.append((position, lowered))
        previous = "w"
        position += 1
    return found
