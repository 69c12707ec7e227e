"""Citations: the `[n]` mark, and quotes located by character offsets in their document."""

from __future__ import annotations

import re

from rag.types import Citation, Passage

# `[n]` after a sentence names passage n (1-based) of the answer; the same mark in API, CLI and UI.
CITATION_MARK = re.compile(r"\[(\d{1,3})\]")


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
