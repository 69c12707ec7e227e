"""The shared vocabulary of the pipeline: what an article, a chunk, a passage and an answer are.

All are frozen dataclasses; the API returns them, the CLI prints them as JSON, the UI renders them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rag.filters import Filters


@dataclass(frozen=True)
class Document:
    """One article after loading and cleaning; `text` is the cleaned text every offset points into."""

    doc_id: str
    title: str
    date: str  # ISO YYYY-MM-DD, or "" when unknown
    source: str  # publisher, or "" when unknown
    path: str  # the file it came from
    url: str
    text: str


@dataclass(frozen=True)
class Chunk:
    """A slice of a document's cleaned text: `document.text[start:end] == text`."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    content_hash: str  # hash of the whole document's cleaned text and metadata


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its score and the metadata of its article."""

    chunk_id: str
    doc_id: str
    title: str
    date: str
    source: str
    path: str
    url: str
    text: str
    start: int
    end: int
    score: float  # cosine similarity to the query, higher is closer


@dataclass(frozen=True)
class Citation:
    """What `[n]` in an answer points at: a verbatim quote of passage n, with offsets into its document."""

    n: int
    doc_id: str
    title: str
    date: str
    source: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Differing:
    """One side of a disagreement between articles: the value one gives for the asked fact, and where."""

    value: str
    citation: Citation
    kind: str = "figure"  # what differs: "figure" (a how-many answer) or "day" (a when answer)


@dataclass(frozen=True)
class Answer:
    """The result of a question: text with `[n]` markers, the citations behind them, and what was searched."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    passages: tuple[Passage, ...]
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage
    warnings: tuple[str, ...] = ()
    query: str = ""  # what was searched: the question, or a follow-up made standalone
    repairs: tuple[str, ...] = ()  # what citation checking changed in the model's draft, one line each
    removed: tuple[str, ...] = ()  # sentences of the draft that no passage supports, taken out of `text`
    filters: Filters = field(default_factory=Filters)  # what the search was limited to
    evidence_date: str = ""  # publication day of the newest article the answer cites
    notes: tuple[str, ...] = ()  # how the answer was found, one line each (e.g. the period the question named)
    timeline: bool = False  # the text is dated events in date order, one line each
    disagreement: tuple[Differing, ...] = ()  # the articles give different values for the asked fact, oldest first

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Sources:
    """What a question found, streamed before any answer is written: the passages in the order the Answer
    numbers them ([n] is passages[n - 1]) and the sentence that best answers the question (None when no
    passage holds one worth quoting), so they can be read while the model writes."""

    question: str
    query: str
    passages: tuple[Passage, ...]
    best: Citation | None
    elapsed_ms: float  # from the question to these sources

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did (or, for a dry run, would do), by doc_id."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    why_removed: tuple[str, ...] = ()  # for each of `removed`, why: its file is gone, its JSONL line is gone, …
    notices: tuple[str, ...] = ()  # one line per file or record skipped or read with a caveat, naming it
    chunks_written: int = 0
    chunks_deleted: int = 0
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
