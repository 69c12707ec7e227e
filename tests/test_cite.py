"""Citation checking on hand-made passages: what a model's [n] claims against what the passage says."""

from rag.cite import verify
from rag.types import Passage

MINSK = "Kremlin spokesman Dmitry Peskov said Moscow was ready to send ministers to Minsk for talks. Kyiv said no."
NATO = "Putin had demanded that Ukraine abandon any aspirations of joining NATO. He also wanted Crimea recognised."


def passage(doc_id: str, text: str, start: int = 100) -> Passage:
    return Passage(f"{doc_id}#h#0", doc_id, doc_id.title(), "2022-02-25", "", "", "", text, start, start + len(text), 0.6)


PASSAGES = [passage("minsk", MINSK), passage("nato", NATO, start=0)]


def test_a_supported_citation_is_kept_with_a_verbatim_quote_and_document_offsets():
    checked = verify("Moscow was ready to send ministers to Minsk for talks. [1]", PASSAGES)
    assert checked.text == "Moscow was ready to send ministers to Minsk for talks. [1]"
    assert checked.repairs == () and checked.supported == 1
    (citation,) = checked.citations
    assert (citation.n, citation.doc_id) == (1, "minsk")
    assert citation.quote == MINSK.split(" Kyiv")[0]
    assert (citation.start, citation.end) == (100, 100 + len(citation.quote))


def test_a_citation_to_the_wrong_passage_moves_to_the_one_that_supports_it():
    checked = verify("Ukraine was asked to give up joining NATO [1].", PASSAGES)
    assert checked.text == "Ukraine was asked to give up joining NATO. [2]"
    assert [c.doc_id for c in checked.citations] == ["nato"]
    assert checked.repairs == (
        "[1] does not support “Ukraine was asked to give up joining NATO.”",
        "cited [2] for “Ukraine was asked to give up joining NATO.”",
    )


def test_a_number_without_a_passage_is_dropped_and_said_so():
    checked = verify("Talks were offered in Minsk. [7]", PASSAGES)
    assert checked.repairs[0] == "dropped [7]: there is no passage 7"
    assert checked.text == "Talks were offered in Minsk. [1]"


def test_a_sentence_no_passage_supports_keeps_no_mark_and_is_reported():
    checked = verify("Minsk was offered for talks. [1] The talks then moved to Paris on Monday. [1]", PASSAGES)
    assert checked.text == "Minsk was offered for talks. [1] The talks then moved to Paris on Monday."
    assert (checked.supported, checked.unsupported) == (1, 1)
    assert checked.repairs[-1] == "no passage supports “The talks then moved to Paris on Monday.”"


def test_marks_on_either_side_of_the_full_stop_and_several_marks_are_read():
    checked = verify("Minsk was offered [1][2]. NATO membership was to be abandoned. [2]", PASSAGES)
    assert checked.text == "Minsk was offered. [1] NATO membership was to be abandoned. [2]"
    assert checked.repairs == ("[2] does not support “Minsk was offered.”",)
