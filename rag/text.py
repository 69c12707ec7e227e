"""Text as the pipeline reads it: sentences, words and their comparable forms, in any script.

Used by cleaning and loading (does a line end a sentence?), extractive ranking and citation checking
(split_sentences, words, content_words), BM25 (stems) and the claim check (stem). Words are letters and digits of
any script: Cyrillic, Greek, accented Latin and CJK text is read, not skipped.
"""

from __future__ import annotations

import re
from functools import cache

# A sentence ends at . ! ? … (with any closing quote) before a capital (in any script; checked in
# split_sentences, as `re` has no class for capitals) after an optional opening quote, at a CJK full stop (no
# space follows one), or at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?([^\W\d_]))|[。！？]+[」』”）]*|\n+")
# "8:33 a.m. ET": the zone after a clock time goes on the same sentence.
_TIME_ZONE = re.compile(r"\s+\(?(?:[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|local\s+time)\b")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "gen", "sen", "rep", "gov", "lt", "col", "jr", "sr", "vs", "prof", "u.s", "u.k", "e.g", "i.e"}
# A line that ends a sentence: its last mark is a stop or a closing quote or bracket (loaders: is a first line a
# headline? clean: is a short line a teaser?).
ENDS_SENTENCE = re.compile(r"[.!?…。！？\"”’)\]]\s*$")
# A word is letters and digits of any script (Cyrillic, Greek, accented Latin are words), with an apostrophe
# inside ("Russia's", "don't").
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Month names and their short forms, each with its short form ("sept" and "september" are "sep").
MONTHS = {
    "january": "jan", "february": "feb", "march": "mar", "april": "apr", "may": "may", "june": "jun",
    "july": "jul", "august": "aug", "september": "sep", "sept": "sep", "october": "oct", "november": "nov",
    "december": "dec", "jan": "jan", "feb": "feb", "mar": "mar", "apr": "apr", "jun": "jun", "jul": "jul",
    "aug": "aug", "sep": "sep", "oct": "oct", "nov": "nov", "dec": "dec",
}
# Words that name a day: the weekdays and the days counted from today.
DAY_WORDS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday",
                       "today", "tomorrow", "tonight", "weekend"})
STOPWORDS = frozenset(
    """a an the of to in on at for from by with about as and or but if is are was were be been being do does did
    what which who whom whose when where why how that this these those it its he she they them his her their
    there than then so not no any all some has have had will would can could should may might must into
    over after before during according said says say tell told""".split()
)


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs covering `text`, whitespace trimmed."""
    pieces: list[tuple[int, str]] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group(1) and not match.group(1).isupper():
            continue
        end = match.end() if match.group().strip() else match.start()
        head = text[begin:end]
        last_word = (head.rstrip(".!?…\"”’)] ").rsplit(None, 1) or [""])[-1].lower()  # "" for a lone "."
        if match.group().strip() and (last_word in _ABBREVIATIONS or _inside_quote(head)
                                      or (last_word in ("a.m", "p.m") and _TIME_ZONE.match(text, match.end()))):
            continue
        pieces.append((begin, head))
        begin = match.end()
    pieces.append((begin, text[begin:]))
    result = []
    for offset, piece in pieces:
        stripped = piece.strip()
        if stripped:
            result.append((offset + piece.index(stripped), stripped))
    return result


def _inside_quote(text: str) -> bool:
    """A quotation left open: its sentences belong together, or a quote would be cut in half."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def is_question(sentence: str) -> bool:
    """Whether a sentence asks rather than tells ("When was Griner arrested?", an explainer's heading)."""
    return sentence.rstrip("\"”’' ").endswith("?")


def words(text: str) -> list[str]:
    """The words of a text in order, as written."""
    return WORD.findall(text)


def content_words(text: str) -> set[str]:
    lowered = (w.lower().replace("’", "'") for w in WORD.findall(text))
    return {w.removesuffix("'s").rstrip("s") or w for w in lowered if w not in STOPWORDS and len(w) > 1}


# Snowball stemmers by script: a Cyrillic word is stemmed as Russian, a Greek one as Greek, others as English (a
# French or German word is left nearly as written, which still matches itself). Changing this changes BM25's
# words: WORD_FORMS names the scheme, and a saved word index built under another one is built again.
WORD_FORMS = "snowball:english,russian,greek"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")


def stem(word: str) -> str:
    """A word's Snowball stem in its script's language ("abandoned" -> "abandon", "моста" -> "мост")."""
    return _stemmer(_language(word)).stemWord(word)


def stem_words(words_: list[str]) -> list[str]:
    return [stem(w) for w in words_]


class Stems:
    """stem() in the shape bm25s asks a stemmer to have."""

    stemWords = staticmethod(stem_words)  # noqa: N815 (bm25s calls it by this name)


def _language(word: str) -> str:
    if word.isascii():
        return "english"
    if _CYRILLIC.search(word):
        return "russian"
    return "greek" if _GREEK.search(word) else "english"


@cache
def _stemmer(language: str):
    import Stemmer

    return Stemmer.Stemmer(language)
