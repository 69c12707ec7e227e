"""RAG_CHROMA_URL: the same Assistant against a real `chroma run` server on a free loopback port."""

import dataclasses
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import MINSK_QUESTION, SEED_000, SEED_003
from rag.errors import StoreError
from rag.factory import build_assistant
from rag.settings import Settings
from test_app import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    """A Chroma server over a fresh folder, bound to 127.0.0.1, stopped by the test; its URL."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    port = free_port()
    env = os.environ | {"ANONYMIZED_TELEMETRY": "False"}
    log = open(tmp_path / "chroma.log", "wb")  # a file, not a pipe: the server logs every request
    server = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "chroma.log").read_text(errors="replace")
                assert time.monotonic() < deadline, "chroma run did not answer within 60 s"
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_ingest_ask_and_delete_through_a_chroma_server(chroma_server, tmp_path, embedder):
    settings = Settings(store=tmp_path / "cache", chroma_url=chroma_server, llm="extractive", retrieval="hybrid")
    assistant = build_assistant(settings, embedder=embedder)  # an empty collection on the server gets the seeds
    assert {d["doc_id"] for d in assistant.store.documents()} == {SEED_000, SEED_003}
    assert not (tmp_path / "cache" / "chroma.sqlite3").exists()  # the chunks live on the server

    answer = assistant.ask(MINSK_QUESTION)
    assert "Minsk" in answer.text and answer.citations[0].doc_id == SEED_000

    other = build_assistant(dataclasses.replace(settings, store=tmp_path / "other-cache"), embedder=embedder)
    assert other.store.count() == assistant.store.count()  # a second client sees the same chunks
    deleted = other.remove(SEED_000)
    assert deleted > 0 and SEED_000 not in {d["doc_id"] for d in assistant.store.documents()}
    # The first client's word index notices the other client's write and rebuilds.
    words = [hit[0] for hit in assistant.retriever.lexical.search("Peskov Minsk ministers", 5)]
    assert words and not set(words) & set(assistant.store.chunk_ids(SEED_000))
    assert all(c.doc_id != SEED_000 for c in assistant.ask(MINSK_QUESTION).citations)


def test_an_unreachable_server_is_one_line_naming_it(tmp_path, embedder):
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError) as error:
        build_assistant(Settings(store=tmp_path / "cache", chroma_url=f"http://127.0.0.1:{port}"), embedder=embedder)
    assert str(error.value).startswith(f"cannot reach the Chroma server at http://127.0.0.1:{port} (")
    assert str(error.value).endswith("or unset RAG_CHROMA_URL to use the local store")
    with pytest.raises(StoreError, match="is not a server address; write it like http://127.0.0.1:8000"):
        build_assistant(Settings(store=tmp_path / "cache", chroma_url="127.0.0.1:8000"), embedder=embedder)
