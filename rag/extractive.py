"""The answer without an LLM: the passage sentences that best answer the question, each cited verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.cite import cite_quote
from rag.embed import Embedder
from rag.types import Citation, Passage

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
# How much word overlap with the question counts next to meaning (cosine); the rest is the cosine.
LEXICAL_WEIGHT = 0.3
# A second or third sentence is quoted only when it scores nearly as well as the best one.
_RUNNER_UP_MARGIN = 0.06


@dataclass(frozen=True)
class Sentence:
    passage_index: int  # 0-based position in the passage list
    start: int  # offset in the passage text
    text: str


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


class ExtractiveAnswerer:
    def __init__(self, embedder: Embedder, min_sentence_score: float, max_sentences: int = 2) -> None:
        self.embedder = embedder
        self.min_sentence_score = min_sentence_score
        self.max_sentences = max_sentences

    def candidates(self, passages: list[Passage]) -> list[Sentence]:
        """Every sentence of the passages once (neighbouring chunks overlap), in passage order."""
        seen: set[tuple[str, int]] = set()
        sentences = []
        for index, passage in enumerate(passages):
            for offset, text in split_sentences(passage.text):
                key = (passage.doc_id, passage.start + offset)
                if key not in seen and len(text.split()) >= 3:
                    seen.add(key)
                    sentences.append(Sentence(index, offset, text))
        return sentences

    def score(self, question: str, question_vector: list[float], sentences: list[Sentence]) -> list[float]:
        vectors = self.embedder.embed([s.text for s in sentences])
        asked = content_words(question)
        scores = []
        for sentence, vector in zip(sentences, vectors):
            cosine = sum(a * b for a, b in zip(question_vector, vector))
            overlap = len(asked & content_words(sentence.text)) / len(asked) if asked else 0.0
            scores.append((1 - LEXICAL_WEIGHT) * cosine + LEXICAL_WEIGHT * overlap)
        return scores

    def answer(
        self, question: str, question_vector: list[float], passages: list[Passage]
    ) -> tuple[str, tuple[Citation, ...]] | None:
        """Answer text with `[n]` marks and its citations, or None when no sentence answers well enough."""
        sentences = self.candidates(passages)
        if not sentences:
            return None
        ranked = sorted(zip(self.score(question, question_vector, sentences), sentences), key=lambda p: -p[0])
        best_score = ranked[0][0]
        if best_score < self.min_sentence_score:
            return None
        chosen = [s for score, s in ranked if score >= best_score - _RUNNER_UP_MARGIN][: self.max_sentences]
        parts, citations = [], []
        for sentence in chosen:
            n = sentence.passage_index + 1
            citation = cite_quote(n, passages[sentence.passage_index], sentence.text)
            if citation is not None:
                citations.append(citation)
                parts.append(f"{sentence.text} [{n}]")
        return " ".join(parts), tuple(citations)
