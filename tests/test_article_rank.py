"""Articles ranked by what they are about: each article's title vector is stored with its first chunk at ingest
(filled in for older stores at the next ingest), and RAG_ARTICLE_WEIGHT adds the title's and the first
passage's nearness to every chunk's fused score when the candidates come from a field of articles."""

import dataclasses

import numpy as np
import pytest

from conftest import write_articles
from rag.chunking import chunk_document
from rag.dedup import signature
from rag.factory import build_assistant
from rag.retrieve import ARTICLE_FIELD, article_bonus
from rag.settings import Settings
from rag.store import ArticleFacts
from rag.types import Document

FILLER = [
    "The city council approved a new budget for road repairs and school buses on Tuesday evening.",
    "A local bakery won a regional prize for its sourdough bread and plans to open a second shop.",
    "The football club signed a young goalkeeper from the second division on a three-year contract.",
    "Museum visitors can see a restored collection of medieval maps from next month onwards.",
    "Farmers reported a good apple harvest after a mild spring and a warm, dry summer.",
]
ROUNDUP = " ".join(FILLER * 4) + (
    "\n\nAlso this week: the world's largest active volcano is erupting for the first time in nearly 40 years."
)
ARTICLES = [
    {"doc_id": "volcano", "title": "Mauna Loa volcano erupts in Hawaii for the first time since 1984",
     "date": "2022-11-28", "source": "Wire",
     "text": "Lava is flowing down the slopes of Mauna Loa on Hawaii's Big Island, and officials are watching the "
             "roads. Residents were told to prepare, though no homes are threatened yet."},
    {"doc_id": "roundup", "title": "Five things to know this week", "date": "2022-11-28", "source": "Wire",
     "text": ROUNDUP},
]
QUESTION = "The world's largest active volcano is erupting for the first time in nearly 40 years. Where is it?"
# Other news of the week, so that the volcano question has a field of candidate articles (ARTICLE_FIELD).
FIELD = [
    {"doc_id": f"other-{n}", "title": title, "date": "2022-11-27", "source": "Agency", "text": text}
    for n, (title, text) in enumerate([
        ("Rail strike called off", "Rail unions called off next week's strike after a late pay offer was accepted."),
        ("Wheat prices fall", "Wheat futures fell for a third day as export ships left the Black Sea ports."),
        ("New bridge opens", "The new river bridge opened to cyclists and buses, two years after building began."),
        ("Election count delayed", "Officials said the count in two districts would finish on Thursday, not Monday."),
        ("Heatwave warning", "Forecasters warned of a week of heat in the south and asked people to drink water."),
        ("Airline adds routes", "The airline will fly to four more cities in spring and hire two hundred pilots."),
    ])
]


def _assistant(tmp_path, embedder, articles, **settings):
    assistant = build_assistant(Settings(store=tmp_path / "store", llm="extractive", **settings), embedder=embedder,
                                seed_if_empty=False)
    assistant.ingest([write_articles(tmp_path / "articles", articles)], progress=False)
    return assistant


@pytest.fixture
def articles_assistant(tmp_path, embedder):
    return _assistant(tmp_path, embedder, ARTICLES)


def _first_chunks(store):
    return store.articles_of((cid for a in ARTICLES for cid in store.chunk_ids(a["doc_id"])), with_vectors=True)


def test_ingest_stores_each_titles_vector_with_its_first_chunk(articles_assistant, embedder):
    store = articles_assistant.store
    facts = _first_chunks(store)
    assert sorted(facts) == ["roundup", "volcano"]
    for article in ARTICLES[:2]:
        expected = np.asarray(embedder.embed([article["title"]])[0])
        assert float(facts[article["doc_id"]].title_vector @ expected) > 0.999  # stored as float16
    lead = store.get_passages([store.chunk_ids("roundup")[0]], embedder.embed([FILLER[0]])[0])[0]
    assert lead.text.startswith(FILLER[0])
    assert float(np.linalg.norm(facts["roundup"].lead_vector)) == pytest.approx(1.0, abs=1e-5)


def test_a_store_written_before_title_vectors_gets_them_at_the_next_ingest(tmp_path, embedder):
    settings = Settings(store=tmp_path / "store", llm="extractive")
    assistant = build_assistant(settings, embedder=embedder, seed_if_empty=False)
    doc = Document(doc_id="old", title="Mauna Loa erupts", date="2022-11-28", source="Wire", path="old.txt", url="",
                   text=ARTICLES[0]["text"])
    untitled = dataclasses.replace(doc, doc_id="untitled", title="", path="untitled.txt")
    firsts = []
    with assistant.store.writing():
        for d in (doc, untitled):  # as an ingest before title vectors existed wrote them
            chunks = chunk_document(d, settings.chunk_size, settings.chunk_overlap)
            assistant.store.upsert(d, chunks, len(chunks), embedder.embed([c.text for c in chunks]), signature(d.text))
            firsts.append(chunks[0].chunk_id)
    assert [f.title_vector for f in assistant.store.articles_of(firsts, with_vectors=True).values()] == [None, None]
    report = assistant.ingest([write_articles(tmp_path / "articles", ARTICLES[1:2])], progress=False)
    assert report.added == ("roundup",)
    facts = assistant.store.articles_of(firsts, with_vectors=True)
    assert float(facts["old"].title_vector @ np.asarray(embedder.embed(["Mauna Loa erupts"])[0])) > 0.999
    assert facts["untitled"].title_vector is None  # judged by its first passage alone
    with assistant.store.writing():
        assert assistant.store.fill_title_vectors(embedder.embed) == 0  # nothing left to fill


def test_among_a_field_of_articles_the_one_about_the_story_ranks_above_a_passing_mention(tmp_path, embedder):
    # RAG_ARTICLE_WEIGHT's default, 0.04, alone: the phrase weight is the other test's
    assistant = _assistant(tmp_path, embedder, ARTICLES + FIELD, phrase_weight=0.0)
    assert len(ARTICLES + FIELD) == ARTICLE_FIELD
    by_article = assistant.search(QUESTION, k=2, distinct_documents=True)
    assert by_article[0].doc_id == "volcano"
    assert by_article[0].text.startswith("Lava is flowing down the slopes of Mauna Loa")
    assistant.retriever.settings = dataclasses.replace(assistant.settings, article_weight=0.0)
    by_chunk = assistant.search(QUESTION, k=2, distinct_documents=True)
    assert [p.doc_id for p in by_chunk] == ["roundup", "volcano"]  # its last chunk is the question, nearly verbatim
    # and so holds every phrase of it: with the default phrase weight too, the roundup ranks first (the cost of
    # RAG_PHRASE_WEIGHT that docs/retrieval.md weighs against its gains on news2022)
    assistant.retriever.settings = dataclasses.replace(assistant.settings, phrase_weight=Settings().phrase_weight)
    assert assistant.search(QUESTION, k=1, distinct_documents=True)[0].doc_id == "roundup"
    assistant.retriever.settings = assistant.settings
    # A source filter that leaves the two Wire articles leaves no field: the chunks rank by themselves again.
    by_chunk = assistant.search(QUESTION, k=2, distinct_documents=True, sources=["Wire"])
    assert [p.doc_id for p in by_chunk] == ["roundup", "volcano"]


def test_among_fewer_articles_than_a_field_the_passage_that_answers_ranks_first(articles_assistant):
    assert articles_assistant.settings.article_weight > 0  # the default weight is on, and still not applied here
    by_chunk = articles_assistant.search(QUESTION, k=2, distinct_documents=True)
    assert [p.doc_id for p in by_chunk] == ["roundup", "volcano"]
    assert by_chunk[0].text.endswith("erupting for the first time in nearly 40 years.")


def test_the_bonus_is_the_weighted_sum_of_title_and_lead_cosines_and_an_untitled_article_counts_its_lead_twice():
    unit = np.eye(3, dtype=np.float32)
    articles = {"titled": ArticleFacts("", unit[0], unit[1]), "untitled": ArticleFacts("", None, unit[1])}
    bonus = article_bonus(articles, [3.0, 4.0, 0.0], 0.02)  # the query is normalised: (0.6, 0.8, 0)
    assert bonus["titled"] == pytest.approx(0.02 * (0.6 + 0.8))
    assert bonus["untitled"] == pytest.approx(0.02 * (0.8 + 0.8))
