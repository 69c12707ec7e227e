import multiprocessing
import re

import pytest

from rag.errors import StoreError, StoreMismatchError
from rag.store import ChunkStore, manifest_for
from rag.testing import HashEmbedder


def _open(path, name="all-MiniLM-L6-v2", dim=384, size=200, overlap=30):
    return ChunkStore(path, "articles", manifest_for(name, dim, size, overlap))


def test_manifest_mismatch_names_what_differs_and_the_rebuild_command(tmp_path):
    _open(tmp_path / "store")
    with pytest.raises(StoreMismatchError) as error:
        _open(tmp_path / "store", name="bge-small", dim=768, size=300)
    message = str(error.value)
    assert "embedder 'all-MiniLM-L6-v2' in the store, 'bge-small' now" in message
    assert "dim 384 in the store, 768 now" in message
    assert "chunk_size 200 in the store, 300 now" in message
    assert "Re-index with: python -m rag ingest --rebuild PATH…" in message
    assert "overlap" not in message


def test_a_folder_of_other_files_is_not_taken_for_a_store(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    with pytest.raises(StoreError, match=re.escape("is not a rag store (it holds todo.txt… but no chroma.sqlite3)")):
        _open(tmp_path / "notes")
    assert sorted(p.name for p in (tmp_path / "notes").iterdir()) == ["todo.txt"]  # nothing written into it
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is a file, not a store directory"):
        _open(tmp_path / "file")


def test_a_damaged_store_file_gives_one_clear_line(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "chroma.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open the Chroma store"):
        _open(tmp_path / "store")


def _hold_lock(path, ready, release):
    store = _open(path)
    with store.writing():
        ready.set()
        release.wait(30)


def test_a_second_writer_is_told_the_store_is_busy(tmp_path):
    _open(tmp_path / "store")
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(tmp_path / "store", ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(StoreError, match="is busy: another rag process is writing to it"):
            with _open(tmp_path / "store").writing():
                pass
    finally:
        release.set()
        holder.join(30)
    with _open(tmp_path / "store").writing():
        pass  # free again once the other writer is done


def test_query_returns_passages_with_metadata_and_cosine_scores(tmp_path):
    from rag.chunking import chunk_document
    from rag.types import Document

    embedder = HashEmbedder(dim=32)
    store = ChunkStore(tmp_path / "s", "articles", manifest_for(embedder.name, embedder.dim, 200, 30))
    doc = Document("d1", "Title", "2022-02-25", "CNN", "/x/d1.txt", "https://e.com/d1", "Talks in Minsk were offered.")
    chunks = chunk_document(doc, 200, 30)
    store.upsert(doc, chunks, len(chunks), embedder.embed([c.text for c in chunks]))
    [passage] = store.query(embedder.embed(["Talks in Minsk were offered."])[0], k=5)
    assert (passage.doc_id, passage.title, passage.date, passage.source, passage.url) == (
        "d1", "Title", "2022-02-25", "CNN", "https://e.com/d1")
    assert (passage.start, passage.end, passage.text) == (0, 28, "Talks in Minsk were offered.")
    assert passage.score == pytest.approx(1.0, abs=1e-5)
