from collections import Counter

import pytest

from rag.chunking import chunk_document, content_hash
from rag.clean import clean_document
from rag.errors import IngestError, RagError
from rag.loaders import iter_documents

from conftest import SEED_000, SEED_003


def chunk_hashes(assistant) -> Counter:
    return Counter((m["doc_id"], m["content_hash"]) for _, m in assistant.store._all_metadatas())


def test_reingesting_unchanged_files_writes_nothing(assistant, seeds):
    first = assistant.ingest([seeds], progress=False)
    count = assistant.store.count()
    assert first.added == (SEED_000, SEED_003) and first.chunks_written == count > 0
    again = assistant.ingest([seeds], progress=False)
    assert (again.added, again.updated, again.unchanged) == ((), (), (SEED_000, SEED_003))
    assert again.chunks_written == 0 and assistant.store.count() == count


def test_a_changed_file_replaces_its_old_chunks(assistant, seeds):
    assistant.ingest([seeds], progress=False)
    path = seeds / f"{SEED_000}.txt"
    path.write_text(path.read_text() + "\n\nThe mayor of Lviv opened a shelter for 900 people in a brewery.")
    report = assistant.ingest([seeds], progress=False)
    assert (report.updated, report.unchanged) == ((SEED_000,), (SEED_003,))
    assert report.chunks_deleted > 0
    hashes = chunk_hashes(assistant)
    assert {h for d, h in hashes if d == SEED_000} == {report_hash(seeds)}  # only the new version is left
    [top] = assistant.search("Where did the mayor of Lviv open a shelter?", k=1)
    assert "brewery" in top.text and top.doc_id == SEED_000


def report_hash(seeds):
    return content_hash(clean_document(next(iter_documents([seeds / f"{SEED_000}.txt"]))))


def test_prune_removes_documents_whose_files_are_gone(assistant, seeds):
    assistant.ingest([seeds], progress=False)
    chunks_003 = len(assistant.store.chunk_ids(SEED_003))
    total = assistant.store.count()
    (seeds / f"{SEED_003}.txt").unlink()
    kept = assistant.ingest([seeds], progress=False)
    assert kept.removed == () and assistant.store.count() == total  # nothing is deleted unless asked
    pruned = assistant.ingest([seeds], prune=True, progress=False)
    assert pruned.removed == (SEED_003,) and pruned.chunks_deleted == chunks_003
    assert assistant.store.count() == total - chunks_003


def test_remove_deletes_one_document_and_names_an_unknown_one(assistant, seeds):
    assistant.ingest([seeds], progress=False)
    total, chunks_000 = assistant.store.count(), len(assistant.store.chunk_ids(SEED_000))
    assert assistant.remove(SEED_000) == chunks_000
    assert assistant.store.count() == total - chunks_000
    with pytest.raises(RagError, match=r"no document '000_4e9f5e3cc2b14ad2' in .*; list them with: python -m rag stats"):
        assistant.remove(SEED_000)


def test_dry_run_reports_and_changes_nothing(assistant, seeds):
    plan = assistant.ingest([seeds], dry_run=True, progress=False)
    assert plan.dry_run and plan.added == (SEED_000, SEED_003) and assistant.store.count() == 0
    assistant.ingest([seeds], progress=False)
    (seeds / f"{SEED_003}.txt").unlink()
    (seeds / "new.md").write_text("# New\n\nA new article about grain exports.")
    before = chunk_hashes(assistant)
    plan = assistant.ingest([seeds], dry_run=True, prune=True, progress=False)
    assert (plan.added, plan.unchanged, plan.removed) == (("new",), (SEED_000,), (SEED_003,))
    assert chunk_hashes(assistant) == before


def test_rebuild_starts_over(assistant, seeds):
    assistant.ingest([seeds], progress=False)
    count = assistant.store.count()
    report = assistant.ingest([seeds], rebuild=True, progress=False)
    assert report.added == (SEED_000, SEED_003) and assistant.store.count() == count


def test_a_failed_ingest_leaves_the_store_unchanged(assistant, seeds, tmp_path):
    assistant.ingest([seeds], progress=False)
    before = chunk_hashes(assistant)
    (seeds / "extra.txt").write_text("Another article that must not be half-ingested.")
    with pytest.raises(IngestError, match="missing: no such file or directory"):
        assistant.ingest([seeds, tmp_path / "missing"], progress=False)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.md").write_bytes(b"\x00\x01\x02" * 50)
    report = assistant.ingest([bad], progress=False)
    assert report.added == () and len(report.notices) == 2
    assert chunk_hashes(assistant) == before


def test_an_interrupted_update_is_finished_by_the_next_run(assistant, seeds):
    """A run killed after writing part of a new version leaves two versions; the next run repairs it."""
    assistant.ingest([seeds], progress=False)
    path = seeds / f"{SEED_003}.txt"
    path.write_text(path.read_text().replace("137 people", "140 people"))
    doc = clean_document(next(iter_documents([path])))
    chunks = chunk_document(doc, assistant.settings.chunk_size, assistant.settings.chunk_overlap)
    assistant.store.upsert(doc, chunks[:2], len(chunks), assistant.embedder.embed([c.text for c in chunks[:2]]))
    report = assistant.ingest([seeds], progress=False)
    assert report.updated == (SEED_003,)
    hashes = chunk_hashes(assistant)
    assert {h for d, h in hashes if d == SEED_003} == {chunks[0].content_hash}
    assert hashes[(SEED_003, chunks[0].content_hash)] == len(chunks)  # every chunk once: none lost, none doubled


def test_a_doc_id_seen_twice_in_one_run_is_skipped_with_a_notice(assistant, tmp_path):
    (tmp_path / "a.jsonl").write_text('{"doc_id": "same", "text": "First."}\n{"doc_id": "same", "text": "Second."}\n')
    report = assistant.ingest([tmp_path], progress=False)
    assert report.added == ("same",)
    assert report.notices == (f"{tmp_path / 'a.jsonl'}: doc_id 'same' already read from {tmp_path / 'a.jsonl'}; skipped",)
