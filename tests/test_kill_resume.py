"""An ingest killed with SIGKILL half way is finished by the next run: no chunk lost, none duplicated."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from rag.chunking import chunk_document
from rag.clean import clean_document
from rag.loaders import iter_documents

pytestmark = pytest.mark.slow


def _corpus(path, n_docs=30):
    lines = []
    for i in range(n_docs):
        body = " ".join(f"Article {i} reports event {j} in city {i * 7 + j} with {j * 13} witnesses." for j in range(60))
        lines.append(json.dumps({"doc_id": f"a{i:02}", "title": f"Report {i}", "date": "2022-03-01", "text": body}))
    path.write_text("\n".join(lines) + "\n")


def _ingest(corpus, store):
    return subprocess.Popen(
        [sys.executable, "-m", "rag", "--store", str(store), "ingest", str(corpus)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigkill_mid_ingest_then_rerun_gives_every_chunk_exactly_once(tmp_path, assistant):
    corpus, store = tmp_path / "corpus.jsonl", tmp_path / "store"
    _corpus(corpus)
    settings = assistant.settings
    expected = {
        doc.doc_id: len(chunk_document(clean_document(doc), settings.chunk_size, settings.chunk_overlap))
        for doc in iter_documents([corpus])
    }
    run = _ingest(corpus, store)
    # Kill once the first batches are in the store and before the last one: the store's own sqlite file grows.
    deadline = time.monotonic() + 240
    sqlite = store / "chroma.sqlite3"
    while time.monotonic() < deadline and run.poll() is None:
        if sqlite.exists() and sqlite.stat().st_size > 600_000:
            break
        time.sleep(0.2)
    assert run.poll() is None, "the ingest finished before it could be killed; make the corpus larger"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    stats = subprocess.run([sys.executable, "-m", "rag", "--store", str(store), "stats", "--json"],
                           capture_output=True, text=True, timeout=120)
    assert 0 < json.loads(stats.stdout)["chunks"] < sum(expected.values())  # really killed half way

    rerun = _ingest(corpus, store)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err

    from rag.store import ChunkStore, manifest_for

    reopened = ChunkStore(store, settings.collection, manifest_for(
        assistant.embedder.name, assistant.embedder.dim, settings.chunk_size, settings.chunk_overlap))
    per_doc = Counter()
    hashes = {}
    for _, meta in reopened._all_metadatas():
        per_doc[meta["doc_id"]] += 1
        hashes.setdefault(meta["doc_id"], set()).add(meta["content_hash"])
    assert dict(per_doc) == expected
    assert all(len(h) == 1 for h in hashes.values())
    assert reopened.count() == sum(expected.values())
