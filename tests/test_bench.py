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
