"""Date-range and source filters: pushed into Chroma's metadata filter, in the API, the CLI and old stores."""

import pytest

from conftest import write_articles
from rag import retrieve
from rag.errors import ConfigError
from rag.factory import build_assistant
from rag.filters import Filters, day_number
from rag.settings import Settings

# One story told three times: only dates and sources tell the articles apart.
ARTICLES = [
    {"doc_id": "jan-reuters", "title": "Grain deal talks", "date": "2022-01-10", "source": "Reuters",
     "text": "Grain exporters met in Istanbul to discuss safe passage for ships carrying wheat from Odesa."},
    {"doc_id": "feb-ap", "title": "Grain deal talks resume", "date": "2022-02-20", "source": "AP",
     "text": "Grain exporters met again in Istanbul to discuss safe passage for ships carrying wheat from Odesa."},
    {"doc_id": "undated-reuters", "title": "Grain deal talks, background", "date": "", "source": "Reuters",
     "text": "Grain exporters have met in Istanbul before to discuss safe passage for wheat ships from Odesa."},
]
QUESTION = "Where did grain exporters meet to discuss safe passage for wheat ships?"


@pytest.fixture(scope="module")
def grain(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("grain")
    corpus = write_articles(folder, ARTICLES)
    assistant = build_assistant(Settings(store=folder / "store", llm="extractive"), embedder=embedder, seed_if_empty=False)
    assistant.ingest([corpus], progress=False)
    return assistant


def _found(assistant, **filters) -> set[str]:
    return {p.doc_id for p in assistant.search(QUESTION, k=10, **filters)}


FILTER_CASES = [
    ({}, {"jan-reuters", "feb-ap", "undated-reuters"}),
    ({"since": "2022-02-01"}, {"feb-ap"}),
    ({"until": "2022-02-19"}, {"jan-reuters"}),  # the undated article is not known to be before
    ({"since": "2022-01-10", "until": "2022-01-10"}, {"jan-reuters"}),  # both ends inclusive
    ({"sources": ["Reuters"]}, {"jan-reuters", "undated-reuters"}),
    ({"sources": "AP"}, {"feb-ap"}),
    ({"sources": ["Reuters", "AP"], "since": "2022-01-01"}, {"jan-reuters", "feb-ap"}),
    ({"sources": ["Bloomberg"]}, set()),
    ({"as_of": "2022-01-31"}, {"jan-reuters", "undated-reuters"}),  # an undated article is not known to be later
]


@pytest.mark.parametrize("filters, expected", FILTER_CASES)
def test_filters_limit_the_articles_searched(grain, filters, expected):
    assert _found(grain, **filters) == expected


@pytest.mark.parametrize("filters", [filters for filters, _ in FILTER_CASES] + [{"as_of": "2021-12-31"}])
def test_filters_applied_to_the_nearest_chunks_agree_with_chromas_metadata_filter(grain, filters):
    chosen = Filters.of(**filters)
    vector = grain.embedder.embed([QUESTION])[0]
    by_chroma = [p.chunk_id for p in grain.store.query(vector, 10, chosen.where())]
    by_passage = [p.chunk_id for p in grain.store.query(vector, 10) if chosen.admits(p)]
    assert by_passage == by_chroma


def test_when_too_few_of_the_nearest_chunks_pass_the_filter_chroma_filters(grain, monkeypatch):
    vector = grain.embedder.embed([QUESTION])[0]
    nearest = grain.store.query(vector, 1)[0].doc_id
    target, only = next(
        (doc_id, filters) for doc_id, filters in (("jan-reuters", {"until": "2022-01-31"}), ("feb-ap", {"since": "2022-02-01"}))
        if doc_id != nearest
    )
    monkeypatch.setattr(retrieve, "FUSION_DEPTH", 1)
    monkeypatch.setattr(retrieve, "FILTER_HEADROOM", 1)  # the one nearest chunk is read first, and fails the filter
    wheres = []
    query = grain.store.query
    monkeypatch.setattr(grain.store, "query", lambda v, k, where=None: wheres.append(where) or query(v, k, where))
    assert [p.doc_id for p in grain.search(QUESTION, k=1, **only)] == [target]
    assert wheres == [None, Filters.of(**only).where()]


def test_an_answer_comes_only_from_matching_articles_and_says_when_none_match(grain):
    answer = grain.ask(QUESTION, since="2022-02-01")
    assert answer.refused is False and "Istanbul" in answer.text
    assert {c.doc_id for c in answer.citations} == {"feb-ap"} and answer.filters == Filters("2022-02-01", "", ())
    empty = grain.ask(QUESTION, since="2023-01-01", sources=["AP"])
    assert empty.refused is True and empty.passages == ()
    assert empty.warnings == ("no article matches dates 2023-01-01 to any, sources AP; widen the filters",)


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"since": "2022-02-30"}, "since='2022-02-30' is not a date; write it as YYYY-MM-DD, e.g. 2022-02-24"),
        ({"until": "last week"}, "until='last week' is not a date; write it as YYYY-MM-DD, e.g. 2022-02-24"),
        ({"since": "2022-03-02", "until": "2022-03-01"}, "since 2022-03-02 is after until 2022-03-01; swap them or drop one"),
        ({"sources": [3]}, "sources must be names (text), e.g. sources=['Reuters']; got [3]"),
    ],
)
def test_bad_filters_get_one_clear_line(grain, filters, message):
    with pytest.raises(ConfigError) as error:
        grain.ask(QUESTION, **filters)
    assert str(error.value) == message


def test_a_store_from_schema_1_gains_dates_in_place_without_embedding_again(tmp_path, embedder, monkeypatch):
    """Stores written before `day` existed are upgraded on open: metadata only, the same vectors."""
    from rag import manifest as manifest_module
    from rag import store as store_module

    corpus = write_articles(tmp_path, ARTICLES)
    settings = Settings(store=tmp_path / "store", llm="extractive")
    with monkeypatch.context() as old:  # write the store as schema 1 did: no `day` on any chunk
        old.setattr(manifest_module, "SCHEMA_VERSION", 1)
        old.setattr(store_module, "day_number", lambda date: None)
        before = build_assistant(settings, embedder=embedder, seed_if_empty=False)
        before.ingest([corpus], progress=False)
        assert before.store.manifest["rag_schema"] == 1
        scores = {p.doc_id: p.score for p in before.search(QUESTION, k=10)}
        del before

    class NoEmbedding:  # the upgrade must not need the embedder
        name, dim = embedder.name, embedder.dim

        def embed(self, texts):
            raise AssertionError("the upgrade embedded text")

    from rag.factory import build_store

    upgraded = build_store(settings, NoEmbedding())
    assert upgraded._collection.metadata["rag_schema"] == 2
    days = {meta["doc_id"]: meta["day"] for _, meta in upgraded._all_metadatas()}
    assert days == {"jan-reuters": 20220110, "feb-ap": 20220220, "undated-reuters": 0}
    after = build_assistant(settings, embedder=embedder, store=upgraded, seed_if_empty=False)
    assert {p.doc_id: p.score for p in after.search(QUESTION, k=10)} == scores
    assert _found(after, since="2022-02-01") == {"feb-ap"}


def test_day_numbers():
    assert (day_number("2022-02-25"), day_number(""), day_number("2022")) == (20220225, 0, 0)


def test_a_schema_1_store_with_other_settings_is_refused_before_anything_is_written(tmp_path, embedder, monkeypatch):
    from rag import manifest as manifest_module
    from rag import store as store_module
    from rag.errors import StoreMismatchError
    from rag.factory import build_store

    settings = Settings(store=tmp_path / "store", llm="extractive", chunk_size=120)
    with monkeypatch.context() as old:
        old.setattr(manifest_module, "SCHEMA_VERSION", 1)
        old.setattr(store_module, "day_number", lambda date: None)
        build_assistant(settings, embedder=embedder, seed_if_empty=True)
    with pytest.raises(StoreMismatchError, match="chunk_size 120 in the store, 200 now"):
        build_store(Settings(store=tmp_path / "store"), embedder)
    with monkeypatch.context() as old:
        old.setattr(manifest_module, "SCHEMA_VERSION", 1)
        untouched = build_store(settings, embedder)
        assert untouched._collection.metadata["rag_schema"] == 1
        assert all("day" not in meta or meta["day"] is None for _, meta in untouched._all_metadatas())
