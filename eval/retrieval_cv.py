"""Retrieval settings chosen by cross-validation on news2022 dev: tune on one half, report on the other.

    python eval/retrieval_cv.py --store news-store [--questions eval/news2022_dev.jsonl] [--out FILE] [--defaults]

The dev questions are split in two halves (sorted by SHA-256 of "cv:" + qid, alternating), so neither half is
news2022's own held-out half. Every candidate setting is scored on both halves through the real Retriever, each
question as of its quiz date and, separately, with no date. One setting serves both, so it is picked on each half
by MRR@10 as of the date plus MRR@10 without, and reported on the other half: those unseen figures are what the
defaults can be expected to give on questions they were not chosen on (then the same for each way of asking
alone, and the five best candidates of each half). The store is read once per question (Chroma and BM25 answers
are kept in memory), so the grid costs little more than one pass. --defaults scores what a user gets with no
setting changed, through Assistant.search(question, k=50).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import functools
import gzip
import hashlib
import itertools
import json
import sys
import time
from pathlib import Path

from rag import retrieve
from rag.factory import build_assistant
from rag.filters import Filters
from rag.lexical import LexicalIndex
from rag.questions import key_found, load_questions
from rag.retrieve import Retriever, doc_id_of
from rag.settings import Settings

from news2022 import CORPUS

DEPTH = 10  # articles ranked per question, as the eval harness ranks them (rag.evaluate.RANK_DEPTH)
GRID = {
    "retrieval": ["dense", "bm25", "hybrid"],
    "article_weight": [0.0, 0.01, 0.02, 0.04],
    "recency": [(0.0, 30.0), (0.3, 30.0), (0.3, 7.0), (1.0, 7.0), (1.0, 30.0)],
    "fusion": [(1.0, 1.0), (1.0, 2.0), (2.0, 1.0)],
    "phrase_weight": [0.0, 0.01, 0.02, 0.03, 0.05, 0.08],
}


def halves(questions: list) -> tuple[list, list]:
    """Two halves of the questions by SHA-256 of "cv:" + id, alternating: independent of news2022's own split."""
    order = sorted(questions, key=lambda q: hashlib.sha256(f"cv:{q.id}".encode()).hexdigest())
    return order[0::2], order[1::2]


def candidates(grid: dict = GRID) -> list[dict]:
    """Every setting the grid spans; fusion weights only where both rankings are fused."""
    found = []
    for retrieval, weight, (recency, days), (dense, words), phrase in itertools.product(*grid.values()):
        if retrieval != "hybrid" and (dense, words) != (1.0, 1.0):
            continue
        found.append({"retrieval": retrieval, "article_weight": weight, "recency_weight": recency,
                      "recency_days": days, "dense_weight": dense, "bm25_weight": words, "phrase_weight": phrase})
    return found


class Remembering:
    """A ChunkStore and LexicalIndex whose answers are kept, so each is read from disk once per question."""

    def __init__(self, store, lexical) -> None:
        self.store, self.lexical = store, lexical
        self._queries: dict = {}
        self._words: dict = {}
        self._facts: dict = {}
        self._passages: dict = {}
        self.path = store.path

    def query(self, vector, k, where=None):
        key = (hash(tuple(vector)), k, json.dumps(where, sort_keys=True))
        if key not in self._queries:
            self._queries[key] = self.store.query(vector, k, where)
        return self._queries[key]

    def search(self, query, k, filters=Filters()):
        key = (query, k, filters)
        if key not in self._words:
            self._words[key] = self.lexical.search(query, k, filters)
        return self._words[key]

    def articles_of(self, chunk_ids, with_vectors=False):
        chunk_ids = list(chunk_ids)
        missing = {doc_id_of(c): c for c in chunk_ids if doc_id_of(c) not in self._facts}
        if missing:
            self._facts |= self.store.articles_of(list(missing.values()), with_vectors=True)
        return {d: self._facts[d] for d in {doc_id_of(c) for c in chunk_ids} if d in self._facts}

    def get_passages(self, chunk_ids, vector):
        key = hash(tuple(vector))
        missing = [c for c in chunk_ids if (key, c) not in self._passages]
        for passage in self.store.get_passages(missing, vector):
            self._passages[(key, passage.chunk_id)] = passage
        return [self._passages[(key, c)] for c in chunk_ids if (key, c) in self._passages]


def score(rankings: dict[str, list[str]], questions: list) -> dict[str, float]:
    """Hits@1/4/10 and MRR@10 at article level over `questions`."""
    hits = {1: 0, 4: 0, 10: 0}
    reciprocal = 0.0
    for q in questions:
        ranking, gold = rankings[q.id], set(q.gold_doc_ids)
        first = next((i for i, doc_id in enumerate(ranking[:DEPTH], 1) if doc_id in gold), 0)
        for k in hits:
            hits[k] += bool(first) and first <= k
        reciprocal += 1 / first if first else 0.0
    n = len(questions)
    return {"hits@1": hits[1] / n, "hits@4": hits[4] / n, "hits@10": hits[10] / n, "mrr@10": reciprocal / n}


def rank_all(base: Settings, memory: Remembering, vectors: dict, questions: list, setting: dict, dated: bool):
    settings = dataclasses.replace(base, **setting)
    retriever = Retriever(memory, memory, settings)
    rankings = {}
    for q in questions:
        filters = Filters.of(as_of=q.date if dated else None)
        passages = retriever.search(q.question, vectors[q.id], DEPTH, distinct_documents=True, filters=filters)
        rankings[q.id] = [p.doc_id for p in passages]
    return rankings


def label(setting: dict) -> str:
    text = (f"{setting['retrieval']} art={setting['article_weight']} "
            f"rec={setting['recency_weight']}/{setting['recency_days']:g}d")
    if setting["retrieval"] == "hybrid":
        text += f" fuse={setting['dense_weight']:g}:{setting['bm25_weight']:g}"
    return text + (f" phrase={setting['phrase_weight']:g}" if setting["phrase_weight"] else "")


def with_defaults(store: Path, questions: list, halves_: tuple[list, list], corpus: Path) -> None:
    """What a user gets with no setting changed: Assistant.search(question, k=50, as_of=its date), the chunks
    collapsed to articles in order of first appearance; and the same with no date. Beside the gold article's
    rank: how often the first article holds the quiz's answer (several articles often tell the same story); then
    the questions whose first article as of their date is not gold, and what came first instead."""
    assistant = build_assistant(Settings.from_env(store=store), generator=None, seed_if_empty=False)
    texts = article_texts(corpus)
    print("\n## the defaults: Assistant.search(q, k=50[, as_of=date])")
    print("| asked | questions | Hits@1 | Hits@4 | Hits@10 | MRR@10 | quiz answer in the first article |")
    print("|---|---|---|---|---|---|---|")
    missed = []
    for dated in (True, False):
        rankings = {}
        for q in questions:
            passages = assistant.search(q.question, k=50, as_of=q.date if dated else None)
            rankings[q.id] = list(dict.fromkeys(p.doc_id for p in passages))
            if dated and passages and passages[0].doc_id not in q.gold_doc_ids:
                missed.append((q, passages[0], rankings[q.id]))
        for name, subset in (("all", questions), ("half A", halves_[0]), ("half B", halves_[1])):
            m = score(rankings, subset)
            answered = sum(bool(rankings[q.id]) and any(key_found(k, texts.get(rankings[q.id][0], ""))
                                                        for k in q.reference) for q in subset) / len(subset)
            print(f"| {'as of its date' if dated else 'no date'} | {name} ({len(subset)}) | {m['hits@1']:.3f} | "
                  f"{m['hits@4']:.3f} | {m['hits@10']:.3f} | {m['mrr@10']:.3f} | {answered:.3f} |")
    _misses(missed, texts)


def _misses(missed: list, texts: dict[str, str]) -> None:
    """The questions whose first article, as of their date, is not gold: what came first instead."""
    holds = [any(key_found(k, texts.get(first.doc_id, "")) for k in q.reference) for q, first, _ in missed]
    outside = sum(not set(q.gold_doc_ids) & set(ranking[:DEPTH]) for q, _, ranking in missed)
    outlets = collections.Counter(first.source for _, first, _ in missed)
    print(f"\nas of the date, {len(missed)} questions have another article first: from "
          + ", ".join(f"{source} {n}" for source, n in outlets.most_common())
          + f"; {sum(holds)} of them hold the quiz's answer; {outside} have no gold article in the first {DEPTH}")
    for (q, first, _), held in zip(missed, holds):
        print(f"  {q.id}: {first.source}, {first.date}, “{first.title}”{' (holds the answer)' if held else ''}")


def article_texts(corpus: Path) -> dict[str, str]:
    """doc_id -> article text of the news2022 corpus (for whether a quiz answer is in an article)."""
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        return {record["doc_id"]: record["text"] for record in map(json.loads, lines)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, type=Path, help="a store holding the news2022 corpus")
    parser.add_argument("--questions", type=Path, default=Path(__file__).with_name("news2022_dev.jsonl"))
    parser.add_argument("--out", type=Path, help="write every candidate's figures here as JSON")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the news2022 corpus (for --defaults)")
    parser.add_argument("--defaults", action="store_true",
                        help="only score the default settings (RAG_* variables as set), through Assistant.search")
    args = parser.parse_args(argv)
    if args.defaults:
        questions = load_questions(args.questions)
        with_defaults(args.store, questions, halves(questions), args.corpus)
        return 0

    base = Settings.from_env(store=args.store, retrieval="hybrid")
    retrieve.phrases = functools.cache(retrieve.phrases)  # each passage's phrases read once, not per candidate
    assistant = build_assistant(base, generator=None, seed_if_empty=False)
    memory = Remembering(assistant.store, LexicalIndex.of(assistant.store))
    questions = load_questions(args.questions)
    vectors = dict(zip([q.id for q in questions], assistant.embedder.embed([q.question for q in questions])))
    first, second = halves(questions)
    print(f"{len(questions)} questions: halves of {len(first)} and {len(second)}; {len(candidates())} candidates",
          file=sys.stderr)
    table = []
    started = time.perf_counter()
    for setting, dated in itertools.product(candidates(), (True, False)):
        rankings = rank_all(base, memory, vectors, questions, setting, dated)
        table.append({"setting": setting, "dated": dated, "all": score(rankings, questions),
                      "A": score(rankings, first), "B": score(rankings, second)})
    print(f"scored in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(table, indent=1), encoding="utf-8")
    both(table)
    for dated in (True, False):
        rows = [row for row in table if row["dated"] == dated]
        print(f"\n## {'as of each question' if dated else 'no date'}")
        print("| tuned on | chosen setting | its MRR@10 there | unseen half: Hits@1 | Hits@4 | Hits@10 | MRR@10 |")
        print("|---|---|---|---|---|---|---|")
        shown = [row for row in rows if _is_default(row["setting"])]
        for tuned, unseen in (("A", "B"), ("B", "A")):
            ranked = sorted(rows, key=lambda row: (-row[tuned]["mrr@10"], -row[tuned]["hits@1"]))
            best = ranked[0]
            shown += [row for row in ranked[:5] if row not in shown]
            u = best[unseen]
            print(f"| {tuned} | {label(best['setting'])} | {best[tuned]['mrr@10']:.3f} | {u['hits@1']:.3f} | "
                  f"{u['hits@4']:.3f} | {u['hits@10']:.3f} | {u['mrr@10']:.3f} |")
        print("\nThe five best on each half and the defaults of before (first row), on both halves and on all:")
        print("| setting | A: Hits@1 | A: MRR@10 | B: Hits@1 | B: MRR@10 | all: Hits@1 | Hits@10 | MRR@10 |")
        print("|---|---|---|---|---|---|---|---|")
        for row in shown:
            a, b, every = row["A"], row["B"], row["all"]
            print(f"| {label(row['setting'])} | {a['hits@1']:.3f} | {a['mrr@10']:.3f} | {b['hits@1']:.3f} | "
                  f"{b['mrr@10']:.3f} | {every['hits@1']:.3f} | {every['hits@10']:.3f} | {every['mrr@10']:.3f} |")
    return 0


def both(table: list[dict]) -> None:
    """One setting serves questions with a date and without: chosen on each half by the sum of its MRR@10 both
    ways, reported on the other half; then the one chosen on all the questions (the default)."""
    dated = {label(row["setting"]): row for row in table if row["dated"]}
    undated = {label(row["setting"]): row for row in table if not row["dated"]}

    def line(name: str, part: str) -> str:
        cells = [f"{row[part][m]:.3f}" for row in (dated[name], undated[name])
                 for m in ("hits@1", "hits@4", "hits@10", "mrr@10")]
        return " | ".join(cells)

    print("\n## one setting for questions with and without a date (MRR@10 as of the date + MRR@10 without)")
    print("| tuned on | chosen setting | reported on | as of: Hits@1 | Hits@4 | Hits@10 | MRR@10 | "
          "no date: Hits@1 | Hits@4 | Hits@10 | MRR@10 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for tuned, unseen in (("A", "B"), ("B", "A"), ("all", "all")):
        name = max(dated, key=lambda n: dated[n][tuned]["mrr@10"] + undated[n][tuned]["mrr@10"])
        print(f"| {tuned} | {name} | {unseen} | {line(name, unseen)} |")


def _is_default(setting: dict) -> bool:
    """The defaults before this study: dense, article weight 0.02, recency 0.3 over 30 days."""
    return (setting["retrieval"], setting["article_weight"], setting["recency_weight"],
            setting["recency_days"]) == ("dense", 0.02, 0.3, 30.0)


if __name__ == "__main__":
    raise SystemExit(main())
