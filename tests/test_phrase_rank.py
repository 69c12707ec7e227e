"""The question's phrases rank articles too: among a field of candidate articles, RAG_PHRASE_WEIGHT adds to each
chunk's fused score the share of the question's adjacent content-word pairs its title and text hold, so the
article that tells of "a 7.0-magnitude earthquake" ranks above one that only shares its words."""

import dataclasses

import pytest

from conftest import write_articles
from rag.factory import build_assistant
from rag.retrieve import ARTICLE_FIELD, phrase_bonus, phrases
from rag.settings import Settings
from rag.types import Passage
from test_article_rank import FIELD

QUESTION = "Which country was shaken by a 7.0-magnitude earthquake this week?"
QUAKES = [
    {"doc_id": "peru", "title": "Quake hits southern Peru", "date": "2022-11-27", "source": "Wire",
     "text": "Southern Peru was shaken by a 7.0-magnitude earthquake on Thursday. Officials said roads were closed "
             "near Arequipa."},
    # Every word of the question, none of its phrases, and a headline that reads like the question.
    {"doc_id": "drill", "title": "Is your country ready for an earthquake?", "date": "2022-11-27", "source": "Wire",
     "text": "Is any country ready when an earthquake shakes this week? Teachers said the country was awake and "
             "shaken by the sirens, and the magnitude of the drill surprised them."},
]


def _assistant(tmp_path, embedder, articles):
    settings = Settings(store=tmp_path / "store", llm="extractive", phrase_weight=0.05)
    assistant = build_assistant(settings, embedder=embedder, seed_if_empty=False)
    assistant.ingest([write_articles(tmp_path / "articles", articles)], progress=False)
    return assistant


def _first_articles(assistant, phrase_weight=None):
    if phrase_weight is not None:
        assistant.retriever.settings = dataclasses.replace(assistant.settings, phrase_weight=phrase_weight)
    return [p.doc_id for p in assistant.search(QUESTION, k=2, distinct_documents=True)]


def test_a_phrase_is_a_pair_of_adjacent_content_words_stemmed_and_the_bonus_is_the_share_held():
    assert phrases(QUESTION) == {("countri", "shaken"), ("shaken", "magnitud"), ("magnitud", "earthquak"),
                                 ("earthquak", "week")}  # "was", "by", "a", "this" are stopwords; "7", "0" too short
    passages = [Passage(chunk_id=f"{a['doc_id']}#h#0", doc_id=a["doc_id"], title=a["title"], date=a["date"],
                        source=a["source"], path="", url="", text=a["text"], start=0,
                        end=len(a["text"]), score=0.0) for a in QUAKES]
    bonus = phrase_bonus(QUESTION, passages, 0.05)
    assert bonus == {"peru#h#0": pytest.approx(0.05 * 2 / 4), "drill#h#0": 0.0}
    assert phrase_bonus("Earthquake?", passages, 0.05) == {}  # one content word: no phrase to hold


def test_among_a_field_of_articles_the_one_holding_the_questions_phrases_ranks_first(tmp_path, embedder):
    assistant = _assistant(tmp_path, embedder, QUAKES + FIELD)
    assert len(QUAKES + FIELD) == ARTICLE_FIELD
    assert _first_articles(assistant) == ["peru", "drill"]
    assert _first_articles(assistant, phrase_weight=0.0) == ["drill", "peru"]  # its headline reads closer
    assert Settings().phrase_weight == 0.05  # the default: docs/retrieval.md says why


def test_among_fewer_articles_than_a_field_the_phrases_are_not_counted(tmp_path, embedder):
    """A small collection's articles are all about its story; there the passage that answers ranks by itself. A
    weight of 1 would add 0.5 to "peru", far more than two fused rankings can put between them (2 / 61)."""
    assistant = _assistant(tmp_path, embedder, QUAKES)
    assert _first_articles(assistant, phrase_weight=1.0) == _first_articles(assistant, phrase_weight=0.0) == [
        "drill", "peru"]
