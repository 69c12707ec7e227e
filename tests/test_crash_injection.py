"""Ingests killed with SIGKILL at many points, inside Chroma's own writes and the BM25 index's included: whatever
a reader opens afterwards is consistent (the word index covers exactly the stored chunks), and the next ingest
leaves exactly the chunks of the current files, each once, every article findable.

The store is real (embedded Chroma); the embedder is the instant HashEmbedder, so a run takes seconds.
RAG_CRASH_RUNS=N adds N kills at random moments (CI: 4).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from crash_driver import CHUNK_OVERLAP, CHUNK_SIZE
from rag.chunking import chunk_document, content_hash
from rag.clean import clean_document
from rag.loaders import iter_documents

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("crash_driver.py")
ROOT = Path(__file__).resolve().parents[1]

# METHOD:N kills on entering the Nth call; METHOD:N:MS kills MS milliseconds into it (see crash_driver.py).
POINTS = [
    "upsert:1",
    "upsert:3:4",
    "upsert:7:1",
    "delete_other_versions:1",
    "delete_other_versions:3:3",
    "delete_document:1",
    "delete_document:2:2",
    "bump_generation:1:2",  # the write session's first token
    "bump_generation:2",  # its last
    "bump_generation:2:2",
    "bm25_build:1",
    "bm25_build:1:15",
]


def _driver(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(DRIVER), *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=300)


def _expected(corpus: Path) -> dict[str, tuple[str, int]]:
    """doc_id -> (content hash, chunk count) of the files as they are now."""
    expected = {}
    for doc in iter_documents([corpus]):
        doc = clean_document(doc)
        expected[doc.doc_id] = (content_hash(doc), len(chunk_document(doc, CHUNK_SIZE, CHUNK_OVERLAP)))
    return expected


def _crash_and_check(tmp_path: Path, seed: int, point: str) -> dict:
    store, corpus = tmp_path / f"store-{seed}", tmp_path / f"corpus-{seed}"
    crashed = _driver("run", store, corpus, seed, point)
    assert crashed.returncode == -9, f"{point}: not killed (rc {crashed.returncode}): {crashed.stderr[-2000:]}"
    checked = _driver("check", store, corpus)
    assert checked.returncode == 0, f"{point}: {checked.stderr[-2000:]}"
    state = json.loads(checked.stdout.splitlines()[-1])

    before = state["before_repair"]
    assert before["bm25"] == before["chunks"], f"{point}: after the crash the word index disagrees with the store"

    expected = _expected(corpus)
    per_doc = Counter(chunk["doc_id"] for chunk in state["chunks"])
    assert dict(per_doc) == {doc_id: n for doc_id, (_, n) in expected.items()}, f"{point}: lost or duplicated chunks"
    for chunk in state["chunks"]:
        assert (chunk["hash"], chunk["n_chunks"]) == expected[chunk["doc_id"]], f"{point}: stale chunk {chunk['id']}"
    assert state["bm25"] == sorted(chunk["id"] for chunk in state["chunks"])
    assert state["found"] == {doc_id: [doc_id, doc_id] for doc_id in expected}, f"{point}: an article is not found"
    return state


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_a_chosen_point_is_repaired_by_the_next_ingest(tmp_path, point):
    _crash_and_check(tmp_path, POINTS.index(point) + 1, point)


def test_kills_at_random_moments_are_repaired_by_the_next_ingest(tmp_path):
    whole = _driver("run", tmp_path / "store-timing", tmp_path / "corpus-timing", 0)
    assert whole.returncode == 0, whole.stderr[-2000:]
    duration_ms = int(whole.stdout.splitlines()[-1])
    rng = random.Random(int(os.environ.get("RAG_CRASH_SEED", "2022")))
    for run in range(int(os.environ.get("RAG_CRASH_RUNS", "4"))):
        moment = round(rng.uniform(0.02, 0.9) * duration_ms, 1)
        _crash_and_check(tmp_path, 100 + run, f"time:{moment}")


def test_a_full_disk_stops_the_ingest_with_one_clear_line_and_loses_nothing(tmp_path):
    """The store on a 3 MB tmpfs (in a private mount namespace): the ingest that fills it fails with the fix, a
    reader meanwhile gets the same line, and once there is room the next ingest finishes with every chunk once."""
    store, corpus, disk = tmp_path / "disk" / "store", tmp_path / "corpus", tmp_path / "disk"
    disk.mkdir()
    python, driver = sys.executable, DRIVER
    script = (
        f"mount -t tmpfs -o size=3m tmpfs {disk} || exit 77; "
        f"{python} {driver} fill {store} {corpus} > {tmp_path}/fill.json || exit 1; "
        f"mount -o remount,size=200m {disk} && {python} {driver} check {store} {corpus} > {tmp_path}/check.json"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                              capture_output=True, text=True, env=env, timeout=600)
    except FileNotFoundError:
        pytest.skip("unshare (util-linux) is not installed, so no size-limited disk can be mounted")
    if done.returncode == 77 or "unshare failed" in done.stderr:
        pytest.skip(f"this kernel refuses an unprivileged tmpfs mount: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr[-3000:]

    filled = json.loads((tmp_path / "fill.json").read_text().splitlines()[-1])
    # A reader meanwhile is answered, or (when Chroma wants to apply its pending writes first) told the same.
    for line in (filled["error"], filled["reader"] or filled["error"]):
        assert line and "\n" not in line
        assert line.startswith(f"{store}: the disk is full (") and "free some space and run the same command again" in line
    state = json.loads((tmp_path / "check.json").read_text().splitlines()[-1])
    assert set(filled["kept"]) <= set(state["before_repair"]["chunks"])  # the earlier articles, all still there
    assert state["before_repair"]["bm25"] == state["before_repair"]["chunks"]
    expected = _expected(corpus)
    assert Counter(chunk["doc_id"] for chunk in state["chunks"]) == {doc_id: n for doc_id, (_, n) in expected.items()}
    assert state["bm25"] == sorted(chunk["id"] for chunk in state["chunks"])
    assert state["found"] == {doc_id: [doc_id, doc_id] for doc_id in expected}
