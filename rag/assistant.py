"""Assistant: ingest, search and ask; composes loading, chunking, embedding, storage, retrieval and answering.
Its parts are built by rag.factory (build_assistant) and handed in."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

from rag import prompts
from rag.clean import normalise_line
from rag.embed import Embedder
from rag.errors import ConfigError, GenerationError, RagError
from rag.extractive import ExtractiveAnswerer, excerpts
from rag.filters import Filters
from rag.followup import History, standalone
from rag.generate import Generator
from rag.ingest import sync
from rag.news import news_checks, period_of
from rag.period import Period
from rag.prompts import REFUSAL
from rag.retrieve import ARTICLE_FIELD, Retriever
from rag.settings import Settings
from rag.store import ChunkStore
from rag.timeline import TIMELINE_ARTICLES, asks_timeline, build_timeline, subject
from rag.types import Answer, IngestReport, Passage, Sources
from rag.verified import judged, lacks_asked_fact, verified


class Assistant:
    """Answers questions from the articles in one store. Build one with rag.build_assistant(), which picks the
    parts from RAG_* settings; here they are only composed."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        store: ChunkStore | None = None,
        retriever: Retriever | None = None,
        answerer: ExtractiveAnswerer | None = None,
        generator: Generator | None = None,
    ) -> None:
        """`generator` None answers by quoting the passages (the extractive answerer) instead of with a model."""
        if None in (settings, embedder, store, retriever, answerer):
            raise TypeError(
                "Assistant() is given its parts by rag.build_assistant(); use rag.build_assistant() "
                "(RAG_* settings) or rag.build_assistant(rag.Settings(...)) instead"
            )
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.retriever = retriever
        self.answerer = answerer
        self.generator = generator

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        prune: bool = False,
        dry_run: bool = False,
        rebuild: bool = False,
        progress: bool = True,
        on_notice: Callable[[str], None] | None = None,
    ) -> IngestReport:
        try:
            return sync(
                self.store,
                self.embedder,
                [Path(p) for p in paths],
                self.settings.chunk_size,
                self.settings.chunk_overlap,
                prune=prune,
                dry_run=dry_run,
                rebuild=rebuild,
                progress=progress,
                on_notice=on_notice,
                max_bytes=int(self.settings.max_document_mb * 1_000_000),
            )
        finally:
            self._reindex_words()

    def _reindex_words(self) -> None:
        """Bring the BM25 index up to date now, so the next question does not wait for it."""
        if self.retriever.lexical is not None:
            self.retriever.lexical.refresh()

    def remove(self, doc_id: str) -> int:
        """Delete one document's chunks; returns how many were deleted."""
        with self.store.writing():
            deleted = self.store.delete_document(doc_id)
        if deleted == 0:
            raise RagError(f"no document {doc_id!r} in {self.settings.store}; list them with: python -m rag stats")
        self._reindex_words()
        return deleted

    def search(
        self, query: str, k: int | None = None, distinct_documents: bool = False, *, filters: Filters | None = None,
        **limits,
    ) -> list[Passage]:
        """The passages that best match `query`, among the articles `filters` admit. The filters may be given as
        keywords too: `since`/`until` (YYYY-MM-DD) and `sources` limit which articles, `as_of` leaves out later
        ones and prefers those published close to it (see rag.Filters). A query that names a period is searched
        in it, as ask() does ("since 1 March 2022"; "this week" when asked as of a day)."""
        query = self._check_question(query)
        filters, _, _ = period_of(query, Filters.of(filters, **limits), self.settings.stale_days)
        vector = self.embedder.embed([query])[0]
        return self.retriever.search(query, vector, self._check_k(k), distinct_documents, filters)

    def ask(self, question: str, k: int | None = None, *, filters: Filters | None = None, timeline: bool | None = None,
            **limits) -> Answer:
        """Answer one question from the articles; `Answer.text` cites passages as [n]. `filters` (or the keywords
        `since`/`until` (YYYY-MM-DD, inclusive), `sources` (publisher names) and `as_of`, the day the question is
        asked) limit which articles may answer, as in search(). `timeline` True answers with dated events in date
        order, False never does; None (the default) does when the question asks what happened over time."""
        return _last(self.stream(question, k=k, filters=filters, timeline=timeline, **limits))

    def chat(
        self, message: str, history: History = (), k: int | None = None, *, filters: Filters | None = None,
        timeline: bool | None = None, **limits,
    ) -> Answer:
        """Answer a message in a conversation: a follow-up is made standalone before retrieval."""
        return _last(self.stream(message, history, k, filters=filters, timeline=timeline, **limits))

    def stream(
        self, question: str, history: History = (), k: int | None = None, *, filters: Filters | None = None,
        timeline: bool | None = None, **limits,
    ) -> Iterator[Sources | str | Answer]:
        """First the Sources found (always, once, before any text), then text pieces as the model writes them,
        then the verified Answer (always last, always once).

        The streamed text is the model's draft; the Answer's text is what survived citation checking. A question
        that names a period ("since 1 March 2022"; "this week" when asked as of a day) is answered from articles
        published in it; one that asks what happened over time gets a timeline (see ask())."""
        question = self._check_question(question)
        k = self._check_k(k)
        filters = Filters.of(filters, **limits)
        started = time.perf_counter()
        timings: dict[str, float] = {}
        query = standalone(self.generator, question, history, timings)
        filters, period, notes = period_of(query, filters, self.settings.stale_days)
        searching = time.perf_counter()
        events = None
        if asks_timeline(query) if timeline is None else timeline:
            events, passages, vector, ranked = self._timeline(query, k, filters)
            if events is None and timeline:
                notes += ("no timeline: the articles found hold fewer than two dated events on this; answered as a "
                          "question",)
        field = 0  # how many articles the candidates came from: among ARTICLE_FIELD or more, answers are judged
        judge = False
        if events is None:
            vector = self.embedder.embed([query])[0]
            passages = self.retriever.search(query, vector, k, filters=filters)
            field = passages.field
        timings["retrieve_ms"] = _ms(time.perf_counter() - searching)
        worth_answering = bool(passages) and max(p.score for p in passages) >= self.settings.min_score
        ranking = time.perf_counter()
        shown, best = [], None
        if events is not None:
            best = events[1][0]
        elif worth_answering:
            ranked = self.answerer.rank(query, vector, passages)
            best = self.answerer.best(ranked, passages)
            if self.generator is not None:
                shown = excerpts(ranked, passages, self.settings.prompt_words)
                # The passages the model reads come first and keep their numbers in the Answer, so [n] means
                # one thing from the Sources on.
                order = [i for i, _ in shown] + [i for i in range(len(passages)) if i not in {i for i, _ in shown}]
                passages = [passages[i] for i in order]
                best = best and dataclasses.replace(best, n=order.index(best.n - 1) + 1)
                ranked = [(score, dataclasses.replace(s, passage_index=order.index(s.passage_index)))
                          for score, s in ranked]
                shown = [(order.index(i), text) for i, text in shown]
        else:
            ranked = []
        timings["sources_ms"] = _ms(time.perf_counter() - started)
        yield Sources(question, query, tuple(passages), best, timings["sources_ms"])
        answer = Answer(question, REFUSAL, (), True, tuple(passages), timings, query=query, filters=filters,
                        notes=notes)
        if not passages and period:
            pass  # the refusal says no article of the period the question named answers it
        elif not passages and filters:
            answer = _replace(answer, warnings=(f"no article matches {filters.describe()}; widen the filters",))
        elif not passages:
            answer = _replace(answer, warnings=(
                f"the store {self.settings.store} is empty; add articles with: python -m rag ingest PATH",))
        elif not worth_answering:
            pass  # the evidence is too weak to be worth a model's time: refuse at once
        elif events is not None:
            answer = _replace(answer, text=events[0], citations=events[1], refused=False, timeline=True)
        elif self.generator is None:
            answer = self._extract(answer, query, ranked, passages, ranking)
        else:
            answer = yield from self._generate(answer, query, ranked, shown, ranking, period)
            judge = not answer.refused and self.settings.model_judge and field >= ARTICLE_FIELD
        checked = news_checks(self, answer, query, vector, ranked, period)
        answer = self._judged(answer, checked, query, vector, ranked, period) if judge else checked
        answer.timings["total_ms"] = _ms(time.perf_counter() - started)
        yield answer

    def _timeline(self, query: str, k: int, filters: Filters):
        """(timeline text and citations, or None when fewer than two dated events are found; the passages, the
        subject's vector and the ranked sentences): one passage per article, searched by what the question asks
        about without the words that ask for a timeline."""
        about = subject(query)
        vector = self.embedder.embed([about])[0]
        passages = self.retriever.search(about, vector, max(k, TIMELINE_ARTICLES), True, filters)
        if not passages or max(p.score for p in passages) < self.settings.min_score:
            return None, passages, vector, []
        ranked = self.answerer.rank(about, vector, passages)
        return build_timeline(about, ranked, passages, self.settings.min_sentence_score), passages, vector, ranked

    def _extract(self, answer: Answer, query: str, ranked, passages: list[Passage], started: float) -> Answer:
        """The answer quoted from the best sentences `ranked` (ExtractiveAnswerer.rank) of the passages."""
        result = self.answerer.answer_from(query, ranked, passages)
        answer.timings["generate_ms"] = _ms(time.perf_counter() - started)
        if result is None:
            return answer
        text, citations = result
        return _replace(answer, text=text, citations=citations, refused=False)

    def _generate(self, answer: Answer, query: str, ranked, shown: list[tuple[int, str]], started: float,
                  period: Period):
        """The model's answer from the excerpts `shown` of answer.passages, streamed, then checked; `ranked` (the
        passages' sentences, ExtractiveAnswerer.rank) is what a quote is taken from when the model fails, or when
        its draft is withheld and the quote gives the same answer. A draft withheld for lacking the fact of the kind
        asked for gets a second look: the model reads RAG_SECOND_LOOK_WORDS passage words and answers once more,
        streamed after a blank line, and that answer is checked the same way but for the quote (_second_look)."""
        passages = list(answer.passages)
        first = answer
        try:
            draft = yield from self._draft(answer, query, passages, shown)
        except GenerationError as exc:
            ranking = time.perf_counter()
            fallback = self._extract(answer, query, ranked, passages, ranking)
            warning = f"the LLM failed ({exc}); this answer quotes the passages instead"
            return _replace(fallback, warnings=answer.warnings + (warning,))
        answer.timings["generate_ms"] = _ms(time.perf_counter() - started)
        answer = self._verified(answer, query, ranked, passages, draft, shown, period)
        if lacks_asked_fact(answer) and self.settings.second_look_words > self.settings.prompt_words:
            wider = excerpts(ranked, passages, self.settings.second_look_words)
            if wider != shown:
                answer = yield from self._second_look(first, answer, query, ranked, wider, period)
        return answer

    def _second_look(self, first: Answer, withheld: Answer, query: str, ranked, wider: list[tuple[int, str]],
                     period: Period):
        """The model's answer from the `wider` excerpts, after its `withheld` draft from fewer: streamed after a
        blank line, checked, its repairs after the first's. The second draft stands on its own checks: a quote that
        gives the country or number its unsupported sentence names does not confirm what the first reading missed."""
        looking = time.perf_counter()
        passages = list(first.passages)
        yield "\n\n"
        try:
            draft = yield from self._draft(first, query, passages, wider)
        except GenerationError as exc:
            return _replace(withheld, warnings=withheld.warnings + (
                f"the LLM failed on a second look at the passages ({exc}); the answer stays withheld",))
        second = self._verified(first, query, ranked, passages, draft, wider, period, quoted=False)
        answer = _replace(second, repairs=withheld.repairs + (
            f"read {self.settings.second_look_words} passage words instead of {self.settings.prompt_words} and "
            "answered again",) + second.repairs, removed=withheld.removed + second.removed)
        answer.timings["second_look_ms"] = _ms(time.perf_counter() - looking)
        return answer

    def _draft(self, answer: Answer, query: str, passages: list[Passage], shown: list[tuple[int, str]]):
        """The model's draft from the excerpts `shown`, its pieces yielded as they are written."""
        messages = prompts.answer_messages(query, prompts.passage_blocks(passages, shown))
        pieces: list[str] = []
        generating = time.perf_counter()
        for piece in self.generator.stream(messages, self.settings.max_tokens):
            if not pieces and "ttft_ms" not in answer.timings:
                answer.timings["ttft_ms"] = _ms(time.perf_counter() - generating)
            pieces.append(piece)
            yield piece
        return "".join(pieces)

    def _verified(self, answer: Answer, query: str, ranked, passages: list[Passage], draft: str,
                  shown: list[tuple[int, str]], period: Period, quoted: bool = True) -> Answer:
        """rag.verified.verified() on the model's `draft`, read from the excerpts `shown`; with `quoted`, a withheld
        draft is answered by the quoting answerer's sentences when they give the same answer. The `period` the
        question names and the search kept to ("this week", asked as of a day) is the articles' to vouch for."""
        checking = time.perf_counter()
        share = self.settings.model_question_share
        quote = (lambda holds: self.answerer.answer_from(query, ranked, passages, holds)) if quoted else (
            lambda holds: None)
        answer = verified(answer, draft, max((i for i, _ in shown), default=-1) + 1, quoted=quote,
                          share=share, scores={s.text: score for score, s in ranked} if share else {},
                          held_share=self.answerer.meaning_share, period=period.words if period else "")
        answer.timings["verify_ms"] = answer.timings.get("verify_ms", 0.0) + _ms(time.perf_counter() - checking)
        return answer

    def _judged(self, answer: Answer, checked: Answer, query: str, vector, ranked, period) -> Answer:
        """`checked` (the model's checked `answer` after the news checks) unless the model, asked whether its quotes
        say the answer (rag.verified.judged), says no: then `answer` withheld, with the refusal the news checks
        give. The quotes read are those of the sides too when articles differ on a figure or day: "156 killed"
        and "158 killed" answer a how-many question that the model's own sentence may only lead into."""
        judging = time.perf_counter()
        verdict = judged(checked, self.generator)
        if verdict.refused:
            verdict = news_checks(self, dataclasses.replace(
                answer, text=verdict.text, citations=(), refused=True, removed=verdict.removed,
                repairs=verdict.repairs), query, vector, ranked, period)
        verdict.timings["judge_ms"] = _ms(time.perf_counter() - judging)
        return verdict

    def stats(self) -> dict:
        documents = self.store.documents()
        return {
            "store": str(self.settings.store),
            "documents": len(documents),
            "chunks": self.store.count(),
            "manifest": self.store.manifest,
            "by_document": documents,
        }

    def _check_question(self, question: str) -> str:
        if not isinstance(question, str):
            raise ConfigError(f"the question must be text, got {type(question).__name__}")
        cleaned = normalise_line(question)
        if not cleaned:
            raise ConfigError("the question is empty; ask something, e.g. \"Where were talks proposed?\"")
        limit = self.settings.max_question_chars
        if len(cleaned) > limit:
            raise ConfigError(
                f"the question is {len(cleaned):,} characters; the limit is {limit:,} "
                "(ask a shorter question, or raise RAG_MAX_QUESTION_CHARS)"
            )
        return cleaned

    def _check_k(self, k: int | None) -> int:
        k = self.settings.top_k if k is None else k
        if not isinstance(k, int) or not 1 <= k <= 100:
            raise ConfigError(f"k={k!r} must be a whole number between 1 and 100")
        return k


def _last(events: Iterator[Sources | str | Answer]) -> Answer:
    for event in events:
        if isinstance(event, Answer):
            return event
    raise AssertionError("stream() always ends with an Answer")


def _replace(answer: Answer, **changes) -> Answer:
    return dataclasses.replace(answer, **changes)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
