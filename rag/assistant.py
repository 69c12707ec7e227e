"""Assistant: ingest, search and ask; composes loading, chunking, embedding, storage, retrieval and answering."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from rag import prompts
from rag.asked import asked_kind, gives
from rag.cite import CITATION_MARK, verify
from rag.clean import normalise_line
from rag.embed import Embedder
from rag.errors import ConfigError, GenerationError, RagError
from rag.extractive import ExtractiveAnswerer, excerpts
from rag.generate import Generator, generate
from rag.ingest import SEEDS_DIR, sync
from rag.prompts import REFUSAL
from rag.retrieve import describe_filters, make_filters
from rag.sentences import split_sentences
from rag.settings import Settings
from rag.store import ChunkStore
from rag.types import Answer, IngestReport, Passage

History = Sequence[Mapping[str, str]]  # [{"question": …, "answer": …}] or chat messages [{"role", "content"}]
# A message that leans on the conversation: a pronoun with nothing in the message for it to stand for ("What did
# he demand?"; not "What did Peskov say he expected?"), a pointing word used as one ("Why that?", "What happened
# there?"; not the "that" of "said that Kyiv could fall"), or an elliptical opening ("And in the east?", "What
# about Zelensky?"), or four words or fewer with no name in them ("How many?"; not "Who is Peskov?"). Only such
# messages cost a rewrite by the model; others are searched as they are.
_PRONOUN = re.compile(r"\b(?:he|she|its|they|him|her|his|hers|them|their|theirs)\b", re.IGNORECASE)
# "it" points at a thing of the conversation ("recognize it as?") unless it opens "it is/was" ("Is it true …").
_POINTING = re.compile(
    r"\b(?:this|that|these|those)\b(?!\s+(?:he|she|it|they|we|i|you|the|a|an|his|her|their|its|[A-Z]))|"
    r"\b(?:there|the same|former|latter|else)\b|\bit\b(?!\s+(?:is|was|will|would|has|had)\b)",
)
_ELLIPTICAL = re.compile(r"^\s*(?:and|but|also|what about|how about|what else|why not|why|how so)\b", re.IGNORECASE)
_REWRITE_TOKENS = 60

class Assistant:
    """Answers questions from the articles in one store. `Assistant()` uses RAG_* settings and store/."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        store: ChunkStore | None = None,
        generator: Generator | None = None,
        seed_if_empty: bool = True,
    ) -> None:
        """`generator` defaults to the one RAG_LLM picks; pass one to use another model (or a fake in tests)."""
        from rag import factory

        self.settings = settings or Settings.from_env()
        self.embedder = embedder or factory.build_embedder(self.settings)
        self.store = store or factory.build_store(self.settings, self.embedder)
        self.retriever = factory.build_retriever(self.settings, self.store)
        self.answerer = ExtractiveAnswerer(self.embedder, self.settings.min_sentence_score)
        self.generator = generator if generator is not None else factory.build_generator(self.settings)
        if seed_if_empty and self.store.count() == 0:
            self.ingest([SEEDS_DIR], progress=False)

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
        self, query: str, k: int | None = None, distinct_documents: bool = False, *, since=None, until=None,
        sources=None, as_of=None,
    ) -> list[Passage]:
        """The passages that best match `query`; `since`/`until` (YYYY-MM-DD) and `sources` limit which articles,
        `as_of` leaves out later ones and prefers those published close to it."""
        query = self._check_question(query)
        filters = make_filters(since, until, sources, as_of)
        vector = self.embedder.embed([query])[0]
        return self.retriever.search(query, vector, self._check_k(k), distinct_documents, filters)

    def ask(self, question: str, k: int | None = None, *, since=None, until=None, sources=None, as_of=None) -> Answer:
        """Answer one question from the articles; `Answer.text` cites passages as [n]. `since`/`until`
        (YYYY-MM-DD, inclusive) and `sources` (publisher names) limit which articles may answer; `as_of` is the
        day the question is asked (later articles are left out, those close to it preferred)."""
        return _last(self.stream(question, k=k, since=since, until=until, sources=sources, as_of=as_of))

    def chat(
        self, message: str, history: History = (), k: int | None = None, *, since=None, until=None, sources=None,
        as_of=None,
    ) -> Answer:
        """Answer a message in a conversation: a follow-up is made standalone before retrieval."""
        return _last(self.stream(message, history, k, since=since, until=until, sources=sources, as_of=as_of))

    def stream(
        self, question: str, history: History = (), k: int | None = None, *, since=None, until=None, sources=None,
        as_of=None,
    ) -> Iterator[str | Answer]:
        """Text pieces as the model writes them, then the verified Answer (always last, always once).

        The streamed text is the model's draft; the Answer's text is what survived citation checking."""
        question = self._check_question(question)
        k = self._check_k(k)
        filters = make_filters(since, until, sources, as_of)
        started = time.perf_counter()
        timings: dict[str, float] = {}
        query = self.standalone(question, history, timings)
        searching = time.perf_counter()
        vector = self.embedder.embed([query])[0]
        passages = self.retriever.search(query, vector, k, filters=filters)
        timings["retrieve_ms"] = _ms(time.perf_counter() - searching)
        answer = Answer(question, REFUSAL, (), True, tuple(passages), timings, query=query, filters=filters)
        if not passages and filters:
            answer = _replace(answer, warnings=(f"no article matches {describe_filters(filters)}; widen the filters",))
        elif not passages:
            answer = _replace(answer, warnings=(
                f"the store {self.settings.store} is empty; add articles with: python -m rag ingest PATH",))
        elif max(p.score for p in passages) < self.settings.min_score:
            pass  # the evidence is too weak to be worth a model's time: refuse at once
        elif self.generator is None:
            answer = self._extract(answer, query, vector, passages)
        else:
            answer = yield from self._generate(answer, query, vector, passages)
        answer.timings["total_ms"] = _ms(time.perf_counter() - started)
        yield answer

    def standalone(self, message: str, history: History, timings: dict[str, float] | None = None) -> str:
        """The message as a question that needs no conversation to be understood (the retrieval query)."""
        turns = _turns(history)
        if not turns or not leans_on_conversation(message):
            return message
        previous = turns[-1][0]
        if self.generator is None:
            return f"{previous} {message}"  # the embedder reads both; the earlier question names the subject
        started = time.perf_counter()
        try:
            rewritten = generate(self.generator, prompts.rewrite_messages(message, turns[-3:]), _REWRITE_TOKENS)
        except GenerationError:
            rewritten = ""
        if timings is not None:
            timings["rewrite_ms"] = _ms(time.perf_counter() - started)
        rewritten = rewritten.strip().splitlines()[0].strip(" \"'") if rewritten.strip() else ""
        unusable = (
            not rewritten
            or len(rewritten) > 3 * len(message) + 200
            or prompts.is_refusal(rewritten)
            # repeated the earlier question, or gave the follow-up back unchanged
            or rewritten.lower().rstrip("?") in (previous.lower().rstrip("?"), message.lower().rstrip("?"))
        )
        if unusable:
            return f"{previous} {message}"
        return rewritten

    def _extract(self, answer: Answer, query: str, vector: list[float], passages: list[Passage]) -> Answer:
        started = time.perf_counter()
        result = self.answerer.answer(query, vector, passages)
        answer.timings["generate_ms"] = _ms(time.perf_counter() - started)
        if result is None:
            return answer
        text, citations = result
        return _replace(answer, text=text, citations=citations, refused=False)

    def _generate(self, answer: Answer, query: str, vector: list[float], passages: list[Passage]):
        started = time.perf_counter()
        ranked = self.answerer.rank(query, vector, passages)
        shown = excerpts(ranked, passages, self.settings.prompt_words)
        # The passages the model reads come first and keep their numbers in the Answer, so [n] means one thing.
        order = [i for i, _ in shown] + [i for i in range(len(passages)) if i not in {i for i, _ in shown}]
        passages = [passages[i] for i in order]
        blocks = prompts.passage_blocks(passages, [text for _, text in shown])
        answer = _replace(answer, passages=tuple(passages))
        messages = prompts.answer_messages(query, blocks)
        pieces: list[str] = []
        generating = time.perf_counter()
        try:
            for piece in self.generator.stream(messages, self.settings.max_tokens):
                if not pieces:
                    answer.timings["ttft_ms"] = _ms(time.perf_counter() - generating)
                pieces.append(piece)
                yield piece
        except GenerationError as exc:
            fallback = self._extract(answer, query, vector, passages)
            warning = f"the LLM failed ({exc}); this answer quotes the passages instead"
            return _replace(fallback, warnings=answer.warnings + (warning,))
        answer.timings["generate_ms"] = _ms(time.perf_counter() - started)
        checking = time.perf_counter()
        answer = self._verified(answer, "".join(pieces), len(shown))
        answer.timings["verify_ms"] = _ms(time.perf_counter() - checking)
        return answer

    def _verified(self, answer: Answer, draft: str, n_shown: int) -> Answer:
        """The model's draft with its citations checked; a refusal, or an answer no passage supports, refuses."""
        sentences = [s for _, s in split_sentences(draft.strip())]
        if not sentences or prompts.is_refusal(sentences[0]):
            return answer
        kept = " ".join(s for s in sentences if not prompts.is_refusal(s))
        checked = verify(kept, answer.passages[:n_shown])
        if checked.supported == 0:
            return _replace(answer, removed=checked.removed, repairs=checked.repairs + (
                f"withheld an answer no passage supports: “{draft.strip()}”",))
        asked = answer.query or answer.question
        kind = asked_kind(asked)
        context = " ".join(p.text for p in answer.passages[:n_shown]) if kind is not None else ""
        if not gives(kind, asked, CITATION_MARK.sub("", checked.text), context):
            return _replace(answer, removed=checked.removed, repairs=checked.repairs + (
                f"withheld “{checked.text}”: the question asks for a {kind} and the checked answer gives none",))
        return _replace(answer, text=checked.text, citations=checked.citations, refused=False, repairs=checked.repairs,
                        removed=checked.removed)

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


def leans_on_conversation(message: str) -> bool:
    """Whether a message needs the conversation before it to be understood (see _PRONOUN and _POINTING)."""
    named = [m.start() for m in re.finditer(r"(?<=\s)[A-Z][\w’'-]+", message)]  # names, not the first word
    pronoun = _PRONOUN.search(message)
    if pronoun and not any(at < pronoun.start() for at in named):
        return True
    if _POINTING.search(message) or _ELLIPTICAL.match(message):
        return True
    return len(message.split()) <= 4 and not named


def _last(events: Iterator[str | Answer]) -> Answer:
    for event in events:
        if isinstance(event, Answer):
            return event
    raise AssertionError("stream() always ends with an Answer")


def _replace(answer: Answer, **changes) -> Answer:
    return dataclasses.replace(answer, **changes)


def _turns(history: History) -> list[tuple[str, str]]:
    """(question, answer) pairs from either history shape; anything else is a ConfigError."""
    turns: list[tuple[str, str]] = []
    for item in history or ():
        if not isinstance(item, Mapping):
            raise ConfigError(f"history items must be dicts with question/answer or role/content, got {item!r:.60}")
        if "question" in item:
            turns.append((str(item["question"]), str(item.get("answer", ""))))
        elif item.get("role") == "user":
            turns.append((str(item.get("content", "")), ""))
        elif item.get("role") == "assistant" and turns:
            turns[-1] = (turns[-1][0], str(item.get("content", "")))
        elif item.get("role") not in ("assistant", "system"):
            raise ConfigError(f"history item {item!r:.60} has neither 'question' nor a user/assistant 'role'")
    return [(q, CITATION_MARK.sub("", a).strip()) for q, a in turns if q.strip()]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
