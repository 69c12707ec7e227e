"""The chat page's uploads and deletes keep every other article: same-named uploads, per-article deletes from a
multi-article file (now and at every later ingest), and a read-only page that cannot change the store."""

import dataclasses
import gzip
import html
import json

import pytest

from rag.errors import RagError

STORM = {"doc_id": "storm", "title": "Storm closes port", "text": "A storm closed the river port on Tuesday."}
BRIDGE = {"doc_id": "bridge", "title": "Bridge opens", "text": "The mayor opened the new rail bridge on Friday."}
TRAMS = {"doc_id": "trams", "title": "Free trams", "text": "The council made tram rides free for refugees."}


def jsonl(*records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def page(assistant, tmp_path):
    import app

    assistant.settings = dataclasses.replace(assistant.settings, uploads=tmp_path / "uploads")
    return app.Page(assistant)


def stored(page) -> list[str]:
    return [d["doc_id"] for d in page.documents()]


def test_two_uploads_with_the_same_name_are_both_kept(page, tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "story.txt", tmp_path / "b" / "story.txt"
    first.write_text("The council approved a new tram line to the airport.")
    second.write_text("Flooding closed the river port for a week.")
    page.add_files([str(first)])
    summary, report = page.add_files([str(second)])
    assert report["added"] == ("story-2",) and stored(page) == ["story", "story-2"]
    uploads = page.settings.uploads
    assert (uploads / "story.txt").read_text() == first.read_text()
    assert (uploads / "story-2.txt").read_text() == second.read_text()
    again = page.add_files([str(first)])[1]  # the same file again is the same upload, not a third copy
    assert again["unchanged"] == ("story",)
    assert sorted(p.name for p in uploads.iterdir()) == ["story-2.txt", "story.txt"]


@pytest.mark.parametrize("name, opener", [("feed.jsonl", open), ("feed.jsonl.gz", gzip.open)])
def test_deleting_one_article_of_an_uploaded_feed_keeps_its_siblings_for_good(page, tmp_path, name, opener):
    feed = tmp_path / name
    with opener(feed, "wt", encoding="utf-8") as out:
        out.write(jsonl(STORM, BRIDGE, TRAMS))
    page.add_files([str(feed)])
    assert stored(page) == ["bridge", "storm", "trams"]
    summary, deleted = page.delete("bridge")
    assert deleted == 1 and stored(page) == ["storm", "trams"]
    assert html.unescape(summary) == f"Deleted **bridge** (1 chunk); took its line out of the uploaded file {name}; " \
                                    "the file's other articles stay."
    uploaded = page.settings.uploads / name
    with opener(uploaded, "rt", encoding="utf-8") as lines:
        assert [json.loads(line)["doc_id"] for line in lines] == ["storm", "trams"]
    report = page.assistant.ingest([page.settings.uploads], prune=True, progress=False)  # later ingests agree
    assert report.removed == () and report.added == () and stored(page) == ["storm", "trams"]
    page.delete("storm"), page.delete("trams")
    assert not uploaded.exists() and stored(page) == []


def test_deleting_an_article_of_the_users_own_folder_leaves_the_file_alone(page, tmp_path):
    own = tmp_path / "mine" / "feed.jsonl"
    own.parent.mkdir()
    own.write_text(jsonl(STORM, BRIDGE))
    page.assistant.ingest([own.parent], progress=False)
    summary, _ = page.delete("storm")
    assert own.read_text() == jsonl(STORM, BRIDGE) and stored(page) == ["bridge"]
    assert "is not an upload, so the page leaves it alone" in html.unescape(summary)


def test_a_deleted_articles_file_name_shows_as_written(page, tmp_path):
    """The summary is Markdown: a file name with underscores or stars is escaped, not read as emphasis."""
    article = tmp_path / "city_news_*2022*.txt"
    article.write_text("The council approved a new tram line to the airport.")
    page.add_files([str(article)])
    summary, _ = page.delete(stored(page)[0])
    assert "city_news_*2022*.txt" not in summary and "city&#95;news&#95;&#42;2022&#42;&#46;txt" in summary


def test_a_read_only_page_refuses_to_add_or_delete(page, tmp_path):
    import app

    article = tmp_path / "story.txt"
    article.write_text("The council approved a new tram line to the airport.")
    page.add_files([str(article)])
    page.settings = dataclasses.replace(page.settings, ui_readonly=True)
    for action in (lambda: page.add_files([str(article)]), lambda: page.delete("story")):
        with pytest.raises(RagError, match=r"^this page is read-only \(RAG_UI_READONLY=true\)"):
            action()
    assert stored(page) == ["story"]
    readonly = dataclasses.replace(page.assistant.settings, ui_readonly=True)
    page.assistant.settings = readonly
    endpoints = {fn.api_name for fn in app.build_app(page.assistant).fns.values() if fn.api_name}
    assert {"ask", "chat", "documents"} <= endpoints and not endpoints & {"delete", "ingest"}


def test_the_pages_handlers_work_without_the_ui(page, tmp_path):
    import gradio as gr

    import app

    article = tmp_path / "story.txt"
    article.write_text("The council approved a new tram line to the airport.")
    handlers = app.Handlers(page)
    added, caption, rows, doomed, _ = handlers.add_clicked([str(article)])
    assert added == "**1 added, 0 updated, 0 unchanged**; 1 chunk written."
    assert caption.startswith("1 document, 1 chunk in") and rows[0][0] == "story" and doomed["choices"] == ["story"]
    removed, caption, rows, _, _ = handlers.delete_clicked("story")
    assert html.unescape(removed) == "Deleted **story** (1 chunk); deleted its uploaded file story.txt." and rows == []
    with pytest.raises(gr.Error, match="no document 'story'"):
        handlers.delete_api("story")
    assert handlers.delete_clicked("story")[0].startswith("⚠ no document")
