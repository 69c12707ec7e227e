"""Hybrid retrieval: BM25 words beside Chroma's vectors, kept in sync with the store, fused, dated."""

import dataclasses

import pytest

from conftest import write_articles
from rag.factory import build_assistant
from rag.lexical import LexicalIndex
from rag.retrieve import recency_boost
from rag.settings import Settings

ARTICLES = [
    {"doc_id": "code", "title": "Plant inspection", "date": "2022-03-01", "source": "Wire",
     "text": "Inspectors logged fault code XK4471 at the cooling pump before the shift change."},
    {"doc_id": "pumps", "title": "Cooling pumps", "date": "2022-03-02", "source": "Wire",
     "text": "Engineers inspected the cooling pumps at the nuclear plant and found a fault before the shift change."},
    {"doc_id": "early", "title": "Ceasefire talks", "date": "2022-01-05", "source": "AP",
     "text": "Negotiators met in Geneva to discuss a ceasefire along the eastern front line."},
    {"doc_id": "late", "title": "Ceasefire talks again", "date": "2022-06-20", "source": "AP",
     "text": "Negotiators met in Geneva to discuss a ceasefire along the eastern front line again."},
    {"doc_id": "undated", "title": "Ceasefire talks background", "date": "", "source": "AP",
     "text": "Negotiators have met in Geneva to discuss a ceasefire along the eastern front line."},
]


@pytest.fixture
def corpus_assistant(tmp_path, embedder):
    settings = Settings(store=tmp_path / "store", llm="extractive", retrieval="hybrid")
    assistant = build_assistant(settings, embedder=embedder, seed_if_empty=False)
    assistant.ingest([write_articles(tmp_path / "articles", ARTICLES)], progress=False)
    return assistant


def _ids(passages):
    return [p.doc_id for p in passages]


def test_a_rare_word_is_found_by_bm25_and_kept_first_by_the_fusion(corpus_assistant):
    lexical = corpus_assistant.retriever.lexical
    assert lexical.search("XK4471", 5)[0][0] in corpus_assistant.store.chunk_ids("code")
    hybrid = corpus_assistant.search("fault code XK4471", k=2, distinct_documents=True)
    assert _ids(hybrid)[0] == "code"
    assert -1.0 <= hybrid[0].score <= 1.0  # a passage's score stays its cosine similarity


def test_the_word_index_follows_every_write_and_survives_a_restart(tmp_path, embedder, corpus_assistant):
    store = corpus_assistant.store
    lexical = corpus_assistant.retriever.lexical

    def indexed():
        lexical.refresh()
        return sorted(lexical.chunk_ids)

    assert indexed() == sorted(cid for doc in ARTICLES for cid in store.chunk_ids(doc["doc_id"]))
    changed = [dict(a, text=a["text"].replace("XK4471", "ZQ9902")) if a["doc_id"] == "code" else a for a in ARTICLES]
    corpus_assistant.ingest([write_articles(tmp_path / "articles", changed)], progress=False)
    assert lexical.search("ZQ9902", 3)[0][0] in store.chunk_ids("code") and lexical.search("XK4471", 3) == []
    pumps = set(store.chunk_ids("pumps"))
    corpus_assistant.remove("pumps")
    assert pumps and not pumps & set(indexed())
    assert indexed() == sorted(cid for cid, _, _ in store.all_chunks())

    reopened = LexicalIndex(store)  # a new process: loads what was saved, builds nothing
    reopened._build = lambda generation: pytest.fail("a current saved index was rebuilt")
    assert reopened.search("ZQ9902", 3)[0][0] in store.chunk_ids("code")


def test_as_of_leaves_out_later_articles_and_prefers_the_closest(corpus_assistant):
    question = "Where did negotiators meet to discuss a ceasefire?"
    assert "late" in _ids(corpus_assistant.search(question, k=5, distinct_documents=True))
    as_of_march = _ids(corpus_assistant.search(question, k=5, distinct_documents=True, as_of="2022-03-01"))
    assert "late" not in as_of_march and as_of_march.index("early") < as_of_march.index("undated")
    as_of_june = _ids(corpus_assistant.search(question, k=5, distinct_documents=True, as_of="2022-06-21"))
    assert as_of_june[0] == "late"
    answer = corpus_assistant.ask(question, as_of="2022-03-01")
    assert "Geneva" in answer.text and {c.doc_id for c in answer.citations} <= {"early", "undated"}


def test_filters_apply_to_the_words_too(corpus_assistant, tmp_path, embedder):
    settings = dataclasses.replace(corpus_assistant.settings, retrieval="bm25")
    words_only = build_assistant(settings, embedder=embedder, store=corpus_assistant.store, seed_if_empty=False)
    assert set(_ids(words_only.search("Geneva ceasefire", k=5, distinct_documents=True))) == {"early", "late", "undated"}
    assert _ids(words_only.search("Geneva ceasefire", k=5, distinct_documents=True, until="2022-02-01")) == ["early"]
    assert words_only.search("Geneva ceasefire", k=5, sources=["Wire"]) == []
    assert set(_ids(words_only.search("fault", k=5, distinct_documents=True, sources=["Wire"]))) == {"code", "pumps"}


def test_recency_boost_fades_with_age_and_leaves_undated_articles_alone():
    assert recency_boost(20220301, "2022-03-01", 0.3, 30) == pytest.approx(1.3)
    assert recency_boost(20220130, "2022-03-01", 0.3, 30) == pytest.approx(1 + 0.3 / 2.718281828, rel=1e-3)
    assert recency_boost(0, "2022-03-01", 0.3, 30) == 1.0


def test_questions_asked_while_articles_are_written_all_get_the_right_passage(corpus_assistant, tmp_path):
    """Each write rebuilds the word index; searches meanwhile use the old index or the new one, never neither."""
    from concurrent.futures import ThreadPoolExecutor

    def write():
        for i in range(3):
            extra = {"doc_id": f"extra{i}", "title": "Harbour works", "date": "2022-04-0{}".format(i + 1),
                     "text": f"Dock crews repaired crane number {i} in the harbour overnight."}
            corpus_assistant.ingest([write_articles(tmp_path / f"more{i}", [extra])], progress=False)

    with ThreadPoolExecutor(max_workers=4) as pool:
        writer = pool.submit(write)
        searches = [pool.submit(corpus_assistant.search, "fault code XK4471", 2, True) for _ in range(20)]
        writer.result(timeout=300)
        assert all(_ids(s.result(timeout=300))[0] == "code" for s in searches)
    assert {"extra0", "extra1", "extra2"} <= set(_ids(corpus_assistant.search("crane repaired in the harbour", k=5, distinct_documents=True)))


def test_assistants_sharing_a_store_share_its_word_index(corpus_assistant):
    """The chat page keeps one assistant per answer generator over one store: one index, built once."""
    other = build_assistant(corpus_assistant.settings, embedder=corpus_assistant.embedder, store=corpus_assistant.store,
                            generator=None, seed_if_empty=False)
    assert other.retriever.lexical is corpus_assistant.retriever.lexical


def test_indexes_saved_at_once_never_leave_a_broken_or_half_index(corpus_assistant):
    """Two processes saving the word index at the same moment (here: two index objects, eight threads each)."""
    from concurrent.futures import ThreadPoolExecutor

    store = corpus_assistant.store
    built = corpus_assistant.retriever.lexical.refresh()
    savers = [LexicalIndex(store), LexicalIndex(store)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        for future in [pool.submit(savers[i % 2]._save, built) for i in range(16)]:
            future.result()
    assert sorted(p.name for p in store.path.iterdir() if p.name.startswith(".rag-bm25")) == [".rag-bm25"]
    reader = LexicalIndex(store)
    reader._build = lambda generation: pytest.fail("the saved index did not load")
    assert reader.search("XK4471", 5)[0][0] in store.chunk_ids("code")
