"""The benchmark runs end to end on a small corpus and reports every figure (their values are not judged here)."""

import json

import pytest

from rag.bench import run_bench
from rag.settings import Settings

pytestmark = pytest.mark.slow


def test_bench_reports_throughputs_their_ratio_and_latency(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(
        json.dumps({"doc_id": f"d{i}", "title": f"Story {i} about talks in Minsk", "text": f"Paragraph {i}. " * 300}) + "\n"
        for i in range(6)
    ))
    figures = run_bench(Settings(store=tmp_path / "unused"), corpus=corpus, n_docs=4, n_queries=3)
    assert figures["documents"] == 4 and figures["chunks"] == figures["chunks_written"] > 4
    assert figures["queries"] == 3
    assert figures["ingest_to_embed_ratio"] == pytest.approx(
        figures["ingest_chunks_per_s"] / figures["embed_chunks_per_s"], rel=0.01)
    assert json.loads(capsys.readouterr().out) == figures
    assert not (tmp_path / "unused").exists()  # the benchmark never touches the user's store


def test_scale_bench_builds_resumably_and_times_embedded_and_server_search(tmp_path):
    from rag.bench import run_scale_bench

    folder = tmp_path / "scale"
    first = run_scale_bench(6000, 5, folder, server=False)
    assert [(r["mode"], r["chunks"], r["queries"]) for r in first] == [("embedded", 6000, 5)]
    rows = run_scale_bench(12000, 5, folder)  # adds only the missing 6,000, then also through `chroma run`
    assert [(r["mode"], r["chunks"]) for r in rows] == [("embedded", 12000), ("server", 12000)]
    assert all(0 < r["p50_ms"] <= r["p95_ms"] and r["rss_mb"] > 0 for r in rows)


def test_llm_bench_times_each_prompt_budget_against_whole_passages(tmp_path, capsys):
    from rag.bench import run_llm_bench

    model = "qwen2.5-coder-0.5b"
    rows = run_llm_bench(Settings(store=tmp_path / "unused"), [model], n_questions=2, prompt_words=[40, 160])
    assert [row["prompt"] for row in rows] == ["best sentences, 40 words", "best sentences, 160 words", "whole passages"]
    assert all(row["model"] == model and row["questions"] == 2 for row in rows)
    assert all(0 < row["ttft_p50_ms"] <= row["total_p50_ms"] for row in rows)
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")] == rows
    assert not (tmp_path / "unused").exists()


def test_bench_without_a_corpus_says_how_to_give_one(tmp_path):
    from rag.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^bench needs articles to time: pass --corpus FILE.jsonl\[.gz\]"):
        run_bench(Settings(store=tmp_path / "unused"), corpus=None, n_docs=4, n_queries=3)
    with pytest.raises(ConfigError, match=r"gone.jsonl: no such corpus; pass one with --corpus"):
        run_bench(Settings(store=tmp_path / "unused"), corpus=tmp_path / "gone.jsonl", n_docs=4, n_queries=3)


def test_answer_bench_times_search_sources_quoting_and_the_model_from_one_run(seeded, capsys):
    from rag.bench import run_answer_bench

    figures = run_answer_bench(seeded.settings, None, n_questions=3, model="qwen2.5-coder-0.5b")
    assert figures["questions"] == 3 and json.loads(capsys.readouterr().out) == figures
    for name in ("search", "sources", "extractive", "first_token", "model"):
        assert figures[f"{name}_p50_ms"] <= figures[f"{name}_p95_ms"]
        ratio = figures[f"{name}_p50_ms"] / figures["search_p50_ms"]
        assert figures[f"{name}_to_search"] == pytest.approx(ratio, rel=0.02, abs=0.01)
    # the sources come before either answer is done, and the model's first token before its whole answer
    assert figures["sources_p50_ms"] <= figures["extractive_p50_ms"]
    assert figures["first_token_p50_ms"] < figures["model_p50_ms"]
