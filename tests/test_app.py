"""The Gradio app started on a free loopback port and used through gradio_client, as a script would."""

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import MINSK_QUESTION, SEED_000, SEED_003, copy_seeds
from rag.factory import build_assistant
from rag.settings import Settings

pytestmark = pytest.mark.slow

LVIV = """---
title: Lviv council votes on tram fares
date: 2022-03-02
---
The Lviv city council voted on Wednesday to make tram rides free for refugees arriving from the east.

The mayor said the fares would return in the summer.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    """The app over a private store holding the seed articles, on a free loopback port; (url, settings)."""
    import app

    folder = tmp_path_factory.mktemp("app")
    settings = Settings(store=folder / "store", uploads=folder / "uploads", llm="extractive")
    assistant = build_assistant(settings, embedder=embedder, seed_if_empty=False)
    assistant.ingest([copy_seeds(folder / "articles")], progress=False)  # the user's own: uploads join them
    demo = app.build_app(assistant)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/", settings
    finally:
        demo.close()


@pytest.fixture(scope="module")
def client(served):
    from gradio_client import Client

    return Client(served[0], verbose=False)


def test_ask_endpoint_returns_the_answer_json(client):
    answer = json.loads(client.predict(MINSK_QUESTION, 0, api_name="/ask"))
    assert answer["refused"] is False and "Minsk" in answer["text"]
    assert any(c["doc_id"] == SEED_000 and "Minsk" in c["quote"] for c in answer["citations"])


def test_chat_endpoint_makes_a_follow_up_standalone(client):
    history = json.dumps([{"question": "What had Putin demanded of Ukraine before the invasion began?", "answer": ""}])
    answer = json.loads(client.predict("And what about Crimea?", history, api_name="/chat"))
    assert answer["query"].startswith("What had Putin demanded") and "Crimea" in answer["text"]
    refusal = json.loads(client.predict("Who won the 2022 FIFA World Cup?", "[]", api_name="/chat"))
    assert refusal["refused"] is True and refusal["text"] == "The articles I have do not answer this question."


def test_ask_endpoint_takes_date_and_source_filters(client):
    dated = json.loads(client.predict(MINSK_QUESTION, 0, "2022-02-25", "2022-02-25", [], api_name="/ask"))
    assert "Minsk" in dated["text"]
    assert dated["filters"] == {"since": "2022-02-25", "until": "2022-02-25", "sources": [], "as_of": ""}
    later = json.loads(client.predict(MINSK_QUESTION, 0, "2023-01-01", "", ["Reuters"], api_name="/ask"))
    assert later["refused"] is True
    assert later["warnings"] == ["no article matches dates 2023-01-01 to any, sources Reuters; widen the filters"]


def test_bad_questions_get_the_clear_error(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the question is empty"):
        client.predict("   ", 0, api_name="/ask")
    with pytest.raises(AppError, match="k=500 must be a whole number between 1 and 100"):
        client.predict(MINSK_QUESTION, 500, api_name="/ask")
    with pytest.raises(AppError, match="since='Feb 1' is not a date; write it as YYYY-MM-DD"):
        client.predict(MINSK_QUESTION, 0, "Feb 1", api_name="/ask")


def test_ingest_then_delete_an_uploaded_article(client, served, tmp_path):
    from gradio_client import handle_file

    settings = served[1]
    article = tmp_path / "lviv_trams.txt"
    article.write_text(LVIV, encoding="utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02binary" * 50)

    report = json.loads(client.predict([handle_file(article), handle_file(broken)], api_name="/ingest"))
    assert report["added"] == ["lviv_trams"] and report["chunks_written"] == 1
    assert any("broken.txt" in line for line in report["notices"])
    assert (settings.uploads / "lviv_trams.txt").read_text(encoding="utf-8") == LVIV
    documents = {d["doc_id"]: d for d in json.loads(client.predict(api_name="/documents"))}
    assert set(documents) == {SEED_000, SEED_003, "lviv_trams"}
    assert documents["lviv_trams"]["title"] == "Lviv council votes on tram fares" and documents["lviv_trams"]["chunks"] == 1

    answer = json.loads(client.predict("What did the Lviv city council vote for on Wednesday?", 0, api_name="/ask"))
    assert "tram rides free" in answer["text"] and answer["citations"][0]["doc_id"] == "lviv_trams"

    again = json.loads(client.predict([handle_file(article)], api_name="/ingest"))
    assert again["unchanged"] == ["lviv_trams"] and again["chunks_written"] == 0

    deleted = json.loads(client.predict("lviv_trams", api_name="/delete"))
    assert deleted == {"doc_id": "lviv_trams", "chunks_deleted": 1}
    assert not (settings.uploads / "lviv_trams.txt").exists()
    assert {d["doc_id"] for d in json.loads(client.predict(api_name="/documents"))} == {SEED_000, SEED_003}
    gone = json.loads(client.predict("What did the Lviv city council vote for on Wednesday?", 0, api_name="/ask"))
    assert all(c["doc_id"] != "lviv_trams" for c in gone["citations"])

    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no document 'lviv_trams'"):
        client.predict("lviv_trams", api_name="/delete")


CONVERSATIONS = [
    (MINSK_QUESTION, "[]", "Minsk"),
    ("What had Putin demanded of Ukraine before the invasion began?", "[]", "NATO"),
    ("And what about Crimea?", json.dumps([{"question": "What had Putin demanded of Ukraine?", "answer": ""}]), "Crimea"),
    ("Who won the 2022 FIFA World Cup?", "[]", None),  # refused
    ("When did Russia annex Crimea?", "[]", "2014"),
]


def test_twenty_concurrent_chats_during_an_upload_all_get_their_own_right_answer(served, tmp_path):
    """20 clients, each its own connection, chat at once while a 40-article upload is being ingested."""
    from gradio_client import Client, handle_file

    url = served[0]
    upload = tmp_path / "harbour.jsonl"
    upload.write_text("".join(
        json.dumps({"doc_id": f"harbour{i:02}", "title": f"Harbour log {i}", "date": "2022-04-01",
                    "text": f"Dock crews in port number {i} repaired crane {i * 3} overnight. " * 20}) + "\n"
        for i in range(40)
    ))

    def converse(i: int) -> dict:
        message, history, _ = CONVERSATIONS[i % len(CONVERSATIONS)]
        return json.loads(Client(url, verbose=False).predict(message, history, api_name="/chat"))

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=21) as pool:
        ingest = pool.submit(lambda: json.loads(Client(url, verbose=False).predict([handle_file(upload)], api_name="/ingest")))
        answers = [future.result(timeout=300) for future in [pool.submit(converse, i) for i in range(20)]]
        report = ingest.result(timeout=300)
    assert time.monotonic() - started < 300
    assert len(report["added"]) == 40 and report["notices"] == []
    for i, answer in enumerate(answers):
        message, _, key = CONVERSATIONS[i % len(CONVERSATIONS)]
        assert answer["question"] == message
        if key is None:
            assert answer["refused"] is True
        else:
            assert answer["refused"] is False and key in answer["text"], (message, answer["text"])
            assert answer["citations"] and all(c["quote"] for c in answer["citations"])
    for i in range(40):
        assert json.loads(Client(url, verbose=False).predict(f"harbour{i:02}", api_name="/delete"))["chunks_deleted"] >= 1


def test_settings_give_the_launch_address_login_and_page_assets():
    import app

    options = app.launch_options(Settings(ui_port=9000, ui_auth="ana:s3cret:x"))
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 9000
    assert options["auth"] == ("ana", "s3cret:x") and options["share"] is False
    assert "rag-cite" in options["css"] and "a.rag-cite" in options["head"]
    assert app.launch_options(Settings())["auth"] is None



def test_python_app_py_serves_the_page_on_loopback(tmp_path):
    """The entry point a user runs: settings from RAG_*, the page up on 127.0.0.1, stopped by the test. While it
    runs, a second process rebuilds the store from other articles: the page's next answer comes from them."""
    import os
    import subprocess
    import sys
    import urllib.request

    port = free_port()
    env = os.environ | {
        "RAG_STORE": str(tmp_path / "store"), "RAG_UPLOADS": str(tmp_path / "uploads"), "RAG_LLM": "extractive",
        "RAG_UI_PORT": str(port), "RAG_RETRIEVAL": "hybrid",  # both the vectors and the word index, read afresh
    }
    app_py = Path(__file__).resolve().parents[1] / "app.py"
    server = subprocess.Popen([sys.executable, str(app_py)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "the page did not come up within 120 s"
                time.sleep(1)
        assert "rag — answers from your news articles" in page
        assert (tmp_path / "store").is_dir()  # the empty store got the bundled articles
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        before = json.loads(client.predict(MINSK_QUESTION, 0, api_name="/ask"))
        assert "Minsk" in before["text"] and before["citations"][0]["doc_id"] == SEED_000
        (tmp_path / "mine").mkdir()
        (tmp_path / "mine" / "lviv_trams.txt").write_text(LVIV, encoding="utf-8")
        rebuild = subprocess.run([sys.executable, "-m", "rag", "ingest", "--rebuild", str(tmp_path / "mine")], env=env,
                                 capture_output=True, text=True, timeout=300)
        assert rebuild.returncode == 0, rebuild.stderr
        after = json.loads(client.predict("What did the Lviv city council vote for on Wednesday?", 0, api_name="/ask"))
        assert "tram rides free" in after["text"] and after["citations"][0]["doc_id"] == "lviv_trams"
        documents = [d["doc_id"] for d in json.loads(client.predict(api_name="/documents"))]
        assert documents == ["lviv_trams"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_app_py_refuses_bad_settings_with_one_line(tmp_path):
    import os
    import subprocess
    import sys

    app_py = Path(__file__).resolve().parents[1] / "app.py"
    env = os.environ | {"RAG_UI_AUTH": "nopassword", "RAG_STORE": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, str(app_py)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: RAG_UI_AUTH must look like user:password (both non-empty), or be unset for no login"
