"""Sentences and content words: how answers, passages and questions are compared word by word."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (with any closing quote) before a capital or an opening quote, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z])|\n+")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "gen", "sen", "rep", "gov", "lt", "col", "jr", "sr", "vs", "prof", "u.s", "u.k", "e.g", "i.e"}
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_STOPWORDS = frozenset(
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
        end = match.end() if match.group().strip() else match.start()
        head = text[begin:end]
        last_word = head.rstrip(".!?…\"”’)] ").rsplit(None, 1)[-1].lower() if head.strip() else ""
        if match.group().strip() and (last_word in _ABBREVIATIONS or _inside_quote(head)):
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


def content_words(text: str) -> set[str]:
    words = (w.lower().replace("’", "'") for w in _WORD.findall(text))
    return {w.removesuffix("'s").rstrip("s") or w for w in words if w not in _STOPWORDS and len(w) > 1}
