"""Run by test_crash_injection.py in a subprocess, over one corpus folder and one store:

    crash_driver.py run   STORE CORPUS SEED [POINT]   ingest version 1, change the files, ingest version 2
                                                     (with --prune) and SIGKILL this process at POINT
    crash_driver.py fill  STORE CORPUS                ingest a corpus that does not fit on the store's disk
    crash_driver.py check STORE CORPUS                what a reader sees now, then the next ingest, then the
                                                     store's state, as one JSON line on stdout

POINT is METHOD:N (killed on entering the Nth call), METHOD:N:MS (killed MS milliseconds into it, wherever the
process is by then, inside Chroma's native code included) or time:MS (MS after the second ingest starts).
METHOD is a ChunkStore method (upsert, delete_other_versions, delete_document, bump_generation) or bm25_build.
The run prints the second ingest's duration in ms when nothing killed it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from pathlib import Path

from rag.assistant import Assistant
from rag.chunking import chunk_document
from rag.clean import clean_document
from rag.errors import StoreError
from rag.factory import build_assistant
from rag.loaders import iter_documents
from rag.settings import Settings
from rag.testing import HashEmbedder

CHUNK_SIZE, CHUNK_OVERLAP = 40, 8  # words-sized chunks: several per article, so writes come in many calls
WORDS = "talks troops border capital sanctions minister city forces report peace grain port rail bank vote".split()


def open_assistant(store: Path) -> Assistant:
    settings = Settings(store=store, chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, retrieval="hybrid", llm="extractive")
    return build_assistant(settings, embedder=HashEmbedder(dim=256), seed_if_empty=False)


def write_article(corpus: Path, name: str, version: int, rng: random.Random) -> None:
    """An article of a few chunks; every sentence carries a marker word unique to this name and version."""
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + f" v{version}x{name}."
        for _ in range(rng.randint(4, 30))
    ]
    (corpus / f"{name}.txt").write_text("\n\n".join(sentences), encoding="utf-8")


def change_corpus(corpus: Path, rng: random.Random) -> None:
    """Version 2: some articles rewritten, some deleted, one renamed, some new."""
    names = sorted(p.stem for p in corpus.glob("*.txt"))
    rng.shuffle(names)
    for name in names[:5]:
        write_article(corpus, name, 2, rng)
    for name in names[5:7]:
        (corpus / f"{name}.txt").unlink()
    (corpus / f"{names[7]}.txt").rename(corpus / f"{names[7]}-moved.txt")
    for i in range(4):
        write_article(corpus, f"new{i}", 2, rng)


def kill_after(delay_ms: float) -> None:
    """SIGKILL this process `delay_ms` from now, from a forked process, so the signal lands wherever this one is."""
    target = os.getpid()
    if os.fork() == 0:
        time.sleep(delay_ms / 1000)
        os.kill(target, signal.SIGKILL)
        os._exit(0)


def arm(assistant: Assistant, point: str) -> None:
    method, *rest = point.split(":")
    if method == "time":
        kill_after(float(rest[0]))
        return
    owner, attribute = {
        "bm25_build": (assistant.retriever.lexical, "_build"),
        "bump_generation": (assistant.store, "_bump_generation"),
    }.get(method, (assistant.store, method))
    real = getattr(owner, attribute)
    nth = int(rest[0])
    calls = 0

    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == nth:
            if len(rest) == 1:
                os.kill(os.getpid(), signal.SIGKILL)
            kill_after(float(rest[1]))
        return real(*args, **kwargs)

    setattr(owner, attribute, wrapper)


def run(store: Path, corpus: Path, seed: int, point: str | None) -> None:
    rng = random.Random(seed)
    corpus.mkdir(parents=True, exist_ok=True)
    for i in range(12):
        write_article(corpus, f"a{i:02}", 1, rng)
    assistant = open_assistant(store)
    assistant.ingest([corpus], progress=False, on_notice=print)
    change_corpus(corpus, rng)
    if point:
        arm(assistant, point)
    started = time.perf_counter()
    assistant.ingest([corpus], prune=True, progress=False, on_notice=print)
    print(round((time.perf_counter() - started) * 1000))


def fill(store: Path, corpus: Path) -> None:
    """Ingest CORPUS holding small/, then again once it also holds big/, which does not fit on the store's disk."""
    rng = random.Random(7)
    assistant = open_assistant(store)
    for folder, count in (("small", 10), ("big", 300)):
        (corpus / folder).mkdir(parents=True)
        for i in range(count):
            write_article(corpus / folder, f"{folder}{i:04}", 1, rng)
        if folder == "small":
            assistant.ingest([corpus], progress=False)  # the articles already stored when the disk fills
    kept = sorted(chunk_id for chunk_id, _ in assistant.store._all_metadatas())
    try:
        assistant.ingest([corpus], progress=False)
        error = None
    except StoreError as exc:
        error = str(exc)
    try:
        open_assistant(store).search("talks", k=1)  # a reader while the disk is still full
        reader = None
    except StoreError as exc:
        reader = str(exc)
    print(json.dumps({"kept": kept, "error": error, "reader": reader}))


def check(store: Path, corpus: Path) -> None:
    assistant = open_assistant(store)
    seen_ids = sorted(chunk_id for chunk_id, _ in assistant.store._all_metadatas())
    seen_bm25 = sorted(assistant.retriever.lexical.refresh().ids)
    report = assistant.ingest([corpus], prune=True, progress=False, on_notice=print)
    chunks = [
        {"id": chunk_id, "doc_id": meta["doc_id"], "hash": meta["content_hash"], "n_chunks": meta["n_chunks"]}
        for chunk_id, meta in assistant.store._all_metadatas()
    ]
    # Every article must be found by both indexes: its first chunk's own vector by the vector search, and
    # the marker word only it carries by BM25.
    found = {}
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        first = chunk_document(clean_document(next(iter_documents([path]))), CHUNK_SIZE, CHUNK_OVERLAP)[0]
        [vector] = assistant.embedder.embed([first.text])
        nearest = assistant.store.query(vector, k=1)
        [marker] = {word.rstrip(".") for word in text.split() if word.startswith("v") and "x" in word}
        words = assistant.retriever.lexical.search(marker, k=1)
        found[path.relative_to(corpus).with_suffix("").as_posix()] = [nearest[0].doc_id if nearest else None, words[0][0].split("#")[0] if words else None]
    print(json.dumps({
        "before_repair": {"chunks": seen_ids, "bm25": seen_bm25},
        "repair": {"added": len(report.added), "updated": len(report.updated), "removed": len(report.removed)},
        "chunks": chunks,
        "bm25": sorted(assistant.retriever.lexical.refresh().ids),
        "found": found,
    }))


if __name__ == "__main__":
    mode, store, corpus, *rest = sys.argv[1:]
    if mode == "run":
        run(Path(store), Path(corpus), int(rest[0]), rest[1] if len(rest) > 1 else None)
    elif mode == "fill":
        fill(Path(store), Path(corpus))
    else:
        check(Path(store), Path(corpus))
