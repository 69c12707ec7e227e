"""The Gradio app started on a free loopback port and used through gradio_client, as a script would."""

import json
import socket

import pytest

from conftest import MINSK_QUESTION, SEED_000

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def client(seeded):
    from gradio_client import Client

    import app

    demo = app.build_app(seeded)
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        demo.close()


def test_ask_endpoint_returns_the_answer_json(client):
    answer = json.loads(client.predict(MINSK_QUESTION, api_name="/ask"))
    assert answer["refused"] is False and "Minsk" in answer["text"]
    assert any(c["doc_id"] == SEED_000 and "Minsk" in c["quote"] for c in answer["citations"])


def test_chat_endpoint_renders_citations_and_refusals(client):
    reply = client.predict(MINSK_QUESTION, api_name="/chat")
    assert "Minsk" in reply and "**[1]" in reply and "> " in reply
    refusal = client.predict("Who won the 2022 FIFA World Cup?", api_name="/chat")
    assert refusal.startswith("The articles I have do not answer this question.") and "*Searched:*" in refusal


def test_article_text_is_escaped_in_the_page():
    import app
    from rag.types import Answer, Citation

    citation = Citation(1, "d", "<script>alert(1)</script>", "", "", "<img src=x onerror=alert(1)>", 0, 5)
    rendered = app.render_answer(Answer("q", "x [1]", (citation,), False, ()))
    assert "<script>" not in rendered and "<img" not in rendered and "&lt;img src=x onerror=alert(1)&gt;" in rendered
