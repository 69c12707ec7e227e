"""20 questions at once against one Assistant while an ingest writes to its store: every one answered right,
none failed, in bounded time; the ingest loses nothing. (The same through the chat page: test_app.py.)"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import MINSK_QUESTION, SEED_000, write_articles
from rag.factory import build_assistant
from rag.settings import Settings

pytestmark = pytest.mark.slow

QUESTIONS = [
    (MINSK_QUESTION, "Minsk"),
    ("What had Putin demanded of Ukraine before the invasion began?", "NATO"),
    ("When did Russia annex Crimea?", "2014"),
    ("Who won the 2022 FIFA World Cup?", None),  # refused
]


@pytest.mark.parametrize("retrieval", ["dense", "hybrid"])
def test_twenty_concurrent_questions_during_an_ingest(tmp_path, embedder, seeds, retrieval):
    settings = Settings(store=tmp_path / "store", llm="extractive", retrieval=retrieval)
    assistant = build_assistant(settings, embedder=embedder, seed_if_empty=False)
    assistant.ingest([seeds], progress=False)  # the user's own articles (the demo ones would leave with the next)
    corpus = write_articles(tmp_path / "more", [
        {"doc_id": f"harbour{i:02}", "title": f"Harbour log {i}", "date": "2022-04-01",
         "text": f"Dock crews in port number {i} repaired crane {i * 3} overnight. " * 20}
        for i in range(40)
    ])
    seed_chunks = assistant.store.count()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=21) as pool:
        ingest = pool.submit(assistant.ingest, [corpus], progress=False)
        asked = [pool.submit(assistant.ask, QUESTIONS[i % len(QUESTIONS)][0]) for i in range(20)]
        answers = [future.result(timeout=300) for future in asked]
        report = ingest.result(timeout=300)
    assert time.monotonic() - started < 300
    for i, answer in enumerate(answers):
        question, key = QUESTIONS[i % len(QUESTIONS)]
        if key is None:
            assert answer.refused, question
        else:
            assert not answer.refused and key in answer.text, (question, answer.text)
            assert all(c.quote for c in answer.citations)
    assert any(c.doc_id == SEED_000 for c in answers[0].citations)
    assert len(report.added) == 40
    assert len(assistant.store.documents()) == 42
    assert assistant.store.count() == seed_chunks + report.chunks_written  # each chunk once
    assert all(assistant.store.chunk_ids(f"harbour{i:02}") for i in range(40))
