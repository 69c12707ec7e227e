"""Sync ingestion as a state machine: random file edits, renames, deletes, ingests (plain, pruning, rebuilding,
dry runs), removes and reopens, with the store checked against a model of what it must hold after every step,
and again after reopening it.

CI runs a bounded number of sequences; RAG_SYNC_EXAMPLES=500 runs more.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from rag.chunking import chunk_document, content_hash
from rag.clean import clean_document
from rag.dedup import NEAR_DUPLICATE, signature, similarity
from rag.factory import build_assistant
from rag.ingest import SEEDS_DIR
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
        self.assistant = build_assistant(self.settings, embedder=self.embedder, seed_if_empty=False)
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
        self.assistant = build_assistant(self.settings, embedder=self.embedder, seed_if_empty=False)

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


def bounded(machine, examples: int, steps: int):
    """The machine's test case, run for `examples` sequences (RAG_SYNC_EXAMPLES for more) of up to `steps`."""
    case = machine.TestCase
    case.settings = settings(
        max_examples=int(os.environ.get("RAG_SYNC_EXAMPLES", str(examples))),
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    return case


TestSync = bounded(SyncMachine, examples=100, steps=15)


# ---- articles that must never be lost -------------------------------------------------------------------------

ROOTS = ["x", "y"]  # two collections with the same relative file names
TEXT_NAMES = ["story", "sub/story", "other"]
FEED = "feed.jsonl"
RECORDS = ["r0", "r1", "r2"]
_MARK = re.compile(r"\bk(\w+?)q(\d+)z\b")  # each article's sentences carry "k<key>q<version>z"


class ArticlesMachine(RuleBasedStateMachine):
    """Two folders with the same file names, JSONL feeds of several articles, files skipped for size or because
    they cannot be read, uploads with equal names, per-article deletes on the page, and the demo articles first.

    The model knows which articles (file, key in the file) must be stored and in which version. Invariants: every
    article of a file that exists and was read is stored, in the version last read; nothing is stored twice; the
    demo articles are there only until the user's own are."""

    def __init__(self) -> None:
        import app

        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="rag-articles-"))
        self.settings = Settings(
            store=self.root / "store", uploads=self.root / "uploads", chunk_size=40, chunk_overlap=8,
            max_document_mb=0.004,  # 4,000 bytes: a "bloated" file is skipped for size
        )
        self.embedder = HashEmbedder(dim=128)
        self.app = app
        self.version = 0
        self.required: dict[tuple[str, str], int] = {}  # (file, key) -> version the store must hold
        self.stale: dict[tuple[str, str], int] = {}  # held once, file gone since: may stay or go, never twice
        self.uploaded: set[tuple[str, int]] = set()  # (key, version) of each article uploaded and not deleted
        self.demo = False

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @initialize(demo=st.booleans())
    def open_store(self, demo: bool) -> None:
        self.assistant = build_assistant(self.settings, embedder=self.embedder, seed_if_empty=demo)
        self.page = self.app.Page(self.assistant)
        self.demo = demo

    def _article(self, key: str, sentences: list[str]) -> str:
        self.version += 1
        return " ".join(f"{s[:-1]} k{key}q{self.version}z." for s in sentences)

    # ---- the user's files ----

    @rule(root=st.sampled_from(ROOTS), name=st.sampled_from(TEXT_NAMES), body=articles)
    def write_text(self, root: str, name: str, body: list[str]) -> None:
        path = self.root / root / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # it may be a pipe
        path.write_text(self._article("t", body))

    @rule(root=st.sampled_from(ROOTS), keys=st.lists(st.sampled_from(RECORDS), min_size=1, max_size=3, unique=True),
          body=articles, bad_line=st.booleans())
    def write_feed(self, root: str, keys: list[str], body: list[str], bad_line: bool) -> None:
        lines = [json.dumps({"doc_id": key, "text": self._article(key, body)}) for key in keys]
        if bad_line:
            lines.insert(1, '{"doc_id": "broken", "text": ')
        path = self.root / root / FEED
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # it may be a pipe
        path.write_text("\n".join(lines) + "\n")

    @precondition(lambda self: self._user_files())
    @rule(data=st.data(), how=st.sampled_from(["delete", "bloat", "pipe"]))
    def spoil_file(self, data, how: str) -> None:
        path = data.draw(st.sampled_from(self._user_files()))
        path.unlink()
        if how == "bloat":  # over RAG_MAX_DOCUMENT_MB (a file, or a feed's line): skipped, its stored articles stay
            text = self._article("t" if path.suffix == ".txt" else "r0", ["Sanctions talks went on."] * 200)
            path.write_text(text if path.suffix == ".txt" else json.dumps({"doc_id": "r0", "text": text}) + "\n")
        elif how == "pipe":  # not a regular file: cannot be read in this run
            os.mkfifo(path)

    # ---- ingests, removes, the page ----

    @rule(roots=st.lists(st.sampled_from(ROOTS), min_size=1, max_size=2, unique=True), prune=st.booleans())
    def ingest(self, roots: list[str], prune: bool) -> None:
        paths = [self.root / r for r in roots if (self.root / r).exists()]
        if paths:
            self.assistant.ingest(paths, prune=prune, progress=False, on_notice=lambda line: None)
            self._read(paths, prune)

    @rule()
    def ingest_uploads(self) -> None:
        if self.settings.uploads.exists():
            self.assistant.ingest([self.settings.uploads], prune=True, progress=False, on_notice=lambda line: None)
            self._read([self.settings.uploads], prune=True)

    @rule(name=st.sampled_from(["story.txt", FEED]), keys=st.lists(st.sampled_from(RECORDS), min_size=1, max_size=3,
          unique=True), body=articles)
    def upload(self, name: str, keys: list[str], body: list[str]) -> None:
        self.version += 1
        source = self.root / "desktop" / str(self.version) / name
        source.parent.mkdir(parents=True)
        if name == FEED:
            source.write_text("".join(json.dumps({"doc_id": k, "text": self._article(k, body)}) + "\n" for k in keys))
        else:
            source.write_text(self._article("t", body))
        self.page.add_files([str(source)])
        self.uploaded |= {(m.group(1), int(m.group(2))) for m in _MARK.finditer(source.read_text())}
        self._read([p for p in self.settings.uploads.iterdir() if p.read_bytes() == source.read_bytes()], prune=False)

    @precondition(lambda self: self.required)
    @rule(data=st.data(), on_page=st.booleans())
    def delete(self, data, on_page: bool) -> None:
        held = self._held()
        key = data.draw(st.sampled_from(sorted(k for k in held if k in self.required)))
        doc_id = held[key][0]
        self.uploaded.discard((key[1], held[key][1]))
        if on_page:
            self.page.delete(doc_id)
        else:
            self.assistant.remove(doc_id)
        del self.required[key]

    @rule()
    def rebuild(self) -> None:
        paths = [p for p in (self.root / "x", self.root / "y", self.settings.uploads) if p.exists()]
        if paths:
            self.assistant.ingest(paths, rebuild=True, progress=False, on_notice=lambda line: None)
            self.required, self.stale, self.demo = {}, {}, False
            self._read(paths, prune=False)

    @rule()
    def reopen(self) -> None:
        self.assistant = build_assistant(self.settings, embedder=self.embedder, seed_if_empty=False)
        self.page = self.app.Page(self.assistant)

    # ---- the model ----

    def _user_files(self) -> list[Path]:
        return sorted(p for r in ROOTS for p in (self.root / r).rglob("*") if p.suffix in (".txt", ".jsonl"))

    def _read(self, paths: list[Path], prune: bool) -> None:
        """What an ingest of `paths` must leave: each article read in its new version; with `prune`, the
        articles of files gone, and the lines gone from feeds read whole, no longer required."""
        found = {f for p in paths for f in ([p] if p.is_file() else p.rglob("*"))}
        files = sorted(f for f in found if f.suffix in (".txt", ".jsonl"))
        whole: set[str] = set()
        read_any = False
        for file in files:
            if not file.is_file() or file.stat().st_size > 4000 and file.suffix == ".txt":
                continue
            keys_read = {}
            lines = file.read_text().splitlines() if file.suffix == ".jsonl" else [file.read_text()]
            readable = [line for line in lines if len(line) <= 4000 and "broken" not in line]
            for line in readable:
                found = _MARK.search(line)
                keys_read[found.group(1)] = int(found.group(2))
            if file.suffix == ".jsonl" and readable == lines:
                whole.add(str(file.resolve()))
            for key, version in keys_read.items():
                self.required[(str(file.resolve()), key)] = version
                read_any = True
        self.demo = self.demo and not read_any
        roots = [p.resolve() for p in paths]
        for (file, key), version in list(self.required.items()):
            path = Path(file)
            under = any(path == r or r in path.parents for r in roots)
            if not path.exists():
                del self.required[(file, key)]
                if not (prune and under):
                    self.stale[(file, key)] = version
            elif prune and under and file in whole and (file, key) not in {(str(f.resolve()), k) for f in files
                                                                             for k in self._keys(f)}:
                del self.required[(file, key)]
        if prune:
            self.stale = {k: v for k, v in self.stale.items() if not any(r in Path(k[0]).parents for r in roots)}

    @staticmethod
    def _keys(file: Path) -> set[str]:
        return {m.group(1) for m in _MARK.finditer(file.read_text())} if file.is_file() else set()

    def _held(self) -> dict[tuple[str, str], list]:
        """(file, key) -> [doc_id, version, ...] for every stored user article (doc_ids past the first are copies)."""
        page = self.assistant.store._collection.get(include=["metadatas", "documents"])
        docs: dict[str, tuple[str, set]] = {}
        for meta, text in zip(page["metadatas"], page["documents"]):
            marks = docs.setdefault(meta["doc_id"], (meta["path"], set()))[1]
            marks.update((m.group(1), int(m.group(2))) for m in _MARK.finditer(text))
        held: dict[tuple[str, str], list] = {}
        for doc_id, (path, marks) in docs.items():
            if Path(path).is_relative_to(SEEDS_DIR):
                continue
            assert len(marks) == 1, (doc_id, path, marks)  # one article, one version, in every chunk
            [(key, version)] = marks
            held.setdefault((path, key), []).extend([doc_id, version])
        return held

    @invariant()
    def every_article_read_is_stored_once_in_its_last_version(self) -> None:
        if not hasattr(self, "assistant"):
            return
        held = self._held()
        for key, version in self.required.items():
            assert key in held, ("lost", key, version)
            assert held[key][1::2] == [version], ("stored twice or stale", key, held[key], version)
        for key, found in held.items():
            assert len(found) == 2, ("stored twice", key, found)
            assert key in self.required or self.stale.get(key) == found[1], ("unexpected", key, found)
        uploads = self.settings.uploads.resolve()
        kept = {(key, found[1]) for (path, key), found in held.items() if Path(path).is_relative_to(uploads)}
        assert self.uploaded <= kept, ("an upload lost", self.uploaded - kept)  # same-named uploads, a feed's siblings
        demo = {d["doc_id"] for d in self.assistant.store.documents() if Path(d["path"]).is_relative_to(SEEDS_DIR)}
        assert bool(demo) == self.demo, ("demo articles", demo, self.demo)


TestArticles = bounded(ArticlesMachine, examples=60, steps=20)
