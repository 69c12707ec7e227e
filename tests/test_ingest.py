import dataclasses
from collections import Counter
from pathlib import Path

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
    assert report.notices == (
        f"{tmp_path / 'a.jsonl'}: doc_id 'same' appears twice in this file; the later one skipped",
    )


def stored_texts(assistant) -> dict[str, str]:
    """doc_id -> the whole stored text of each document (its chunks joined in order)."""
    page = assistant.store._collection.get(include=["metadatas", "documents"])
    chunks = sorted(zip(page["metadatas"], page["documents"]), key=lambda mt: (mt[0]["doc_id"], mt[0]["index"]))
    texts: dict[str, str] = {}
    for meta, text in chunks:
        texts[meta["doc_id"]] = texts.get(meta["doc_id"], "") + " " + text
    return texts


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_two_folders_with_the_same_file_names_keep_both_articles(assistant, tmp_path):
    first = write(tmp_path / "x" / "story.txt", "The council approved a new tram line to the airport.")
    second = write(tmp_path / "y" / "story.txt", "Flooding closed the river port for a week.")
    assert assistant.ingest([tmp_path / "x"], progress=False).added == ("story",)
    report = assistant.ingest([tmp_path / "y"], progress=False)
    assert (report.added, report.updated) == (("y/story",), ())
    assert report.notices == (
        f"{second}: doc_id 'story' is already {first}'s; stored as 'y/story' (rename one of the files to choose the "
        "ids yourself)",
    )
    texts = stored_texts(assistant)
    assert sorted(texts) == ["story", "y/story"]
    assert "tram line" in texts["story"] and "river port" in texts["y/story"]
    again = assistant.ingest([tmp_path / "x", tmp_path / "y"], progress=False)  # the same ids on every later run
    assert (again.added, again.updated, again.unchanged) == ((), (), ("story", "y/story"))


def test_ingesting_the_parent_folder_keeps_each_article_once(assistant, tmp_path):
    write(tmp_path / "x" / "story.txt", "The council approved a new tram line to the airport.")
    assistant.ingest([tmp_path / "x"], progress=False)
    report = assistant.ingest([tmp_path], progress=False)
    assert (report.added, report.unchanged) == ((), ("story",))
    assert sorted(stored_texts(assistant)) == ["story"]


def test_a_moved_collection_keeps_its_ids_and_records_the_new_place(assistant, tmp_path):
    write(tmp_path / "old" / "story.txt", "The council approved a new tram line to the airport.")
    assistant.ingest([tmp_path / "old"], progress=False)
    (tmp_path / "old").rename(tmp_path / "new")
    report = assistant.ingest([tmp_path / "new"], progress=False, prune=True)
    assert (report.added, report.unchanged, report.removed) == ((), ("story",), ())
    assert [d["path"] for d in assistant.store.documents()] == [str((tmp_path / "new" / "story.txt").resolve())]


def test_two_jsonl_files_with_the_same_ids_keep_every_article(assistant, tmp_path):
    write(tmp_path / "a" / "feed.jsonl", '{"doc_id": "1", "text": "The mayor opened a bridge."}\n')
    write(tmp_path / "b" / "feed.jsonl", '{"doc_id": "1", "text": "A storm cut power to the harbour."}\n')
    assert assistant.ingest([tmp_path / "a"], progress=False).added == ("1",)
    assert assistant.ingest([tmp_path / "b"], progress=False).added == ("feed/1",)
    assert sorted(stored_texts(assistant)) == ["1", "feed/1"]


def test_prune_keeps_the_articles_of_files_skipped_in_this_run(assistant, tmp_path):
    big = write(tmp_path / "c" / "big.txt", "The harbour reopened after the storm. " * 20)
    feed = write(tmp_path / "c" / "feed.jsonl",
                 '{"doc_id": "one", "text": "The mayor opened a bridge."}\n'
                 '{"doc_id": "two", "text": "A storm cut power to the harbour."}\n')
    assistant.ingest([tmp_path / "c"], progress=False)
    assistant.settings = dataclasses.replace(assistant.settings, max_document_mb=0.0005)  # 500 bytes: big is skipped
    feed.write_text('{"doc_id": "one", "text": "The mayor opened a bridge."}\n{"doc_id": "two", "text": \n')
    report = assistant.ingest([tmp_path / "c"], prune=True, dry_run=True, progress=False)
    assert report.removed == ()
    report = assistant.ingest([tmp_path / "c"], prune=True, progress=False)
    assert report.removed == () and sorted(stored_texts(assistant)) == ["big", "one", "two"]
    assert any(n.startswith(f"{big}: is ") for n in report.notices)
    assert any(n.startswith(f"{feed} line 2: is not valid JSON") for n in report.notices)


def test_prune_removes_what_is_gone_and_the_dry_run_says_why(assistant, tmp_path):
    gone = write(tmp_path / "c" / "gone.txt", "The harbour reopened after the storm.")
    feed = write(tmp_path / "c" / "feed.jsonl",
                 '{"doc_id": "one", "text": "The mayor opened a bridge."}\n'
                 '{"doc_id": "two", "text": "A storm cut power to the harbour."}\n')
    assistant.ingest([tmp_path / "c"], progress=False)
    gone.unlink()
    feed.write_text('{"doc_id": "one", "text": "The mayor opened a bridge."}\n')
    plan = assistant.ingest([tmp_path / "c"], prune=True, dry_run=True, progress=False)
    assert dict(zip(plan.removed, plan.why_removed)) == {
        "gone": f"its file {gone.resolve()} no longer exists",
        "two": f"no line of {feed.resolve()} holds it any more",
    }
    assert sorted(stored_texts(assistant)) == ["gone", "one", "two"]  # a dry run changes nothing
    report = assistant.ingest([tmp_path / "c"], prune=True, progress=False)
    assert report.removed == plan.removed and sorted(stored_texts(assistant)) == ["one"]


def test_the_demo_articles_leave_when_the_user_ingests_their_own(settings, embedder, tmp_path):
    from rag.factory import build_assistant

    assistant = build_assistant(settings, embedder=embedder)  # an empty store starts with the two demo articles
    assert sorted(stored_texts(assistant)) == [SEED_000, SEED_003]
    write(tmp_path / "mine" / "story.txt", "The council approved a new tram line to the airport.")
    plan = assistant.ingest([tmp_path / "mine"], dry_run=True, progress=False)
    assert plan.removed == (SEED_000, SEED_003) and sorted(stored_texts(assistant)) == [SEED_000, SEED_003]
    report = assistant.ingest([tmp_path / "mine"], progress=False)
    assert report.removed == (SEED_000, SEED_003) and sorted(stored_texts(assistant)) == ["story"]
    assert f"removed the bundled demo article {SEED_000!r}: the store now holds your own articles" in report.notices
    reopened = build_assistant(settings, embedder=embedder)  # not empty: the demo does not come back
    assert sorted(stored_texts(reopened)) == ["story"]


def test_prune_keeps_a_skipped_feed_whose_name_is_not_utf8(assistant, tmp_path):
    """A skipped file is named as its stored articles name it, undecodable bytes and all."""
    import os

    folder = tmp_path / "c"
    folder.mkdir()
    feed = Path(os.fsdecode(bytes(folder) + b"/feed\xff.jsonl"))
    feed.write_text('{"doc_id": "one", "text": "The mayor opened a bridge."}\n'
                    '{"doc_id": "two", "text": "A storm cut power to the harbour."}\n')
    assistant.ingest([folder], progress=False)
    feed.write_text('{"doc_id": "one", "text": "The mayor opened a bridge."}\n{"doc_id": "two", "text": \n')
    report = assistant.ingest([folder], prune=True, progress=False)
    assert report.removed == () and sorted(stored_texts(assistant)) == ["one", "two"]


def test_a_file_whose_name_is_not_utf8_keeps_its_id_against_a_namesake(assistant, tmp_path):
    import os

    for root, text in (("x", "The council approved a new tram line."), ("y", "Flooding closed the river port.")):
        (tmp_path / root).mkdir()
        Path(os.fsdecode(bytes(tmp_path / root) + b"/caf\xe9.txt")).write_text(text)
    assistant.ingest([tmp_path / "x"], progress=False)
    report = assistant.ingest([tmp_path / "y"], progress=False)
    assert report.added == ("y/caf\\xe9",)
    texts = stored_texts(assistant)
    assert "tram line" in texts["caf\\xe9"] and "river port" in texts["y/caf\\xe9"]
