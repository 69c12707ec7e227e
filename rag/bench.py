"""`python -m rag bench`: embedder throughput, end-to-end ingest throughput and retrieval latency, in one run.

Times on a shared machine drift; the ratio of two figures taken in the same run is what to compare.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
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



def _sample(corpus: Path, n_docs: int) -> list[str]:
    """Every k-th line of the corpus, so the sample spans its sources and years."""
    opener = gzip.open if corpus.name.endswith(".gz") else open
    with opener(corpus, "rt", encoding="utf-8") as lines:
        all_lines = [line for line in lines if line.strip()]
    step = max(1, len(all_lines) // n_docs)
    return all_lines[::step][:n_docs]


def run_bench(settings: Settings, corpus: Path | None, n_docs: int, n_queries: int) -> dict:
    from rag.factory import build_assistant, build_embedder

    if corpus is None:
        raise ConfigError("bench needs articles to time: pass --corpus FILE.jsonl[.gz] (one article per line)")
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


def run_llm_bench(settings: Settings, models: list[str], n_questions: int, prompt_words: list[int] | None = None,
                  whole_passages: bool = True) -> list[dict]:
    """Time to first token and total answer time over the seed eval's answerable questions, per model and per
    prompt budget (`prompt_words`, default: the configured RAG_PROMPT_WORDS).

    Each model is loaded and warmed on one question first (loading is not answering). With `whole_passages`,
    the same questions are also asked with every retrieved sentence in the prompt, so the saving of reading only
    the best sentences, and each budget's cost, are ratios measured in the same run."""
    from rag.questions import QUESTIONS, eval_file, load_questions
    from rag.factory import build_assistant

    questions = [q.question for q in load_questions(eval_file(QUESTIONS)) if q.group == "answerable"][:n_questions]
    rows = []
    with tempfile.TemporaryDirectory(prefix="rag-bench-llm-") as tmp:
        store = Path(tmp) / "store"
        configurations = [(f"best sentences, {words} words", words) for words in prompt_words or [settings.prompt_words]]
        configurations += [("whole passages", 100_000)] if whole_passages else []
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


def run_answer_bench(settings: Settings, questions_file: Path | None, n_questions: int, model: str) -> dict:
    """From one run over the store in `settings` (a question's date, when it has one, is its as-of day): search
    (embedding the question and retrieving, as timed inside the quoted answer's run); sources ready (the Sources
    event, before any answer); the quoted answer; the model's first token and whole answer. Each as p50/p95 in ms
    and as a ratio of its p50 to search's p50, the one comparison that survives a noisy machine. Each assistant
    answers one question first, unmeasured (loading is not answering)."""
    from rag.factory import build_assistant, build_generator
    from rag.questions import QUESTIONS, eval_file, load_questions
    from rag.types import Sources

    asked = [q for q in load_questions(questions_file or eval_file(QUESTIONS)) if not q.history][:n_questions]
    if not asked:
        raise ConfigError("no questions to time; pass --questions FILE with at least one question")
    quoting = build_assistant(dataclasses.replace(settings, llm="extractive"), seed_if_empty=False)
    if quoting.store.count() == 0:
        raise ConfigError(f"the store {settings.store} is empty; time answers on a store of articles (--store)")
    modelled = dataclasses.replace(settings, llm="local", model=model)
    writing = build_assistant(modelled, embedder=quoting.embedder, store=quoting.store,
                              generator=build_generator(modelled), seed_if_empty=False)
    times: dict[str, list[float]] = {name: [] for name in ("search", "sources", "extractive", "first_token", "model")}
    for assistant in (quoting, writing):
        assistant.ask(asked[0].question, as_of=asked[0].date or None)
    for question in asked:
        as_of = question.date or None
        started = time.perf_counter()
        for event in quoting.stream(question.question, as_of=as_of):
            if isinstance(event, Sources):
                times["sources"].append(_since(started))
        times["extractive"].append(_since(started))
        times["search"].append(event.timings["retrieve_ms"])  # the question embedded and searched, in that run
        started, first = time.perf_counter(), None
        for event in writing.stream(question.question, as_of=as_of):
            if isinstance(event, str) and first is None:
                first = _since(started)
        times["model"].append(_since(started))
        if first is not None:  # a refusal at once writes no token
            times["first_token"].append(first)
    search_p50 = statistics.median(times["search"])
    figures: dict = {"questions": len(asked), "model": model, "store": str(settings.store)}
    for name, values in times.items():
        if values:
            p50 = statistics.median(values)
            figures |= {f"{name}_p50_ms": round(p50, 1), f"{name}_p95_ms": round(percentile(values, 0.95), 1),
                        f"{name}_to_search": round(p50 / search_p50, 2)}
    print(json.dumps(figures, indent=2))
    return figures


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def run_scale_bench(n_chunks: int, n_queries: int, folder: Path | None = None, server: bool = True) -> list[dict]:
    """Vector-search latency and resident memory over `n_chunks` synthetic chunks (random unit vectors of the
    embedder's 384 dimensions, generated text, the metadata real chunks carry), in the embedded store and, with
    `server`, through a `chroma run` server over the same folder. The store is built once in `folder`, 5,000
    chunks per write (resumable: a second run adds only what is missing), and kept, so a big build is paid once."""
    import numpy as np
    from tqdm import tqdm

    from rag.store import ChunkStore, manifest_for

    dim, batch = 384, 5000
    folder = folder or Path(tempfile.gettempdir()) / f"rag-scale-{n_chunks}"
    manifest = manifest_for("synthetic-unit-vectors", dim, 200, 30)
    store = ChunkStore(folder, "articles", manifest)
    words = "talks troops border capital sanctions minister city forces report peace grain port rail bank vote".split()
    rng = np.random.default_rng(len(words))
    with store.writing(), tqdm(total=n_chunks, initial=min(store.count(), n_chunks), unit="chunk", desc="build") as bar:
        for start in range(store.count() // batch * batch, n_chunks, batch):
            vectors = rng.standard_normal((min(batch, n_chunks - start), dim)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            ids, texts, metadatas = [], [], []
            for i in range(start, start + len(vectors)):  # ten chunks per synthetic article
                doc_id = f"syn{i // 10:07d}"
                ids.append(f"{doc_id}#h#{i % 10}")
                texts.append(" ".join(rng.choice(words, 150)))
                metadatas.append({"doc_id": doc_id, "title": f"Report {doc_id}", "date": "2022-03-01", "day": 20220301,
                                  "source": "Synthetic", "start": 0, "end": len(texts[-1]), "index": i % 10,
                                  "n_chunks": 10, "content_hash": "h"})
            store._collection.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metadatas)
            bar.update(len(vectors))
    queries = rng.standard_normal((n_queries, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    rows = [_time_queries("embedded", store, queries, _rss_mb(os.getpid()))]
    print(json.dumps(rows[-1]), flush=True)
    if server:
        del store  # the server process takes the folder over
        rows.append(_server_row(folder, manifest, queries))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _time_queries(mode: str, store, queries, rss: float) -> dict:
    store.query(queries[0].tolist(), 10)  # load the index before timing
    latencies = []
    for query in queries:
        started = time.perf_counter()
        store.query(query.tolist(), 10)
        latencies.append((time.perf_counter() - started) * 1000)
    return {"mode": mode, "chunks": store.count(), "queries": len(latencies),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "rss_mb": rss}


def _server_row(folder: Path, manifest: dict, queries) -> dict:
    import shutil
    import socket
    import subprocess
    import sys
    import urllib.request

    from rag.store import ChunkStore

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma") or "chroma"
    server = subprocess.Popen([chroma, "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        remote = ChunkStore(folder / ".rag-client", "articles", manifest, url=f"http://127.0.0.1:{port}")
        remote.query(queries[0].tolist(), 10)
        return _time_queries("server", remote, queries, _rss_mb(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=60)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process now, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")
