"""Sync ingestion as a state machine: random file edits, renames, deletes, ingests (plain, pruning, rebuilding,
dry runs), removes and reopens, with the store checked against a model of what it must hold after every step,
and again after reopening it.

CI runs a bounded number of sequences; RAG_SYNC_EXAMPLES=500 runs more.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from rag.assistant import Assistant
from rag.chunking import chunk_document, content_hash
from rag.clean import clean_document
from rag.dedup import NEAR_DUPLICATE, signature, similarity
from rag.loaders import iter_documents
from rag.settings import Settings
from rag.store import ChunkStore, manifest_for
from rag.testing import HashEmbedder

WORDS = "talks troops border capital sanctions minister city forces report peace grain port rail bank vote".split()
NAMES = ["a", "b", "c", "d", "sub/e", "sub/f"]

sentences = st.lists(st.sampled_from(WORDS), min_size=4, max_size=12).map(lambda w: " ".join(w).capitalize() + ".")
articles = st.lists(sentences, min_size=1, max_size=8)


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="rag-sync-"))
        self.corpus = self.root / "corpus"
        self.corpus.mkdir()
        self.settings = Settings(store=self.root / "store", chunk_size=40, chunk_overlap=8, retrieval="hybrid")
        self.embedder = HashEmbedder(dim=256)
        self.assistant = Assistant(self.settings, embedder=self.embedder, seed_if_empty=False)
        self.stored: dict[str, Path] = {}  # what the store must hold: doc_id -> the file it was ingested from
        self.stored_text: dict[str, str] = {}
        self.version = 0

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _files(self) -> dict[str, Path]:
        return {p.relative_to(self.corpus).with_suffix("").as_posix(): p for p in self.corpus.rglob("*.txt")}

    @rule(name=st.sampled_from(NAMES), body=articles)
    def write_file(self, name: str, body: list[str]) -> None:
        self.version += 1
        path = self.corpus / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        # A marker word unique to this version makes its text findable among all the others.
        path.write_text("\n\n".join(f"{s[:-1]} v{self.version}x{name.replace('/', '')}." for s in body))

    @precondition(lambda self: self._files())
    @rule(data=st.data())
    def delete_file(self, data) -> None:
        name = data.draw(st.sampled_from(sorted(self._files())))
        self._files()[name].unlink()

    @precondition(lambda self: self._files())
    @rule(data=st.data(), new=st.sampled_from(NAMES))
    def rename_file(self, data, new: str) -> None:
        old = data.draw(st.sampled_from(sorted(self._files())))
        target = self.corpus / f"{new}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        self._files()[old].rename(target)

    @rule(prune=st.booleans())
    def ingest(self, prune: bool) -> None:
        self.assistant.ingest([self.corpus], prune=prune, progress=False, on_notice=lambda line: None)
        files = self._files()
        if prune:
            self.stored = {}
            self.stored_text = {}
        for doc_id, path in files.items():
            self.stored[doc_id] = path
            self.stored_text[doc_id] = path.read_text()

    @rule()
    def rebuild(self) -> None:
        self.assistant.ingest([self.corpus], rebuild=True, progress=False, on_notice=lambda line: None)
        files = self._files()
        self.stored = dict(files)
        self.stored_text = {doc_id: path.read_text() for doc_id, path in files.items()}

    @rule(prune=st.booleans())
    def dry_run(self, prune: bool) -> None:
        before = self._actual_chunks(self.assistant.store)
        self.assistant.ingest([self.corpus], prune=prune, dry_run=True, progress=False, on_notice=lambda line: None)
        assert self._actual_chunks(self.assistant.store) == before

    @precondition(lambda self: self.stored)
    @rule(data=st.data())
    def remove(self, data) -> None:
        doc_id = data.draw(st.sampled_from(sorted(self.stored)))
        self.assistant.remove(doc_id)
        del self.stored[doc_id]
        del self.stored_text[doc_id]

    @rule()
    def reopen(self) -> None:
        self.assistant = Assistant(self.settings, embedder=self.embedder, seed_if_empty=False)

    def _expected_chunks(self) -> Counter:
        expected: Counter = Counter()
        for doc_id, text in self.stored_text.items():
            path = self.root / "expected" / f"{doc_id}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            [doc] = list(iter_documents([path]))
            doc = clean_document(dataclasses.replace(doc, doc_id=doc_id))
            for chunk in chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap):
                expected[(doc_id, content_hash(doc), chunk.index, chunk.text)] += 1
        return expected

    def _actual_chunks(self, store: ChunkStore) -> Counter:
        page = store._collection.get(include=["metadatas", "documents"])
        return Counter(
            (m["doc_id"], m["content_hash"], m["index"], text) for m, text in zip(page["metadatas"], page["documents"])
        )

    @invariant()
    def store_holds_exactly_the_current_chunks(self) -> None:
        expected = self._expected_chunks()
        assert self._actual_chunks(self.assistant.store) == expected
        manifest = manifest_for(self.embedder.name, self.embedder.dim, self.settings.chunk_size, self.settings.chunk_overlap)
        reopened = ChunkStore(self.settings.store, self.settings.collection, manifest)
        assert self._actual_chunks(reopened) == expected

    @invariant()
    def the_word_index_holds_the_same_chunks_as_chroma(self) -> None:
        from rag.lexical import LexicalIndex

        chunk_ids = sorted(chunk_id for chunk_id, _, _ in self.assistant.store.all_chunks())
        for lexical in (self.assistant.retriever.lexical, LexicalIndex(self.assistant.store)):  # live, and reloaded
            lexical.refresh()
            assert sorted(lexical.chunk_ids) == chunk_ids

    @invariant()
    def every_document_is_found_by_its_own_words(self) -> None:
        for doc_id, text in self.stored_text.items():
            first_sentence = text.split("\n\n")[0]
            found = [p.doc_id for p in self.assistant.search(first_sentence, k=5)]
            # or a near-duplicate of it (a renamed copy not yet pruned), which results show in its place
            copies = [f for f in found if similarity(signature(text), signature(self.stored_text[f])) >= NEAR_DUPLICATE]
            assert doc_id in found or copies, (doc_id, first_sentence, found)


TestSync = SyncMachine.TestCase
TestSync.settings = settings(
    max_examples=int(os.environ.get("RAG_SYNC_EXAMPLES", "100")),
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
