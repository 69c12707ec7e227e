"""Names in a sentence and what they do in it: which capitalised words name someone, who says a clause
("Peskov said", "according to the Interior Ministry") and who did what ("Hamdok reinstated", "started by eBay").
"""

from __future__ import annotations

from rag.claim_words import (AUXILIARIES, IRREGULAR_PAST, LIGHT, NOT_NAMES, NUMBER_WORDS, SAYING, carries_meaning,
                              short_stem)
from rag.text import DAY_WORDS, MONTHS, STOPWORDS


def is_name(word: str, first_of_sentence: bool) -> bool:
    """A capitalised word that names someone or something. A sentence's first word is capitalised anyway, so
    there only an all-capitals word (NATO) counts; the coverage check sees the rest."""
    lowered = word.lower().replace("’", "'").removesuffix("'s")
    if not (word[0].isupper() or (word[0].islower() and any(c.isupper() for c in word[1:]))) or lowered in NOT_NAMES:
        return False  # a name is capitalised, or written like "eBay"
    if len(word) > 1 and word.isupper():  # NATO, US: a name even where a lowercase "us" is a pronoun
        return True
    if lowered in STOPWORDS or lowered in LIGHT:
        return False
    if lowered in MONTHS or lowered in DAY_WORDS or lowered in NUMBER_WORDS:
        return False
    return not first_of_sentence


def name_runs(raw: list[str], tokens: list[str], opens_sentence: bool, known=frozenset(), names=frozenset()
              ) -> list[tuple[int, tuple[str, ...]]]:
    """(position, run) for each run of capitalised name words in a clause."""
    runs, run, at = [], [], 0
    for i, word in enumerate(raw):
        opening = opens_sentence and i == 0 and not _opens_with_name(raw, tokens, known, names)
        if is_name(word, opening):
            if not run:
                at = i
            run.append(tokens[i])
        elif run:
            runs.append((at, tuple(run)))
            run = []
    if run:
        runs.append((at, tuple(run)))
    return runs


def _opens_with_name(raw: list[str], tokens: list[str], known=frozenset(), names=frozenset()) -> bool:
    """Whether a sentence's capitalised first word is a name: the passage writes it as one, another name
    follows it ("Randal Kolo Muani"), a verb of saying does ("Peskov said", "Russia has announced"), or the
    passage never uses the word (a name it would have to give: "Washington has long had …")."""
    if not raw or not is_name(raw[0], False):
        return False
    if tokens[0] in names:
        return True
    if (known and tokens[0] not in known and short_stem(tokens[0]) not in {short_stem(k) for k in known}
            and not tokens[0].endswith("ing")):
        return True
    if len(raw) < 2:
        return False
    if is_name(raw[1], False):
        return True
    following = [t for t in tokens[1:4] if t not in AUXILIARIES]
    return bool(following) and following[0] in SAYING


def _run_at(raw: list[str], tokens: list[str], at: int) -> list[str]:
    """The name that starts at `at`, read past titles inside it ("NASA Deputy Administrator Pam Melroy")."""
    run = []
    for j in range(at, len(raw)):
        if is_name(raw[j], False):
            run.append(tokens[j])
        elif not (raw[j][0].isupper() and tokens[j] in NOT_NAMES):
            break
    return run


def speaker_near(raw: list[str], tokens: list[str], at: int) -> frozenset[str]:
    """The name that says the verb at `at`: "Peskov said", "Dmitry Peskov told", "said Peskov", "according to
    the Interior Ministry". A pronoun names nobody, so "he said" gives an empty set."""
    if tokens[at] == "according":
        for j in range(at + 1, min(len(raw), at + 8)):
            if is_name(raw[j], False):
                return frozenset(_run_at(raw, tokens, j))
        return frozenset()
    if at and tokens[at - 1] in ("was", "were", "been", "be", "being", "is", "are"):
        return frozenset()  # "Ukraine was asked": the name is who was asked; a "by NAME" is the asker
    for j in range(at - 1, max(-1, at - 4), -1):
        if tokens[j] in ("he", "she", "they", "it", "we", "i"):
            return frozenset()
        if is_name(raw[j], False):
            start = j  # back over the whole name and any names joined to it ("Meloni and Salvini")
            while start > 0 and (raw[start - 1][0].isupper() or (tokens[start - 1] == "and" and start > 1
                                                                   and is_name(raw[start - 2], False))):
                start -= 1
            if start and tokens[start - 1] in ("of", "for", "at", "in", "from", "with", "on"):
                return frozenset()  # "the maker of Batiste products said": Batiste is not who spoke
            return frozenset(t for w, t in zip(raw[start : j + 1], tokens[start : j + 1]) if is_name(w, False))
    if at + 1 < len(raw) and is_name(raw[at + 1], False):
        run = _run_at(raw, tokens, at + 1)
        if at + 1 + len(run) >= len(raw) - 1:  # "…,” said Peskov." but not "said Harris is grateful"
            return frozenset(run)
    return frozenset()


def actors_in(raw: list[str], tokens: list[str], runs: list[tuple[int, tuple[str, ...]]]) -> set:
    """(verb stem, doer) pairs of a clause: a name right before a word ("Hamdok reinstated", "Spirit will have
    to pay"), or "by" and a name right after one ("started by eBay"). Verbs of saying are the speaker's."""
    found = set()
    for at, run in runs:
        j = at + len(run)
        helped = False
        while j < len(tokens) and tokens[j] in AUXILIARIES | {"to", "will", "have", "be", "first"}:
            helped, j = helped or tokens[j] not in ("then", "also", "first"), j + 1
        if (j < len(tokens) and is_verb(tokens[j], helped) and not is_name(raw[j], False)
                and tokens[at + len(run)] not in ("was", "were", "is", "are")):
            found.add((short_stem(tokens[j]), frozenset(run)))
        k = at - 1
        while k > 0 and tokens[k] in ("the", "late", "former", "a"):
            k -= 1
        if k >= 1 and tokens[k] == "by" and carries_meaning(tokens[k - 1]) and tokens[k - 1].endswith(("ed", "en")):
            found.add((short_stem(tokens[k - 1]), frozenset(run)))
    return found


def is_verb(token: str, helped: bool) -> bool:
    """A word that reads as what a name did: past tense ("reinstated", "overtook"), or any word after an auxiliary
    ("will have to pay"). Verbs of saying belong to the speaker check."""
    return carries_meaning(token) and token not in SAYING and (
        helped or token.endswith("ed") or token in IRREGULAR_PAST)
