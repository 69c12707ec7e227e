"""`python -m rag bench`: embedder throughput, end-to-end ingest throughput and retrieval latency, in one run.

Times on a shared machine drift; the ratio of two figures taken in the same run is what to compare.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path

from rag.chunking import chunk_document
from rag.clean import clean_document
from rag.errors import ConfigError
from rag.evaluate import percentile
from rag.loaders import iter_documents
from rag.settings import Settings
from rag.types import Document

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "news2022" / "corpus.jsonl.gz"


def _sample(corpus: Path, n_docs: int) -> list[str]:
    """Every k-th line of the corpus, so the sample spans its sources and years."""
    opener = gzip.open if corpus.name.endswith(".gz") else open
    with opener(corpus, "rt", encoding="utf-8") as lines:
        all_lines = [line for line in lines if line.strip()]
    step = max(1, len(all_lines) // n_docs)
    return all_lines[::step][:n_docs]


def run_bench(settings: Settings, corpus: Path | None, n_docs: int, n_queries: int) -> dict:
    from rag.factory import build_assistant, build_embedder

    corpus = corpus or DEFAULT_CORPUS
    if not corpus.exists():
        raise ConfigError(f"{corpus}: no such corpus; pass one with --corpus FILE.jsonl[.gz]")
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        sample = Path(tmp) / "sample.jsonl"
        sample.write_text("".join(_sample(corpus, n_docs)), encoding="utf-8")
        docs = [clean_document(d) for d in iter_documents([sample]) if isinstance(d, Document)]
        texts = [c.text for d in docs for c in chunk_document(d, settings.chunk_size, settings.chunk_overlap)]

        embedder = build_embedder(settings)
        embedder.embed(texts[:64])  # load the model and warm up before timing anything
        started = time.perf_counter()
        embedder.embed(texts)
        raw_s = time.perf_counter() - started

        bench_settings = dataclasses.replace(settings, store=Path(tmp) / "store")
        assistant = build_assistant(bench_settings, seed_if_empty=False)
        started = time.perf_counter()
        report = assistant.ingest([sample], progress=True)
        ingest_s = time.perf_counter() - started

        queries = [d.title for d in docs][:n_queries]
        latencies = []
        for query in queries:
            started = time.perf_counter()
            assistant.search(query)
            latencies.append((time.perf_counter() - started) * 1000)

    figures = {
        "documents": len(docs),
        "chunks": len(texts),
        "chunks_written": report.chunks_written,
        "embed_chunks_per_s": round(len(texts) / raw_s, 2),
        "ingest_chunks_per_s": round(report.chunks_written / ingest_s, 2),
        "ingest_to_embed_ratio": round((report.chunks_written / ingest_s) / (len(texts) / raw_s), 3),
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(percentile(latencies, 0.95), 1),
        "queries": len(latencies),
    }
    print(json.dumps(figures, indent=2))
    return figures


def run_llm_bench(settings: Settings, models: list[str], n_questions: int, whole_passages: bool = True) -> list[dict]:
    """Time to first token and total answer time over the seed eval's answerable questions, per model.

    Each model is loaded and warmed on one question first (loading is not answering). With `whole_passages`,
    the same questions are also asked with every retrieved sentence in the prompt, so the saving of reading only
    the best sentences is a ratio measured in the same run."""
    from rag.evaluate import DEFAULT_QUESTIONS, load_questions
    from rag.factory import build_assistant

    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS) if q.group == "answerable"][:n_questions]
    rows = []
    with tempfile.TemporaryDirectory(prefix="rag-bench-llm-") as tmp:
        store = Path(tmp) / "store"
        configurations = [("best sentences", settings.prompt_words)] + ([("whole passages", 100_000)] if whole_passages else [])
        for model in models:
            for label, words in configurations:
                configured = dataclasses.replace(settings, store=store, llm="local", model=model, prompt_words=words)
                assistant = build_assistant(configured)
                assistant.ask(questions[-1])  # load, assemble if needed, warm up
                ttft, total = [], []
                for question in questions:
                    answer = assistant.ask(question)
                    if "ttft_ms" in answer.timings:
                        ttft.append(answer.timings["ttft_ms"])
                        total.append(answer.timings["total_ms"])
                row = {"model": model, "prompt": label, "questions": len(ttft),
                       "ttft_p50_ms": round(statistics.median(ttft), 1), "ttft_p95_ms": round(percentile(ttft, 0.95), 1),
                       "total_p50_ms": round(statistics.median(total), 1), "total_p95_ms": round(percentile(total, 0.95), 1)}
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows
