"""Near-duplicate articles: the same story under another headline, byline and footer is named at ingest and
shown once in results; different stories on the same topic are not touched."""

from __future__ import annotations

from conftest import write_articles
from rag.dedup import NEAR_DUPLICATE, SignatureIndex, signature, similarity
from rag.factory import build_assistant
from rag.settings import Settings

STORY = (
    "Engineers at the Zaporizhzhia plant restored a backup power line on Saturday after shelling cut the station "
    "off from the grid for the second time this month. The International Atomic Energy Agency said its inspectors "
    "on site had confirmed that the reactors were in cold shutdown and that diesel generators had been switched "
    "off once the line was repaired. The agency's director general called again for a protection zone around the "
    "plant and said talks with both sides would continue in Istanbul next week. Local officials said residents of "
    "the nearby town of Enerhodar had been told to keep iodine tablets at hand but that no evacuation was planned."
)
WIRE_COPY = "By Staff Reporters, Wire Service\n\n" + STORY + "\n\nReporting by the wire desk; editing by the night team."
SAME_TOPIC = (
    "Inspectors from the International Atomic Energy Agency arrived at the Zaporizhzhia plant on Thursday to assess "
    "damage to a spent fuel storage building. The director general said the team would stay for several weeks and "
    "that two experts would remain permanently. Ukrainian staff at the station described working under constant "
    "pressure from the soldiers who control the site, and the agency said their safety was its greatest concern."
)


def test_signatures_find_the_wire_copy_and_not_a_story_on_the_same_topic():
    assert similarity(signature(STORY), signature(WIRE_COPY)) >= NEAR_DUPLICATE
    assert similarity(signature(STORY), signature(SAME_TOPIC)) < 0.2
    assert signature("Too short to compare.") == ""
    index = SignatureIndex({"story": signature(STORY), "topic": signature(SAME_TOPIC)})
    assert index.nearest(signature(WIRE_COPY))[0] == "story"
    assert index.nearest(signature(STORY), exclude="story") is None


def test_a_syndicated_copy_is_named_at_ingest_and_shown_once(tmp_path, embedder):
    assistant = build_assistant(Settings(store=tmp_path / "store", llm="extractive"), embedder=embedder, seed_if_empty=False)
    notices: list[str] = []
    corpus = write_articles(tmp_path / "corpus", [
        {"doc_id": "agency", "title": "Power restored to Zaporizhzhia plant", "date": "2022-10-08", "text": STORY},
        {"doc_id": "topic", "title": "Inspectors stay at Zaporizhzhia", "date": "2022-09-01", "text": SAME_TOPIC},
        {"doc_id": "wire", "title": "Backup line repaired at nuclear station", "date": "2022-10-08", "text": WIRE_COPY},
    ])
    report = assistant.ingest([corpus], progress=False, on_notice=notices.append)
    assert report.added == ("agency", "topic", "wire")  # both copies are kept: removing one leaves the other
    [notice] = notices
    assert notice.startswith(f"{corpus}: 'wire' is a near-duplicate of 'agency' (") and "% of the wording shared" in notice

    question = "Where will talks about a protection zone around the Zaporizhzhia plant continue?"
    found = [p.doc_id for p in assistant.search(question, k=3, distinct_documents=True)]
    assert len(found) == 2 and "topic" in found and len({"agency", "wire"} & set(found)) == 1
    passages = assistant.search(question, k=4)
    assert len({p.doc_id for p in passages} & {"agency", "wire"}) == 1
    answer = assistant.ask(question)
    assert "Istanbul" in answer.text and len({c.doc_id for c in answer.citations} & {"agency", "wire"}) == 1

    shown = ({"agency", "wire"} & set(found)).pop()
    assistant.remove(shown)
    again = [p.doc_id for p in assistant.search(question, k=3, distinct_documents=True)]
    assert ({"agency", "wire"} - {shown}) <= set(again)  # the other copy takes its place
    assert assistant.ingest([corpus], progress=False, on_notice=notices.append).added == (shown,)


def test_articles_stored_before_signatures_get_them_from_their_chunks_at_the_next_ingest(tmp_path):
    from rag.testing import HashEmbedder

    settings = Settings(store=tmp_path / "store", chunk_size=40, chunk_overlap=8, llm="extractive")
    assistant = build_assistant(settings, embedder=HashEmbedder(), seed_if_empty=False)
    corpus = write_articles(tmp_path / "corpus", [{"doc_id": "agency", "text": STORY}, {"doc_id": "wire", "text": WIRE_COPY}])
    assistant.ingest([corpus], progress=False, on_notice=lambda line: None)
    written = assistant.store.signatures()
    assert set(written) == {"agency", "wire"} and all(written.values())
    firsts = [chunk_id for chunk_id, _ in assistant.store._all_metadatas(where={"index": 0})]
    assistant.store._collection.update(ids=firsts, metadatas=[{"minhash": None}] * len(firsts))  # as an older store
    assert assistant.store.signatures() == {"agency": "", "wire": ""}

    report = assistant.ingest([corpus], progress=False)
    assert report.unchanged == ("agency", "wire") and report.chunks_written == 0  # nothing embedded again
    assert assistant.store.signatures() == written  # the text stitched from overlapping chunks hashes the same
