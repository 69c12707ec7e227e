"""An Answer as the chat page's HTML: escaped text, [n] linked to its source card, quotes highlighted."""

import dataclasses
import html
import re

from hypothesis import given, strategies as st

from rag import render
from rag.prompts import REFUSAL
from rag.types import Answer, Citation, Differing, Filters, Passage, Sources

DOC_TEXT = "Talks were proposed. Moscow offered Minsk as the venue for talks. Kyiv declined."


def _passage(doc_id="a", title="Talks <b>now</b>", start=0, text=DOC_TEXT) -> Passage:
    return Passage(f"{doc_id}-0", doc_id, title, "2022-02-25", "Wire", "a.txt", "", text, start, start + len(text), 0.8)


def _minsk_answer() -> Answer:
    quote = "Moscow offered Minsk as the venue for talks."
    at = DOC_TEXT.index(quote)
    citation = Citation(1, "a", "Talks <b>now</b>", "2022-02-25", "Wire", quote, at, at + len(quote))
    return Answer("Where?", "Moscow offered Minsk. [1] It was declined. [9]", (citation,), False, (_passage(),))


@given(st.text())
def test_escaped_text_has_no_markup_and_reads_back_unchanged(text):
    escaped = render.escape(text)
    assert not re.search(r"[<>\"'`*_\[\]$]|&(?!#\d+;)", escaped)
    assert html.unescape(escaped) == text


def test_citation_links_to_its_source_card_with_the_quote_as_tooltip():
    out = render.answer_html(_minsk_answer(), turn=2)
    link = re.search(r'<a class="rag-cite" href="#rag-src-2-1" title="([^"]*)">&#91;1&#93;</a>', out)
    assert link and "Moscow offered Minsk as the venue for talks." in html.unescape(link.group(1))
    assert "&#91;9&#93;" in out and 'href="#rag-src-2-9"' not in out  # a mark with no citation is plain text


def test_sources_panel_highlights_the_quote_inside_its_passage_newest_first():
    older = Answer("First?", REFUSAL, (), True, (_passage(doc_id="b", title="Other"),), query="first query")
    panel = render.sources_html([older, _minsk_answer()])
    assert panel.index('id="rag-turn-1" open') < panel.index('id="rag-turn-0"')
    assert 'id="rag-src-1-1"' in panel
    assert "<mark>Moscow offered Minsk as the venue for talks&#46;</mark>" in panel
    assert "Talks were proposed&#46; <mark>" in panel  # the passage around the quote is shown too
    assert "Talks &#60;b&#62;now&#60;/b&#62;" in panel and "<b>now</b>" not in panel


def test_a_refusal_says_so_and_shows_what_was_searched():
    answer = Answer("Who won the cup?", REFUSAL, (), True, (_passage(title="Cup talk"),), query="Who won the cup?")
    chat = render.answer_html(answer, 0)
    assert '<div class="rag-refusal">The articles I have do not answer this question&#46;</div>' in chat
    assert "Searched for: “Who won the cup?”</div>" in chat
    limited = render.answer_html(dataclasses.replace(answer, filters=Filters("2022-02-01", "", ("AP",))), 0)
    assert "Searched for: “Who won the cup?” (limited to dates 2022&#45;02&#45;01 to any, sources AP)" in limited
    panel = render.sources_html([answer])
    assert "Not answered" in panel and "Cup talk" in panel and "rag-src-" not in panel


def test_quotes_in_one_passage_are_marked_in_order_and_warnings_and_repairs_shown():
    first, second = "Talks were proposed.", "Kyiv declined."
    citations = tuple(
        Citation(1, "a", "T", "", "", q, DOC_TEXT.index(q), DOC_TEXT.index(q) + len(q)) for q in (second, first)
    )
    marked = render.highlighted(_passage(), citations)
    assert marked.startswith("<mark>Talks were proposed&#46;</mark>") and marked.endswith("<mark>Kyiv declined&#46;</mark>")
    answer = Answer("q", "x [1]", citations, False, (_passage(),), warnings=("model down",), repairs=("moved [2] to [1]",))
    assert "⚠ model down" in render.answer_html(answer, 0)
    assert "Citation check: 1 repair(s)" in render.sources_html([answer]) and "moved &#91;2&#93; to &#91;1&#93;" in render.sources_html([answer])


def test_sentences_the_check_removed_are_shown_struck_through_beside_the_answer():
    answer = dataclasses.replace(_minsk_answer(), removed=("The army sent <300> soldiers.",))
    chat = render.answer_html(answer, 0)
    assert ('<div class="rag-unsupported">Removed from the answer: no article supports it.'
            "<ul><li><s>The army sent &#60;300&#62; soldiers&#46;</s></li></ul></div>") in chat
    assert "rag-unsupported" not in render.answer_html(_minsk_answer(), 0)


def test_the_sources_found_show_before_the_answer_with_the_best_sentence_marked():
    earlier = _minsk_answer()
    best = earlier.citations[0]
    other = _passage(doc_id="b", title="Kyiv <i>replies</i>")
    found = Sources("Who declined?", "Who declined?", (other, _passage()), dataclasses.replace(best, n=2), 12.0)
    out = render.sources_html([earlier], found)
    # the question being answered is on top and open, its two passages carded, only the best sentence marked
    assert out.index('id="rag-turn-1"') < out.index('id="rag-turn-0"')
    assert re.search(r'<details class="rag-turn rag-found" id="rag-turn-1" open>', out)
    assert 'id="rag-src-1-1"' in out and 'id="rag-src-1-2"' in out and "Kyiv &#60;i&#62;replies" in out
    found_part = out[out.index('id="rag-turn-1"'):out.index('id="rag-turn-0"')]
    assert found_part.count("<mark>") == 1 and "Found 2 passages (the best sentence is marked)" in found_part
    assert 'id="rag-turn-0">' in out  # the earlier answer's section stays, closed
    nothing = render.sources_html([], Sources("Who?", "Who?", (), None, 5.0))
    assert "No passage found." in nothing


def test_sides_that_differ_are_marked_by_what_differs_each_linked_to_its_source_card():
    answer = _minsk_answer()
    citation = answer.citations[0]
    later = dataclasses.replace(citation, n=2, date="2022-02-27", source="CNN")
    days = dataclasses.replace(answer, disagreement=(Differing("24 February 2022", citation, "day"),
                                                     Differing("25 February 2022", later, "day")))
    shown = render.answer_html(days, 0)
    assert "⚖ The articles give different days for it (oldest first):" in shown
    assert shown.index("24 February 2022") < shown.index("25 February 2022")
    assert f'href="#{render.source_id(0, 2)}"' in shown and "2022&#45;02&#45;27 · CNN" in shown
    figures = dataclasses.replace(answer, disagreement=(Differing("12", citation), Differing("15", later)))
    assert "different figures (oldest first; a toll may have risen since)" in render.answer_html(figures, 0)
