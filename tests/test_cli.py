"""The CLI as a user runs it: a real subprocess, a temporary store, the real model."""

import json
import os
import subprocess
import sys

import pytest

from rag.ingest import SEEDS_DIR

from conftest import MINSK_QUESTION, SEED_000

pytestmark = pytest.mark.slow


def rag(*args, store, env=None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | {"RAG_LLM": "extractive"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "rag", "--store", str(store), *args],
        capture_output=True, text=True, env=environ, timeout=300,
    )


def test_ask_json_prints_the_answer_as_the_api_returns_it(tmp_path):
    result = rag("ask", MINSK_QUESTION, "--json", store=tmp_path / "store")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "text", "citations", "refused", "passages", "timings", "warnings", "query", "repairs",
                           "removed", "filters", "evidence_date", "notes", "timeline", "disagreement"}
    assert answer["refused"] is False and "Minsk" in answer["text"]
    citation = next(c for c in answer["citations"] if "Minsk" in c["quote"])
    assert citation["doc_id"] == SEED_000
    assert set(citation) == {"n", "doc_id", "title", "date", "source", "quote", "start", "end"}
    seed_text = (SEEDS_DIR / f"{SEED_000}.txt").read_text()
    assert citation["quote"] in seed_text


def test_fifa_question_is_refused(tmp_path):
    result = rag("ask", "Who won the 2022 FIFA World Cup?", "--json", store=tmp_path / "store")
    answer = json.loads(result.stdout)
    assert answer["refused"] is True and answer["citations"] == []


def test_ingest_twice_keeps_the_chunk_count_and_remove_and_stats_work(tmp_path):
    store = tmp_path / "store"
    first = rag("ingest", str(SEEDS_DIR), "--json", store=store)
    assert first.returncode == 0, first.stderr
    total = json.loads(first.stdout)["total_chunks"]
    second = rag("ingest", str(SEEDS_DIR), store=store)
    assert f"0 added, 0 updated, 2 unchanged, 0 removed, 0 notices; 0 chunks written, 0 deleted; {total} chunks" in second.stdout
    removed = rag("remove", SEED_000, store=store)
    assert removed.returncode == 0 and removed.stdout.startswith(f"removed {SEED_000}: ")
    stats = json.loads(rag("stats", "--json", store=store).stdout)
    assert stats["documents"] == 1 and [r["doc_id"] for r in stats["by_document"]] == ["003_54a506a86ad83a73"]
    dry = rag("ingest", str(SEEDS_DIR), "--dry-run", store=store)
    assert f"added    {SEED_000}" in dry.stdout and "nothing was changed" in dry.stdout


@pytest.mark.parametrize(
    "args, env, message",
    [
        (("ingest", "no/such/dir"), {}, "error: no/such/dir: no such file or directory; check the path"),
        (("ask", "   "), {}, "error: the question is empty; ask something"),
        (("ask", "x" * 100_000), {}, "error: the question is 100,000 characters; the limit is 2,000"),
        (("search", "talks"), {"RAG_TOP_K": "zero"}, "error: RAG_TOP_K='zero' is not a valid int"),
        (("remove", "nope"), {}, "error: no document 'nope' in"),
        (("eval", "--llm", "extractive"), {}, "error: no articles to score in"),
        (("eval", "--features"), {}, "error: no articles in"),
        (("bench", "--answers", "--llm", "qwen2.5-coder-0.5b", "smollm2"), {}, "error: bench --answers times one model"),
        (("ask", "talks?", "--since", "2022-02-30"), {}, "error: since='2022-02-30' is not a date; write it as YYYY-MM-DD"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_status_2(tmp_path, args, env, message):
    result = rag(*args, store=tmp_path / "store", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_folder_that_is_not_a_store_is_refused_and_left_alone(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "report.txt").write_text("mine")
    result = rag("ask", MINSK_QUESTION, store=tmp_path / "docs")
    assert result.returncode == 2 and "is not a rag store" in result.stderr
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["report.txt"]


def test_doctor_reports_versions_model_store_and_offline_check(tmp_path):
    result = rag("doctor", store=tmp_path / "store")
    assert result.returncode == 0, result.stderr
    for expected in ("chromadb", "RAG_CHUNK_SIZE", "embedding model: all-MiniLM-L6-v2 (384-dim)",
                     "  html:\n    lxml_html_clean        ok ", "    trafilatura            ok ",
                     "  pdf:\n    pypdf                  ok ",
                     "loaded from local files (HF_HUB_OFFLINE=1)", "has no index yet",
                     "offline check: 0 outside connections attempted while loading the model"):
        assert expected in result.stdout
    assert not (tmp_path / "store").exists()  # looking does not create a store


def _without_package(folder, module: str) -> dict:
    """An environment in which importing `module` fails as it does when its package is not installed."""
    (folder / module).mkdir(parents=True)
    (folder / module / "__init__.py").write_text(f"raise ModuleNotFoundError(\"No module named '{module}'\")\n")
    return {"PYTHONPATH": str(folder)}


def test_html_without_its_extraction_package_is_one_line_and_the_other_files_are_ingested(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "page.html").write_text("<html><body><article><p>Talks were proposed in Minsk.</p></article></body></html>")
    (articles / "story.txt").write_text("Talks in Minsk\n\nThe Kremlin proposed talks in Minsk on Friday.\n")
    env = _without_package(tmp_path / "blocked", "lxml_html_clean")
    result = rag("ingest", str(articles), store=tmp_path / "store", env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("page.html") == 1  # one line (after the progress bar's carriage return)
    assert (
        f"warning: {articles / 'page.html'}: cannot read HTML: the Python package lxml_html_clean is missing "
        "(No module named 'lxml_html_clean'); install it with: pip install lxml_html_clean\n"
    ) in result.stderr
    assert "1 added" in result.stdout and "story" in rag("stats", store=tmp_path / "store").stdout

    doctor = rag("doctor", store=tmp_path / "store", env=env)
    assert "lxml_html_clean        MISSING (No module named 'lxml_html_clean'); fix: pip install lxml_html_clean" in doctor.stdout
    assert "trafilatura            cannot load until lxml_html_clean is installed" in doctor.stdout


class _Streaming:
    """An assistant whose model writes `draft` in two pieces and whose checks return `final`."""

    def __init__(self, draft: str, final: str) -> None:
        self.draft, self.final = draft, final

    def stream(self, question, **_):
        from rag.types import Answer

        half = len(self.draft) // 2
        yield from (self.draft[:half], self.draft[half:])
        yield Answer(question, self.final, (), False, ())


def test_a_streamed_draft_is_not_printed_again_when_the_checks_only_add_a_sentence(capsys):
    from rag.cli import _stream_answer
    from rag.filters import Filters

    draft = "Four people died when the train derailed. [1]"
    added = "The articles give different figures: 3 (CNN, 28 June 2022) [1]; 4 (CNN, 8 November 2022) [2]."
    answer = _stream_answer(_Streaming(draft, f"{draft} {added}"), "How many died?", None, Filters(), None, live=True)
    assert answer.text == added
    assert capsys.readouterr().out.count("Four people died") == 1


def test_a_streamed_draft_the_checks_changed_is_followed_by_the_checked_text(capsys):
    from rag.cli import _stream_answer
    from rag.filters import Filters

    draft = "Four people died when the train derailed. The army sent 300 soldiers. [1]"
    checked = "Four people died when the train derailed. [1]"
    answer = _stream_answer(_Streaming(draft, checked), "How many died?", None, Filters(), None, live=True)
    assert answer.text == checked
    assert "checked against the passages:" in capsys.readouterr().out
