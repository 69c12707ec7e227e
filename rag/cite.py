"""Citations: the `[n]` mark, quotes located by character offsets, and the check of a model's citations.

A model's `[n]` is a claim, not a fact. `verify` reads each sentence of a generated answer, finds the sentence
of the cited passage that supports it (most of its content words occur there), and turns that into a Citation
with a verbatim quote and offsets into the document. A citation that points nowhere is dropped; one whose
passage does not support the sentence moves to the passage that does; a sentence no passage supports keeps its
words but loses its mark, and the repair says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.sentences import content_words, split_sentences
from rag.types import Citation, Passage

# `[n]` after a sentence names passage n (1-based) of the answer; the same mark in API, CLI and UI.
CITATION_MARK = re.compile(r"\[(\d{1,3})\]")
# Marks a model puts after the full stop ("Minsk. [1] Next") are moved before it while sentences are split,
# so each stays with its sentence; the verified text puts them back after it, as the extractive answers do.
_MARKS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d{1,3}\])+)")
_MARKS = re.compile(r"\s*(?:\[\d{1,3}\]\s*)+")
# Share of a sentence's content words that one passage sentence (or it and its neighbour) must contain.
SUPPORT = 0.5


def cited_numbers(text: str) -> list[int]:
    """The distinct passage numbers a text cites, in order of first mention."""
    return list(dict.fromkeys(int(n) for n in CITATION_MARK.findall(text)))


def cite_quote(n: int, passage: Passage, quote: str) -> Citation | None:
    """A citation of `quote` in passage n, or None when the quote is not verbatim in the passage."""
    at = passage.text.find(quote)
    if not quote or at < 0:
        return None
    return Citation(
        n=n,
        doc_id=passage.doc_id,
        title=passage.title,
        date=passage.date,
        source=passage.source,
        quote=quote,
        start=passage.start + at,
        end=passage.start + at + len(quote),
    )


@dataclass(frozen=True)
class Verified:
    text: str  # the answer with only marks that were checked
    citations: tuple[Citation, ...]
    repairs: tuple[str, ...]  # one line per change, e.g. "dropped [7]: there is no passage 7"
    supported: int  # sentences with at least one verified citation
    unsupported: int  # sentences with content words that no passage supports


def support(claim: str, passage: Passage) -> tuple[float, str]:
    """How well the passage backs the claim (share of its content words found) and the quote that does."""
    wanted = _stems(claim)
    if not wanted:
        return 0.0, ""
    sentences = [s for _, s in split_sentences(passage.text)]
    spans = sentences + [f"{a} {b}" for a, b in zip(sentences, sentences[1:])]
    best, quote = 0.0, ""
    for span in spans:
        score = len(wanted & _stems(span)) / len(wanted)
        if score > best + 1e-9:
            best, quote = score, span
    if quote and quote not in passage.text:  # two neighbours joined by other whitespace: quote the first only
        quote = max(sentences, key=lambda s: len(wanted & _stems(s)))
    return best, quote


def _stems(text: str) -> set[str]:
    """Content words cut to six letters, so a paraphrase's "abandoned" meets the article's "abandon"."""
    return {w[:6] for w in content_words(text)}


def verify(text: str, passages: Sequence[Passage]) -> Verified:
    """Check every `[n]` of a generated answer against the passages it names; repair what does not hold."""
    sentences = [s for _, s in split_sentences(_MARKS_AFTER_STOP.sub(r"\2\1", text.strip()))]
    out, citations, repairs = [], {}, []
    supported = unsupported = 0
    for sentence in sentences:
        claim = _MARKS.sub(" ", sentence).strip()
        claim = re.sub(r"\s+([.!?,;:])", r"\1", claim)
        marks = [int(n) for n in CITATION_MARK.findall(sentence)]
        kept: list[int] = []
        for n in dict.fromkeys(marks):
            if not 1 <= n <= len(passages):
                repairs.append(f"dropped [{n}]: there is no passage {n}")
                continue
            score, quote = support(claim, passages[n - 1])
            if score >= SUPPORT:
                kept.append(n)
                citations.setdefault((n, quote), cite_quote(n, passages[n - 1], quote))
            else:
                repairs.append(f"[{n}] does not support “{_short(claim)}”")
        if not kept and content_words(claim):
            ranked = sorted(
                ((support(claim, p), n) for n, p in enumerate(passages, start=1)), key=lambda r: -r[0][0]
            )
            if ranked and ranked[0][0][0] >= SUPPORT:
                (score, quote), n = ranked[0]
                kept.append(n)
                citations.setdefault((n, quote), cite_quote(n, passages[n - 1], quote))
                repairs.append(f"cited [{n}] for “{_short(claim)}”")
            else:
                unsupported += 1
                repairs.append(f"no passage supports “{_short(claim)}”")
        if kept:
            supported += 1
        out.append(_with_marks(claim, kept))
    found = tuple(c for c in citations.values() if c is not None)
    return Verified(" ".join(s for s in out if s), found, tuple(repairs), supported, unsupported)


def _with_marks(claim: str, numbers: list[int]) -> str:
    if not numbers:
        return claim
    return claim + " " + "".join(f"[{n}]" for n in numbers)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
