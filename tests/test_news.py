"""News-aware answers over a real temporary store: articles that disagree on a figure, how fresh the evidence
is, timelines of a story, and questions that name the period they ask about."""

import datetime as dt

import pytest

from conftest import write_articles
from rag.cite import cite_quote
from rag.disagree import disagreement
from rag.extractive import Sentence
from rag.factory import build_assistant
from rag.period import freshness_warning, question_period
from rag.settings import Settings
from rag.timeline import asks_timeline, subject
from rag.types import Passage

BRIDGE = [
    {"doc_id": "collapse", "title": "Harbor Bridge collapses in Portmill during the morning rush",
     "date": "2022-03-01", "source": "CNN",
     "text": "At least 12 people were killed when the Harbor Bridge in Portmill collapsed into the river during "
             "the morning rush on Monday, the mayor said. Divers searched the water for cars until nightfall."},
    {"doc_id": "toll", "title": "Death toll rises after Portmill bridge collapse", "date": "2022-03-03",
     "source": "USA TODAY",
     "text": "Rescue crews in Portmill recovered more bodies from the river on Wednesday. Officials said 15 people "
             "were killed when the Harbor Bridge collapsed. Another 30 people were injured when the Harbor Bridge "
             "collapsed. Funerals for the victims began in the city."},
    {"doc_id": "inquiry", "title": "Inquiry blames corrosion for Harbor Bridge failure", "date": "2022-04-20",
     "source": "CNN",
     "text": "An inquiry found that corroded steel cables caused the Harbor Bridge in Portmill to fail. The "
             "engineers who inspected the bridge in 2019 had warned of rust, the report said. It was the deadliest "
             "collapse since the 2009 Eastport ferry fire, which killed 40 people."},
    {"doc_id": "crossing", "title": "Portmill opens a temporary crossing to replace the Harbor Bridge",
     "date": "2022-06-15", "source": "The Week UK",
     "text": "Portmill opened a temporary steel crossing over the river to replace the Harbor Bridge on Tuesday. "
             "Commuters had used ferries for three months after the collapse."},
]
# Other news, so the story's articles compete with a field.
FIELD = [
    {"doc_id": f"field-{n}", "title": title, "date": f"2022-0{n % 6 + 1}-1{n}", "source": "Wire", "text": text}
    for n, (title, text) in enumerate([
        ("Bakery wins regional prize", "A local bakery won a regional prize for its sourdough bread on Friday."),
        ("Football club signs goalkeeper", "The football club signed a young goalkeeper on a three-year deal."),
        ("Museum shows medieval maps", "The museum opened a restored collection of medieval maps to visitors."),
        ("Apple harvest is strong", "Farmers reported a good apple harvest after a mild spring and a dry summer."),
        ("Council approves school buses", "The city council approved a budget for new school buses on Tuesday."),
    ])
]
KILLED = "How many people were killed when the Harbor Bridge in Portmill collapsed?"
# A day two outlets give differently: "Thursday" in an article of Saturday 7 May 2022 is 5 May; USA TODAY says 6 May.
DAM = [
    {"doc_id": "dam-burst", "title": "Kelso dam bursts in Brackwater", "date": "2022-05-07", "source": "CNN",
     "text": "The Kelso dam in Brackwater burst on Thursday, flooding hundreds of homes along the valley. "
             "Rescue boats reached the last stranded families by nightfall."},
    {"doc_id": "dam-report", "title": "Report blames rain for Kelso dam failure", "date": "2022-05-09",
     "source": "USA TODAY",
     "text": "When did the Kelso dam in Brackwater burst? The Kelso dam in Brackwater burst on May 6 after weeks "
             "of heavy rain, according to a report by the "
             "regional water authority. The report called for new spillways."},
    {"doc_id": "dam-repair", "title": "Brackwater begins Kelso dam repairs", "date": "2022-05-10",
     "source": "The Week UK",
     "text": "Engineers said Tuesday that the Kelso dam in Brackwater burst because its spillway was blocked. "
             "Repairs will take a year."},
]
BURST = "When did the Kelso dam in Brackwater burst?"


@pytest.fixture(scope="module")
def news(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("news")
    assistant = build_assistant(Settings(store=folder / "store", llm="extractive"), embedder=embedder,
                                seed_if_empty=False)
    assistant.ingest([write_articles(folder / "articles", BRIDGE + FIELD + DAM)], progress=False)
    return assistant


def test_articles_that_give_different_tolls_are_both_cited_oldest_first(news):
    answer = news.ask(KILLED, as_of="2022-03-05")
    assert [(side.value, side.citation.doc_id) for side in answer.disagreement] == [("12", "collapse"), ("15", "toll")]
    assert answer.text.endswith(
        "The articles give different figures: 12 (CNN, 1 March 2022) "
        f"[{answer.disagreement[0].citation.n}]; 15 (USA TODAY, 3 March 2022) [{answer.disagreement[1].citation.n}].")
    for side in answer.disagreement:
        assert side.citation in answer.citations
        assert side.citation.quote in answer.passages[side.citation.n - 1].text


def test_injuries_and_another_year_s_disaster_are_not_sides_of_a_toll(news):
    answer = news.ask(KILLED, as_of="2022-04-25")  # the inquiry recalls a 2009 fire that killed 40
    assert [side.value for side in answer.disagreement] == ["12", "15"]
    assert "40" not in answer.text and "30" not in answer.text


def test_a_figure_only_one_article_gives_is_no_disagreement(news):
    answer = news.ask(KILLED, as_of="2022-03-02")  # the later toll is not out yet
    assert not answer.refused and "12" in answer.text
    assert answer.disagreement == () and "different figures" not in answer.text


def test_articles_that_give_different_days_are_both_cited_each_day_read_against_its_article(news):
    answer = news.ask(BURST, as_of="2022-05-12")
    assert [(side.value, side.kind, side.citation.doc_id) for side in answer.disagreement] == [
        ("5 May 2022", "day", "dam-burst"), ("6 May 2022", "day", "dam-report")]  # not Tuesday: the day it was said
    assert "burst?" not in answer.text  # the explainer's heading asks; it is never quoted as an answer
    assert answer.text.endswith(
        f"The articles give different days: 5 May 2022 (CNN, 7 May 2022) [{answer.disagreement[0].citation.n}]; "
        f"6 May 2022 (USA TODAY, 9 May 2022) [{answer.disagreement[1].citation.n}].")


def test_one_article_s_day_is_no_disagreement(news):
    answer = news.ask(BURST, as_of="2022-05-08")  # the report is not out yet
    assert not answer.refused and "Thursday" in answer.text and answer.disagreement == ()


def test_days_other_articles_give_are_no_disagreement_with_an_answer_that_gives_neither():
    # the answer names the next launch's two possible days; older articles tell of two earlier attempts, a day
    # apart: sides of each other, not of the answer, which the reader would take them to contradict
    texts = [("plan", "2022-09-08", "NASA has two new dates in mind, September 23 or September 27, for the next "
                                    "attempt to launch its new moon rocket."),
             ("scrub", "2022-08-30", "NASA scrubbed the attempt to launch its new moon rocket on Monday."),
             ("second", "2022-09-01", "NASA called off another attempt to launch its new moon rocket on Tuesday.")]
    passages = [Passage(f"{doc}#h#0", doc, doc, day, "CNN" if doc != "second" else "USA TODAY", "", "", text, 0,
                        len(text), 0.5) for doc, day, text in texts]
    ranked = [(0.9 - i / 100, Sentence(i, 0, p.text)) for i, p in enumerate(passages)]
    question = "When will NASA next attempt to launch its new moon rocket?"
    answer = (cite_quote(1, passages[0], passages[0].text),)
    assert disagreement(question, answer, ranked, passages) == ()
    without_answer = disagreement(question, (cite_quote(2, passages[1], passages[1].text),), ranked[1:], passages)
    assert [side.value for side in without_answer] == ["29 August 2022", "30 August 2022"]


def test_days_told_are_read_against_the_article_s_day_and_the_day_a_statement_was_made_is_not_one():
    from rag.period import days_told

    saturday = dt.date(2022, 11, 26)
    told = {text: sorted(day.isoformat() for day, _ in days_told(text, saturday)) for text in (
        "A deadly fire broke out Thursday at an apartment block in Urumqi.", "The fire on Nov. 24 killed 10.",
        "Officials said Friday that ten people died.", "The vote is set for December 18.",
        "Griner was arrested on February 17, 2022.", "In March 2022 prices rose.")}
    assert told == {
        "A deadly fire broke out Thursday at an apartment block in Urumqi.": ["2022-11-24"],
        "The fire on Nov. 24 killed 10.": ["2022-11-24"], "Officials said Friday that ten people died.": [],
        "The vote is set for December 18.": ["2022-12-18"], "Griner was arrested on February 17, 2022.": ["2022-02-17"],
        "In March 2022 prices rose.": []}


def test_a_day_is_a_side_of_the_asked_event_not_of_one_the_question_dates_it_by():
    """"… die after being detained": the detention's day is no side of the death's, in the question or the quote;
    the question's verb is read in its other forms ("die": "died")."""
    from rag.disagree import days
    from rag.types import Citation

    question = "On what day did Lena Marsh die after being detained by the border police?"

    def told(quote: str) -> list[str]:
        return sorted(days(question, Citation(1, "a", "Marsh", "2022-09-24", "Wire", quote, 0, len(quote))))

    assert told("Marsh died on Friday after being detained by the border police.") == ["2022-09-23"]
    assert told("Marsh died three days after being detained by the border police on September 13.") == []
    assert told("The death of Marsh, detained by border police on September 13, led to protests.") == []


def test_every_answer_states_its_newest_evidence_and_warns_when_it_is_old(news):
    fresh = news.ask("What caused the Harbor Bridge in Portmill to fail?", as_of="2022-04-25")
    assert fresh.evidence_date == "2022-04-20" and fresh.warnings == ()
    late = news.ask("What caused the Harbor Bridge in Portmill to fail?", as_of="2022-12-01")
    assert late.evidence_date == "2022-04-20"
    assert late.warnings == ("The newest article on this is from 20 April 2022, 7 months before the question's "
                             "as-of day, 1 December 2022; later developments may be missing.",)


def test_the_freshness_threshold_is_a_setting(news):
    assert freshness_warning("2022-04-20", dt.date(2022, 5, 30), 30, as_of=False).startswith(
        "The newest article on this is from 20 April 2022, 40 days before today;")
    assert freshness_warning("2022-04-20", dt.date(2022, 5, 30), 60, as_of=False) == ""
    assert freshness_warning("2022-04-20", dt.date(2022, 5, 30), 0, as_of=False) == ""  # 0: never warn


def test_a_timeline_lists_dated_events_in_date_order_each_cited(news):
    answer = news.ask("What happened with the Harbor Bridge in Portmill?", as_of="2022-12-31")
    assert answer.timeline and not answer.refused
    lines = answer.text.split("\n")
    dates = [line[:10] for line in lines]
    assert dates == sorted(dates) and len(lines) >= 3
    assert {c.doc_id for c in answer.citations} >= {"collapse", "inquiry", "crossing"}
    assert not {c.doc_id for c in answer.citations} & {f"field-{n}" for n in range(5)}
    for line, citation in zip(lines, answer.citations):
        assert line == f"{citation.date}: {citation.quote} [{citation.n}]"
        assert citation.quote in answer.passages[citation.n - 1].text


def test_a_timeline_can_be_asked_for_and_refused_explicitly(news):
    assert news.ask("Harbor Bridge Portmill", timeline=True).timeline
    assert not news.ask("What happened with the Harbor Bridge in Portmill?", timeline=False).timeline


def test_a_timeline_asked_for_with_one_event_found_is_answered_as_a_question_and_says_why(news):
    answer = news.ask("Harbor Bridge Portmill collapse", timeline=True, as_of="2022-03-02")  # one article by then
    assert not answer.timeline and not answer.refused and answer.citations[0].doc_id == "collapse"
    assert answer.notes == ("no timeline: the articles found hold fewer than two dated events on this; answered as "
                            "a question",)


def test_what_changed_since_a_day_is_answered_only_from_later_articles(news):
    answer = news.ask("What changed since April 1, 2022 about the Harbor Bridge in Portmill?", as_of="2022-12-31")
    assert not answer.refused and answer.filters.since == "2022-04-01"
    assert {c.doc_id for c in answer.citations} <= {"inquiry", "crossing"} and answer.citations
    assert answer.notes == ("searched only articles published since 1 April 2022, as the question asks",)


def test_nothing_new_since_a_day_is_said_plainly(news):
    answer = news.ask("What happened to the Harbor Bridge in Portmill since November 1?", as_of="2022-12-31")
    assert answer.refused and answer.text == "No article published since 1 November 2022 answers this."
    assert answer.citations == () and answer.warnings == ()


def test_a_question_about_this_week_is_answered_from_the_week_before_its_as_of_day(news):
    toll = "How many people were killed when the Harbor Bridge in Portmill collapsed this week?"
    answer = news.ask(toll, as_of="2022-03-04")
    assert not answer.refused and answer.filters.since == "2022-02-25"
    assert answer.notes == ("searched only articles published since 25 February 2022, as the question asks",)
    assert {c.doc_id for c in answer.citations} <= {"collapse", "toll"} and answer.citations
    late = news.ask(toll, as_of="2022-06-20")  # the week before holds only the new crossing
    assert late.refused and late.text == "No article published since 13 June 2022 answers this."
    assert late.citations == ()
    assert {p.doc_id for p in news.search(toll, k=5, as_of="2022-06-20")} == {"crossing"}  # search reads it too
    assert "collapse" in {p.doc_id for p in news.search(toll, k=5)}


def test_this_week_without_an_as_of_day_leaves_the_articles_unfiltered(news):
    answer = news.ask("How many people were killed when the Harbor Bridge in Portmill collapsed this week?")
    assert answer.filters.since == "" and answer.notes == () and not answer.refused


@pytest.mark.parametrize("question, since, words", [
    ("What did Musk announce this week?", "2022-05-25", "this week"),
    ("What happened in the past week?", "2022-05-25", "past week"),
    ("Who won the vote last week?", "2022-05-18", "last week"),
    ("What did the council approve this month?", "2022-06-01", "this month"),
    ("What did the council approve last month?", "2022-05-01", "last month"),
    ("Who won the prize this year?", "2022-01-01", "this year"),
    ("Who won the prize last year?", "2021-01-01", "last year"),
    ("Which company recently cut its prices?", "2022-05-02", "recently"),
    ("What was in the recent report on Kyiv?", "2022-05-02", "recent"),
    ("What changed since May 20 about X this month?", "2022-06-01", "since May 20; this month"),  # the later bound
    ("What happened in the weekly report?", "", ""),
    ("What did the most recent census count?", "", ""),  # the latest there is, however old
    ("How has Kyiv changed in recent years?", "", ""),
])
def test_the_period_a_question_names_from_the_day_it_is_asked(question, since, words):
    period = question_period(question, dt.date(2022, 6, 1), recent_days=30)
    assert (period.since, period.words) == (since, words)
    assert question_period(question, dt.date(2022, 6, 1)).since == ("2022-05-20" if "May 20" in question else "")


@pytest.mark.parametrize("question, since, words", [
    ("What changed since 2022-03-01 about Twitter?", "2022-03-01", "since 2022-03-01"),
    ("What happened after March 2022 in Mariupol?", "2022-04-01", "after March 2022"),
    ("Since March 3, what has Musk said?", "2022-03-03", "Since March 3"),
    ("What has happened since December 1?", "2021-12-01", "since December 1"),  # the last 1 December up to today
    ("What happened since 2021?", "2021-01-01", "since 2021"),
    ("Any news since Sept. 5th, 2022?", "2022-09-05", "since Sept. 5th, 2022"),
    ("What happened since the invasion?", "", ""),
    ("What was Crimea's status before 2014?", "", ""),  # history is written later: no period
    ("What happened after the 2022 midterm elections?", "", ""),  # a year naming an event
    ("Where did they go after 2000 people were evacuated?", "", ""),
    ("How many have died since 2014 in Donbas?", "2014-01-01", "since 2014"),
    ("What did Zelensky say after February 24?", "2022-02-24", "after February 24"),  # that day's reports too
    ("since February 30 2022", "", ""),
])
def test_the_period_a_question_names(question, since, words):
    period = question_period(question, dt.date(2022, 6, 1))
    assert (period.since, period.words) == (since, words)


def test_timeline_questions_are_told_from_questions_about_one_event():
    assert asks_timeline("What happened with Elon Musk's bid to buy Twitter?")
    assert asks_timeline("Give me a timeline of the baby formula shortage")
    assert asks_timeline("How did the FTX collapse unfold?")
    assert not asks_timeline("What happened in Kyiv on Friday?")
    assert not asks_timeline("What happened over the weekend in Kyiv?")
    assert not asks_timeline("What happened to the Moskva?")
    assert not asks_timeline("How did researchers develop the vaccine?")
    assert not asks_timeline("What happened just before Russia's assault on its ex-Soviet neighbour started?")
    assert subject("What happened with Elon Musk's bid to buy Twitter?") == "Elon Musk's bid to buy Twitter?"
    assert subject("Timeline of the FTX collapse") == "the FTX collapse"


def test_a_timeline_line_tells_of_an_event():
    from rag.timeline import _tells

    assert _tells("Elon Musk has completed his $44 billion deal to buy Twitter, a source told CNN Thursday.")
    assert not _tells("How much did Musk buy Twitter for?")  # an explainer's heading
    assert not _tells("$44,000,000,000 DEAL: Musk set")  # a headline's fragment


def test_the_feature_sets_are_scored_against_their_labels(news, tmp_path):
    from rag.featureset import DISAGREEMENTS, FRESHNESS, TIMELINES, evaluate_features

    cause = "What caused the Harbor Bridge in Portmill to fail?"
    sets = {
        DISAGREEMENTS: [
            {"id": "d1", "question": KILLED, "as_of": "2022-03-05", "disagree": True,
             "values": [{"value": "12"}, {"value": "15"}]},
            {"id": "d2", "question": KILLED, "as_of": "2022-03-02", "disagree": False, "values": [{"value": "12"}]},
        ],
        TIMELINES: [
            {"id": "t1", "question": "What happened with the Harbor Bridge in Portmill?", "as_of": "2022-12-31",
             "events": [{"date": "2022-03-01", "keys": ["collapsed"]}, {"date": "2022-04-20", "keys": ["corroded"]},
                        {"date": "2022-05-02", "keys": ["ribbon"]},  # no article tells of it: a miss
                        {"date": "2022-06-15", "keys": ["temporary"]}]},
        ],
        FRESHNESS: [
            {"id": "f1", "question": cause, "as_of": "2022-04-25", "stale": False},
            {"id": "f2", "question": cause, "as_of": "2022-12-01", "stale": True},
            {"id": "f3", "question": cause, "as_of": "2022-05-01", "stale": True},  # mislabelled: 11 days old
        ],
    }
    for name, records in sets.items():
        write_articles(tmp_path, records).rename(tmp_path / name)
    metrics = evaluate_features(news, tmp_path)["metrics"]
    assert (metrics["disagreement_recall"], metrics["disagreement_precision"]) == (1.0, 1.0)
    assert (metrics["timeline_event_recall"], metrics["timeline_order_accuracy"]) == (0.75, 1.0)
    assert metrics["freshness_accuracy"] == round(2 / 3, 4) and metrics["freshness_warning_recall"] == 0.5
    assert metrics["freshness_warning_precision"] == 1.0


@pytest.mark.parametrize("text, found", [
    ("Through Sunday, the number of dead climbed to 154, with dozens more injured.", {"154"}),
    ("the crush in October in Seoul that killed 158 people.", {"158"}),
    ("At least three people were killed and at least 50 injured after a train derailed", {"3"}),
    ("The shooting that killed five and injured 17 others began", {"5"}),
    ("At least 56 storm-related deaths have been reported across several states:", {"56"}),
    ("The crush happened in 2022 in a narrow alley.", set()),  # a year is no figure
    ("More than 2,000 people were killed", {"2000"}),
    ("The toll rose to 2,100 on Friday", {"2100"}),
    ("Officials said 82 people were injured in the crowd crush.", set()),
    ("One of the people killed in the crush was an American student.", set()),
    ("The toll rose to 268 and 151 people are still missing", {"268"}),
])
def test_the_figures_a_sentence_gives_for_what_is_counted(text, found):
    from rag.disagree import figures

    assert figures("How many people were killed in the crush?", text) == found


def test_a_subgroup_is_a_figure_when_it_is_what_is_counted():
    from rag.disagree import figures

    assert figures("How many soldiers were killed?", "At least 1,000 soldiers were killed in the battle.") == {"1000"}
    assert figures("How many people were killed?", "At least 1,000 soldiers were killed in the battle.") == set()


def test_a_share_is_answered_by_a_percentage_only():
    from rag.disagree import figures

    told = "“Goblin mode” triumphed, racking up 318,956 votes – 93% of the total."
    assert figures("What share of the public vote did 'goblin mode' receive?", told) == {"93%"}
    assert figures("What percentage of voters backed the plan?", "Some 61 percent of voters, or 3 million, backed it.") \
        == {"61%"}
    assert figures("How many votes did 'goblin mode' receive?", told) == {"318956"}


def test_asked_for_the_latest_with_no_date_the_story_s_newest_report_comes_first(news):
    from rag.retrieve import recent_anchor

    question = "What is the latest on the Harbor Bridge collapse in Portmill?"
    assert news.search(question.replace("the latest", "known"), k=1)[0].doc_id == "collapse"  # by words alone
    latest = news.search(question, k=4, distinct_documents=True)
    assert latest[0].doc_id == "crossing"  # 15 June, the newest of the story
    assert recent_anchor("Harbor Bridge in Portmill", {"a": 1.0}, {"a": 20220615}) == ""  # no word asks for it
    assert recent_anchor("the latest on the bridge", {"a": 1.0, "b": 0.5}, {"a": 20220301, "b": 20220615}) == "2022-06-15"
