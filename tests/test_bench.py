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
