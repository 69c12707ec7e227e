"""Citations: the `[n]` mark, quotes located by character offsets, and the check of a model's citations.

A model's `[n]` is a claim, not a fact. `verify` reads each sentence of a generated answer and asks
`rag.support.judge` whether the cited passage states what the sentence asserts (its numbers, dates, names,
polarity and who said or did it), and turns the supporting span into a Citation with a verbatim quote and offsets
into the document. A citation that points nowhere is dropped; one whose passage does not support the sentence
moves to the passage that does; a sentence no passage supports is removed from the answer, and the repair says
which and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.claim_facts import read_facts
from rag.text import content_words, split_sentences
from rag.support import Judgement, judge, restatement
from rag.types import Citation, Passage

# `[n]` after a sentence names passage n (1-based) of the answer; the same mark in API, CLI and UI.
CITATION_MARK = re.compile(r"\[(\d{1,3})\]")
# Marks a model puts after the full stop ("Minsk. [1] Next") are moved before it while sentences are split,
# so each stays with its sentence; the verified text puts them back after it, as the extractive answers do.
_MARKS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d{1,3}\])+)")
_MARKS = re.compile(r"\s*(?:\[\d{1,3}\]\s*)+")


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
    text: str  # the answer with only marks that were checked, and only sentences a passage supports
    citations: tuple[Citation, ...]
    repairs: tuple[str, ...]  # one line per change, e.g. "dropped [7]: there is no passage 7"
    supported: int  # sentences with at least one verified citation
    unsupported: int  # sentences with content words that no passage supports (removed from the text)
    removed: tuple[str, ...] = ()  # those sentences, as the model wrote them


def support(claim: str, passage: Passage) -> Judgement:
    """Whether the passage states what the claim asserts, and the verbatim span that does (or came closest)."""
    return judge(claim, passage.text, context=passage.title)


def verify(text: str, passages: Sequence[Passage]) -> Verified:
    """Check every `[n]` of a generated answer against the passages it names; repair what does not hold and
    remove what no passage supports."""
    sentences = [s for _, s in split_sentences(_MARKS_AFTER_STOP.sub(r"\2\1", text.strip()))]
    out, citations, repairs, removed = [], {}, [], []
    supported = 0
    for sentence in sentences:
        claim = _MARKS.sub(" ", sentence).strip()
        claim = re.sub(r"\s+([.!?,;:])", r"\1", claim)
        if not _asserts(claim):  # "Yes." asserts nothing to check or cite
            out.append(claim)
            continue
        kept: list[int] = []
        marks = list(dict.fromkeys(int(n) for n in CITATION_MARK.findall(sentence)))
        judgements: dict[int, Judgement] = {}  # passage n's judgement of this claim, made once
        for n in marks:
            if not 1 <= n <= len(passages):
                repairs.append(f"dropped [{n}]: there is no passage {n}")
                continue
            judgement = judgements[n] = support(claim, passages[n - 1])
            if judgement.supported:
                kept.append(n)
                citations.setdefault((n, judgement.quote), cite_quote(n, passages[n - 1], judgement.quote))
            else:
                repairs.append(f"[{n}] does not support “{_short(claim)}”: {judgement.reasons[0]}")
        if not kept:
            judged = [(judgements.get(n) or support(claim, p), n) for n, p in enumerate(passages, start=1)]
            backing = [(j, n) for j, n in judged if j.supported]
            if backing:
                judgement, n = max(backing, key=lambda pair: pair[0].coverage)
                kept.append(n)
                citations.setdefault((n, judgement.quote), cite_quote(n, passages[n - 1], judgement.quote))
                repairs.append(f"cited [{n}] for “{_short(claim)}”")
            else:
                closest = max(judged, key=lambda pair: pair[0].coverage)[0] if judged else None
                why = closest.reasons[0] if closest and closest.reasons else "no passage to check it against"
                removed.append(claim)
                quoted = _quoted_instead(claim, passages, marks)
                if quoted is None:
                    repairs.append(f"removed “{_short(claim)}”: no passage supports it ({why})")
                    continue
                n, quote = quoted
                repairs.append(f"replaced “{_short(claim)}” ({why}) with the sentence of [{n}] it restates")
                citations.setdefault((n, quote), cite_quote(n, passages[n - 1], quote))
                claim, kept = quote, [n]
        supported += 1
        out.append(_with_marks(claim, kept))
    found = tuple(c for c in citations.values() if c is not None)
    return Verified(" ".join(s for s in out if s), found, tuple(repairs), supported, len(removed), tuple(removed))


def _asserts(claim: str) -> bool:
    """Whether a sentence asserts something a quote must hold: a content word, or a number or day, which a
    fragment of stopwords still gives ("On May 7.", "In 5.")."""
    if content_words(claim):
        return True
    facts = read_facts(claim)  # the claim check's own reading: "May" is a month, "it may" is not
    return bool(facts.numbers or facts.dates)


def _quoted_instead(claim: str, passages: Sequence[Passage], cited: list[int]) -> tuple[int, str] | None:
    """(n, sentence) of the passage sentence a rejected claim restates, the cited passages first."""
    order = [n for n in cited if 1 <= n <= len(passages)] + [n for n in range(1, len(passages) + 1) if n not in cited]
    for n in order:
        quote = restatement(claim, passages[n - 1].text)
        if quote:
            return n, quote
    return None


def _with_marks(claim: str, numbers: list[int]) -> str:
    return claim + " " + "".join(f"[{n}]" for n in numbers)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
