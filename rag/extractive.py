"""The answer without an LLM: the passage sentences that best answer the question, each cited verbatim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.asked import asked_kind, gives, same_word
from rag.cite import cite_quote
from rag.embed import Embedder
from rag.text import content_words, is_question, split_sentences
from rag.types import Citation, Passage

# How much word overlap with the question counts next to meaning (cosine); the rest is the cosine.
LEXICAL_WEIGHT = 0.3
# A second or third sentence is quoted only when it scores nearly as well as the best one.
_RUNNER_UP_MARGIN = 0.06
# When the best sentences are on the topic but lack the kind of fact the question asks for (a number, a day, a
# name), the best sentence within this of the best score that gives it is quoted instead; none: a refusal. 0: it
# refuses (eval/asked_margin_sweep.py, docs/answers.md: a margin helped one half of news2022 dev, not the other,
# and answered more near-misses with a neighbouring fact).
ASKED_MARGIN = 0.0
# The sentences quoted must hold at least this share of the question's words (content words, a word in two forms
# counting once: rag.asked.same_word), else it refuses: a sentence that scores best on meaning alone may tell of
# another event ("Last year, Subway rolled out an updated menu" for the menu item KFC rolled out this week), unless
# the best of them scores SHARE_EXCUSED_AT, as the closest paraphrases do. Chosen on half of news2022 dev and read
# on the other, within the seed set's floors (eval/question_share_sweep.py, docs/answers.md). 0: no such check.
QUESTION_SHARE = 0.35
SHARE_EXCUSED_AT = 0.55
# For the model's answers (RAG_MODEL_QUESTION_SHARE), a question word is also held by a quoted word of like meaning:
# the two words' embeddings, each read alone, within this cosine ("relatives" and "family", "country" and "Ukraine",
# not "supermarkets" and "airlines"). Chosen with the share on each half of news2022 dev and read on the other
# (docs/answers.md). 1: only the same word.
WORD_COSINE = 0.55
# Words that place a question in time rather than say what it asks about ("this week", "recently").
_TIME_WORDS = {"week", "month", "year", "recent", "recently", "lately", "today", "yesterday", "currently", "now"}


@dataclass(frozen=True)
class Sentence:
    passage_index: int  # 0-based position in the passage list
    start: int  # offset in the passage text
    text: str


class ExtractiveAnswerer:
    def __init__(self, embedder: Embedder, min_sentence_score: float, max_sentences: int = 2) -> None:
        self.embedder = embedder
        self.min_sentence_score = min_sentence_score
        self.max_sentences = max_sentences
        self._word_vectors: dict[str, list[float]] = {}

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

    def rank(self, question: str, question_vector: list[float], passages: list[Passage]) -> list[tuple[float, Sentence]]:
        """Every sentence of the passages with its score, best first."""
        sentences = self.candidates(passages)
        if not sentences:
            return []
        return sorted(zip(self.score(question, question_vector, sentences), sentences), key=lambda p: -p[0])

    def best(self, ranked: list[tuple[float, Sentence]], passages: list[Passage]) -> Citation | None:
        """The best-scoring sentence as a citation of its passage, when it scores enough to be quoted."""
        if not ranked or ranked[0][0] < self.min_sentence_score:
            return None
        sentence = ranked[0][1]
        return cite_quote(sentence.passage_index + 1, passages[sentence.passage_index], sentence.text)

    def answer_from(
        self, question: str, ranked: list[tuple[float, Sentence]], passages: list[Passage],
        holds: Callable[[str], bool] | None = None,
    ) -> tuple[str, tuple[Citation, ...]] | None:
        """answer() from sentences rank() has already scored, of those that `holds` (all when None): the model's
        answer, when a sentence proves it. A question in the articles ("When was Griner arrested?", an explainer's
        heading) is never quoted as an answer, nor a sentence that says nothing the question did not (a quiz
        question that opens with the article's first sentence)."""
        asked = content_words(question)
        ranked = [(score, s) for score, s in ranked if not is_question(s.text) and not restates(asked, s.text)
                  and (holds is None or holds(s.text))]
        if not ranked or ranked[0][0] < self.min_sentence_score:
            return None
        best_score = ranked[0][0]
        chosen = [s for score, s in ranked if score >= best_score - _RUNNER_UP_MARGIN][: self.max_sentences]
        kind = asked_kind(question)
        if kind is not None:
            context = " ".join(p.text for p in passages)
            outlets = {p.source for p in passages}
            if not any(gives(kind, question, s.text, context, outlets) for s in chosen):
                # the best sentences are on the topic but lack the number, date or name asked for
                chosen = [s for score, s in ranked if score >= best_score - ASKED_MARGIN
                          and gives(kind, question, s.text, context, outlets)][:1]
                if not chosen:
                    return None
        if (QUESTION_SHARE and best_score < SHARE_EXCUSED_AT
                and question_share(question, [s.text for s in chosen]) < QUESTION_SHARE):
            return None
        parts, citations = [], []
        for sentence in chosen:
            n = sentence.passage_index + 1
            citation = cite_quote(n, passages[sentence.passage_index], sentence.text)
            if citation is not None:
                citations.append(citation)
                parts.append(f"{sentence.text} [{n}]")
        return " ".join(parts), tuple(citations)

    def meaning_share(self, question: str, texts: list[str]) -> float:
        """question_share() with a question word held also by a word of `texts` within WORD_COSINE of it in
        meaning: a paraphrase holds the question ("Is his family still in the country?" — "His family … remains in
        Ukraine"), a sentence of another event holds less of it."""
        if WORD_COSINE >= 1:
            return question_share(question, texts)
        nearness = self.word_nearness(question, texts)
        return sum(n >= WORD_COSINE for n in nearness) / len(nearness) if nearness else 1.0

    def word_nearness(self, question: str, texts: list[str]) -> list[float]:
        """For each content word of the question (time words aside): 1 when `texts` hold it in either form, else
        the best cosine of a word of theirs to it, each word embedded alone."""
        asked, held = _asked_and_held(question, texts)
        missing = {a for a in asked if not any(same_word(a, h) for h in held)}
        vectors = self._vectors(sorted(missing) + held) if missing and held else {}
        return [max((sum(x * y for x, y in zip(vectors[a], vectors[h])) for h in held), default=0.0)
                if a in missing else 1.0 for a in asked]

    def _vectors(self, words: list[str]) -> dict[str, list[float]]:
        """Each word's embedding, read alone; kept for the next answer (a session's words repeat). What it returns
        is its own, so a page answering two questions at once cannot clear a vector from under the other."""
        kept = self._word_vectors
        found = {w: v for w in dict.fromkeys(words) if (v := kept.get(w)) is not None}
        new = [w for w in dict.fromkeys(words) if w not in found]
        if new:
            found.update(zip(new, self.embedder.embed(new)))
            if len(kept) + len(new) > _WORD_VECTORS_KEPT:
                kept.clear()
            kept.update((w, found[w]) for w in new)
        return found


_WORD_VECTORS_KEPT = 50_000


def restates(asked: set[str], sentence: str) -> bool:
    """Whether every content word of `sentence` is one of `asked` (the question's content words), in either form."""
    return all(any(same_word(w, a) for a in asked) for w in content_words(sentence))


def question_share(question: str, texts: list[str]) -> float:
    """The share of the question's content words (time words aside) that `texts` hold, in either form."""
    asked, held = _asked_and_held(question, texts)
    if not asked:
        return 1.0
    return sum(any(same_word(a, h) for h in held) for a in asked) / len(asked)


def _asked_and_held(question: str, texts: list[str]) -> tuple[list[str], list[str]]:
    """(the question's content words but its time words, the content words of `texts`), each sorted."""
    return sorted(content_words(question) - _TIME_WORDS), sorted({w for text in texts for w in content_words(text)})


def excerpts(ranked: list[tuple[float, Sentence]], passages: list[Passage], budget_words: int) -> list[tuple[int, str]]:
    """What the model reads: the best sentences up to a word budget, as (passage index, excerpt) in passage
    order, sentences in document order and "…" where text was left out. Every prompt word costs time."""
    chosen: list[Sentence] = []
    words = 0
    for _, sentence in ranked:
        length = len(sentence.text.split())
        if chosen and words + length > budget_words:
            continue
        chosen.append(sentence)
        words += length
    result = []
    for index in sorted({s.passage_index for s in chosen}):
        mine = sorted((s for s in chosen if s.passage_index == index), key=lambda s: s.start)
        text, end = "", None
        for sentence in mine:
            gap = end is not None and passages[index].text[end : sentence.start].strip()
            text += (" … " if gap else " ") + sentence.text if text else sentence.text
            end = sentence.start + len(sentence.text)
        result.append((index, text))
    return result
