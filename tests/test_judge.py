"""Among a field of candidate articles, a checked answer is read once more by the model, asked only whether its
quotes say the answer (rag.verified.judged): a true sentence of another event can pass every word check. The
embedder and the Chroma store are real; the model is queued, except in the last test, which asks the packaged
1.5B itself."""

import pytest

from rag.errors import GenerationError
from rag.factory import build_assistant
from rag.prompts import JUDGE_SYSTEM, REFUSAL
from rag.retrieve import ARTICLE_FIELD
from rag.settings import Settings
from rag.testing import FakeGenerator
from rag.types import Answer, Citation
from rag.verified import judged
from conftest import write_articles
from test_article_rank import FIELD
from test_news import BRIDGE, DAM, KILLED
from test_news import FIELD as NEWS
from test_phrase_rank import QUAKES, QUESTION

PERU = "Southern Peru was shaken by a 7.0-magnitude earthquake on Thursday."
DRAFT = f"{PERU} [1]"


def _assistant(tmp_path, embedder, articles, *replies, **settings):
    settings = {"model_judge": True} | settings
    assistant = build_assistant(Settings(store=tmp_path / "store", llm="extractive", **settings), embedder=embedder,
                                generator=FakeGenerator(*replies), seed_if_empty=False)
    assistant.ingest([write_articles(tmp_path / "articles", articles)], progress=False)
    return assistant


def test_among_a_field_an_answer_the_model_says_its_quotes_do_not_give_is_withheld(tmp_path, embedder):
    assert len(QUAKES + FIELD) == ARTICLE_FIELD
    assistant = _assistant(tmp_path, embedder, QUAKES + FIELD, DRAFT, "No.")
    answer = assistant.ask(QUESTION)
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()
    assert answer.removed == (DRAFT,)
    assert answer.repairs[-1] == (f"withheld “{DRAFT}”: asked whether its quotes say the answer to the question, "
                                  "the model said no")
    judge = assistant.generator.calls[1]
    assert judge[0] == {"role": "system", "content": JUDGE_SYSTEM}
    assert judge[1]["content"] == (f"Question: {QUESTION}\nText: {PERU}\n"
                                   "Does the text say the answer to the question?")


@pytest.mark.parametrize("reply", ["Yes.", "yes", "Maybe, it says Peru."])
def test_among_a_field_an_answer_is_kept_unless_the_model_says_no(tmp_path, embedder, reply):
    assistant = _assistant(tmp_path, embedder, QUAKES + FIELD, DRAFT, reply)
    answer = assistant.ask(QUESTION)
    assert not answer.refused and answer.text == DRAFT and answer.citations[0].quote == PERU
    assert len(assistant.generator.calls) == 2 and "judge_ms" in answer.timings


def test_a_failing_judge_keeps_the_checked_answer_and_says_it_was_not_judged(tmp_path, embedder):
    assistant = _assistant(tmp_path, embedder, QUAKES + FIELD, DRAFT, GenerationError("llama.cpp failed"))
    answer = assistant.ask(QUESTION)
    assert not answer.refused and answer.text == DRAFT
    assert answer.warnings[-1] == ("the LLM could not be asked whether the quotes answer the question (llama.cpp "
                                  "failed); the answer is unjudged")


def test_among_fewer_articles_than_a_field_or_with_the_judge_off_the_model_is_asked_once(tmp_path, embedder):
    """A small collection is about its story: the answer's check is the rules alone (one queued reply; a second
    call would fail the FakeGenerator)."""
    few = _assistant(tmp_path / "few", embedder, QUAKES, DRAFT)
    answer = few.ask(QUESTION)
    assert not answer.refused and answer.citations[0].quote == PERU and len(few.generator.calls) == 1
    off = _assistant(tmp_path / "off", embedder, QUAKES + FIELD, DRAFT, model_judge=False)
    assert off.ask(QUESTION).text == DRAFT and len(off.generator.calls) == 1
    assert Settings().model_judge


@pytest.mark.parametrize("reply", ["No.", "Yes."])
def test_a_how_many_answer_is_judged_with_the_quotes_of_articles_that_give_other_figures(tmp_path, embedder, reply):
    """The model's sentence may only lead into a toll the sides give ("156 killed", "158 killed"): the judge reads
    the sides' quotes too, and a no withholds the sides with the answer."""
    twelve = BRIDGE[0]["text"].split(". ")[0] + "."
    fifteen = "Officials said 15 people were killed when the Harbor Bridge collapsed."
    draft = "At least 12 people were killed when the Harbor Bridge in Portmill collapsed, the mayor said. [1]"
    assistant = _assistant(tmp_path, embedder, BRIDGE + NEWS + DAM, draft, reply)
    answer = assistant.ask(KILLED)
    assert assistant.generator.calls[1][1]["content"] == (
        f"Question: {KILLED}\nText: {twelve} {fifteen}\nDoes the text say the answer to the question?")
    if reply == "No.":
        assert answer.refused and answer.text == REFUSAL and answer.citations == () and answer.disagreement == ()
        assert answer.evidence_date == "" and answer.warnings == ()
        assert answer.repairs[-1].endswith("15 (USA TODAY, 3 March 2022) [2].”: asked whether its quotes say the "
                                           "answer to the question, the model said no")
    else:
        assert [(side.value, side.citation.quote) for side in answer.disagreement] == [("12", twelve), ("15", fifteen)]


@pytest.mark.slow
def test_the_packaged_model_says_no_to_another_quake_and_yes_to_the_one_asked_about():
    """The 1.5B, asked about a quote from another story that passes the word checks (the question's words, a
    quake, a magnitude), and about the quote that answers."""
    from rag.generate import LocalGenerator

    def answer(quote: str) -> Answer:
        citation = Citation(1, "a", "Quake", "2022-07-20", "Wire", quote, 0, len(quote))
        return Answer(QUESTION, f"{quote} [1]", (citation,), False, ())

    model = LocalGenerator("qwen2.5-coder-1.5b")
    other = answer("The largest quake was 3.6 in magnitude last month, an event that was felt across the region.")
    assert judged(other, model).refused
    right = answer("A magnitude 7.0 earthquake struck the northern Philippines on Wednesday, killing at least five.")
    assert judged(right, model) == right
