import pytest

from rag.clean import clean_document
from rag.errors import ConfigError
from rag.factory import build_assistant
from rag.ingest import SEEDS_DIR
from rag.loaders import iter_documents
from rag.prompts import REFUSAL
from rag.settings import Settings
from rag.text import split_sentences
from rag.types import Sources

from conftest import MINSK_QUESTION, SEED_000, SEED_003


def cleaned_text(doc_id: str) -> str:
    return clean_document(next(iter_documents([SEEDS_DIR / f"{doc_id}.txt"]))).text


def test_assistant_with_an_empty_store_ingests_the_bundled_seeds(tmp_path, embedder):
    assistant = build_assistant(Settings(store=tmp_path / "store", llm="extractive"), embedder=embedder)
    assert [row["doc_id"] for row in assistant.store.documents()] == [SEED_000, SEED_003]


def test_the_minsk_passage_is_ranked_first(seeded):
    passages = seeded.search(MINSK_QUESTION, k=4)
    assert passages[0].doc_id == SEED_000 and "Minsk" in passages[0].text
    assert passages == sorted(passages, key=lambda p: -p.score)
    assert cleaned_text(SEED_000)[passages[0].start : passages[0].end] == passages[0].text


def test_search_can_collapse_to_distinct_documents(seeded):
    passages = seeded.search("Zelensky called for talks with Putin", k=4, distinct_documents=True)
    assert sorted(p.doc_id for p in passages) == [SEED_000, SEED_003]


def test_minsk_answer_cites_seed_000_with_a_verbatim_quote(seeded):
    answer = seeded.ask(MINSK_QUESTION)
    assert not answer.refused and "Minsk" in answer.text
    [citation] = [c for c in answer.citations if "Minsk" in c.quote]
    assert f"[{citation.n}]" in answer.text
    assert answer.passages[citation.n - 1].doc_id == citation.doc_id == SEED_000
    assert citation.quote in answer.passages[citation.n - 1].text
    assert cleaned_text(SEED_000)[citation.start : citation.end] == citation.quote
    assert (citation.date, citation.title) == ("2022-02-25", answer.passages[citation.n - 1].title)
    assert set(answer.timings) == {"retrieve_ms", "sources_ms", "generate_ms", "news_ms", "total_ms"}


def test_the_sources_and_the_best_sentence_come_before_the_answer(seeded):
    sources, answer = list(seeded.stream(MINSK_QUESTION))
    assert isinstance(sources, Sources) and sources.passages == answer.passages
    assert sources.best == answer.citations[0] and "Minsk" in sources.best.quote  # quoting starts from the best


def test_a_refused_question_still_streams_what_was_searched_first(seeded, assistant):
    sources, answer = list(seeded.stream("How do I bake sourdough bread?"))
    assert answer.refused and sources.best is None and sources.passages == answer.passages != ()
    sources, answer = list(assistant.stream(MINSK_QUESTION))  # an empty store
    assert (sources.passages, sources.best, answer.refused) == ((), None, True)


def test_putin_demands_answer_names_nato_weapons_and_crimea(seeded):
    answer = seeded.ask("What had Putin demanded of Ukraine before the invasion began?")
    assert all(word in answer.text for word in ("NATO", "weapons", "Crimea"))


def test_off_topic_questions_are_refused_with_the_refusal_sentence(seeded):
    for question in ("Who won the 2022 FIFA World Cup?", "How do I bake sourdough bread?"):
        answer = seeded.ask(question)
        assert answer.refused and answer.text == REFUSAL and answer.citations == ()
        assert len(answer.passages) == seeded.settings.top_k  # what was searched is still shown


def test_an_empty_store_refuses_and_says_how_to_fill_it(assistant):
    answer = assistant.ask(MINSK_QUESTION)
    assert answer.refused and answer.passages == ()
    assert answer.warnings == (f"the store {assistant.settings.store} is empty; add articles with: python -m rag ingest PATH",)


@pytest.mark.parametrize(
    "question, message",
    [
        ("", "the question is empty; ask something"),
        ("  \t\n ", "the question is empty; ask something"),
        ("x" * 100_000, "the question is 100,000 characters; the limit is 2,000 (ask a shorter question, or raise RAG_MAX_QUESTION_CHARS)"),
        (None, "the question must be text, got NoneType"),
    ],
)
def test_bad_questions_get_one_clear_message(seeded, question, message):
    with pytest.raises(ConfigError) as error:
        seeded.ask(question)
    assert str(error.value).startswith(message)


def test_control_characters_in_a_question_are_dropped(seeded):
    answer = seeded.ask("To which city\x00 was Moscow ready\x1b to send its foreign and defense ministers for talks?")
    assert "Minsk" in answer.text and answer.question.startswith("To which city was Moscow")


def test_bad_k_is_refused(seeded):
    with pytest.raises(ConfigError, match=r"k=0 must be a whole number between 1 and 100"):
        seeded.search("talks", k=0)


def test_sentence_splitter_keeps_abbreviations_and_quotes_together():
    text = ("His family is the No. 2 target, he said. “I want peace. Now,” he said. Mr. Peskov agreed."
            "\nNew line here")
    assert [s for _, s in split_sentences(text)] == [
        "His family is the No. 2 target, he said.",
        "“I want peace. Now,” he said.",
        "Mr. Peskov agreed.",
        "New line here",
    ]
    assert all(text[o : o + len(s)] == s for o, s in split_sentences(text))
