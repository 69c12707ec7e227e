import json
from pathlib import Path

import pytest

from rag.clean import clean_text
from rag.clean import clean_document
from rag.ingest import SEEDS_DIR
from rag.loaders import iter_documents

from conftest import SEED_003


def _seed_003():
    [doc] = [clean_document(d) for d in iter_documents([SEEDS_DIR / f"{SEED_003}.txt"])]
    return doc


def test_seed_003_boilerplate_is_removed_and_body_kept():
    text = _seed_003().text
    for boilerplate in (
        "We use your sign-up",
        "unsubscribe at any time",
        "DON’T MISS",
        "BRILLIANT takedown",
        "[INSIGHT]",
        "[NEWS]",
        "People sensationally blame Brexit",
        "Read Full Article",
        "Woman appears to confront Russian soldier",
    ):
        assert boilerplate not in text, boilerplate
    assert text.startswith("On Thursday, Russia ordered troops to enter Ukraine")
    assert "Mr Zelensky has repeatedly called for talks with Mr Putin" in text
    assert text.endswith("“consequences you have never seen”.")


def test_seed_003_headline_becomes_the_title():
    assert _seed_003().title == "Russia claims it’s ready for talks: The two key demands Putin wants from Ukraine"


def test_whitespace_and_invisible_characters_are_normalised():
    raw = "First\u00a0 line\u200b here.\r\n\r\n\r\n\tSecond   para\x07graph.\n"
    assert clean_text(raw) == "First line here.\n\nSecond paragraph."


def test_sentences_that_mention_cookies_in_reporting_are_kept():
    text = "The bakery sold 400 cookies on Friday, its owner said.\n\nWe use cookies to improve your experience."
    assert clean_text(text) == "The bakery sold 400 cookies on Friday, its owner said."


def test_a_video_teaser_is_dropped_and_a_paragraph_that_says_must_watch_is_kept():
    text = ("More than 50 million people were under winter storm alerts on Friday.\n\n"
            "JUST WATCHED Winter storm bears down on the Northeast Replay More Videos ... MUST WATCH Winter storm "
            "bears down on the Northeast 03:10\n\n"
            "Must watch: the storm is expected to strengthen overnight, forecasters said.")
    assert clean_text(text) == ("More than 50 million people were under winter storm alerts on Friday.\n\n"
                                "Must watch: the storm is expected to strengthen overnight, forecasters said.")


CASES = json.loads((Path(__file__).parent / "fixtures" / "cleaning.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["from"] for c in CASES])
def test_cleaning_keeps_article_text_and_drops_only_furniture(case):
    """Real paragraphs (from news2022 and the seeds, and the two shapes the old rules lost) that must survive,
    and the credits, link blocks and newsletter boxes around them that must go."""
    text = clean_text(case["text"])
    for kept in case["keep"]:
        assert kept in text, kept
    for dropped in case["drop"]:
        assert dropped not in text, dropped
