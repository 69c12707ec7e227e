"""How much of the question the model's quotes must hold (RAG_MODEL_QUESTION_SHARE) and how near in meaning a
quoted word must be to count for a question word (rag.extractive.WORD_COSINE), chosen on half of news2022 dev and
reported on the other half, from model runs made with the check off:

    RAG_MODEL_QUESTION_SHARE=0 python -m rag --store S eval --questions eval/news2022_dev.jsonl --llm local --out now
    RAG_MODEL_QUESTION_SHARE=0 python -m rag --store S eval --questions eval/news2022_dev.jsonl --llm local \\
        --before-the-news --out before
    RAG_MODEL_QUESTION_SHARE=0 python -m rag --store S eval --questions eval/news2022_premises.jsonl --llm local \\
        --out premises
    RAG_MODEL_QUESTION_SHARE=0 python -m rag eval --llm local --out seed
    python eval/meaning_share_sweep.py --now now --before before --premises premises --seed seed

The check only turns a checked answer into a refusal: one whose quotes hold less than the share of the question's
words (a quoted word within the cosine counting too; 1: only the same word) and none of whose quotes scores
SHARE_EXCUSED_AT. So every setting's figures follow from the rows of those runs, with one approximation: a
withheld draft may in the product still be answered by the quoting answerer when its quote gives the same answer
(rag.verified), which this replay counts as a refusal. Per half of news2022 dev (the halves of
eval/retrieval_cv.py) it prints correct, precision of the answered and wrong answers as of each question's date,
wrong answers before the news, the premise questions' refusal-or-correction and the seed-set answers the check
would withhold that were right. A setting is picked on one half by the net (correct minus wrong as of the date
minus wrong before the news) among those that withhold no right seed-set answer, and read on the other.
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

from rag.extractive import SHARE_EXCUSED_AT, ExtractiveAnswerer, Sentence
from rag.factory import build_embedder
from rag.questions import eval_file, load_questions
from rag.settings import Settings

from retrieval_cv import halves

RUNS = ("now", "before", "premises", "seed")


def load_rows(folder: Path) -> list[dict]:
    """The rows of an eval run's results.json, values as written (the seed set's report keeps some as text)."""
    rows = json.loads((folder / "results.json").read_text())[0]["rows"]
    for row in rows:
        for key in ("refused", "key_match", "citations"):
            if isinstance(row[key], str):
                row[key] = ast.literal_eval(row[key])
    return rows


def features(answerer: ExtractiveAnswerer, row: dict) -> tuple[list[float], float]:
    """(each question word's nearness to the quotes, ExtractiveAnswerer.word_nearness; the best quote's score as
    the quoting answerer scores passage sentences) for an answered row."""
    question = row.get("query") or row["question"]
    quotes = [c["quote"] for c in row["citations"]]
    question_vector = answerer.embedder.embed([question])[0]
    scores = answerer.score(question, question_vector, [Sentence(0, 0, quote) for quote in quotes])
    return answerer.word_nearness(question, quotes), max(scores, default=0.0)


def withheld(row: dict, feature: tuple[list[float], float] | None, share: float, cosine: float) -> bool:
    if row["refused"]:
        return True
    nearness, best = feature
    held = sum(n >= cosine for n in nearness) / len(nearness) if nearness else 1.0
    return held < share and best < SHARE_EXCUSED_AT


def figures(runs: dict[str, list[dict]], feats: dict, share: float, cosine: float, half: set[str] | None) -> dict:
    out = {}
    for kind, rows in runs.items():
        if kind in ("now", "before") and half is not None:
            rows = [r for r in rows if r["id"] in half]
        off = [withheld(r, feats.get((kind, r["id"])), share, cosine) for r in rows]
        right = [bool(r["key_match"]) for r in rows]
        if kind == "seed":
            out["seed_lost"] = [r["id"] for r, o, k in zip(rows, off, right) if o and k and not r["refused"]]
        elif kind == "premises":
            out["premises"] = sum(o or k for o, k in zip(off, right)) / len(rows)
        else:
            answered = [k for o, k in zip(off, right) if not o]
            out[kind] = {"correct": sum(answered) / len(rows), "precision": sum(answered) / max(len(answered), 1),
                         "wrong": (len(answered) - sum(answered)) / len(rows)}
    out["net"] = out["now"]["correct"] - out["now"]["wrong"] - out["before"]["wrong"]
    return out


def line(name: str, f: dict) -> str:
    now, before = f["now"], f["before"]
    return (f"| {name} | {now['correct']:.3f} | {now['precision']:.3f} | {now['wrong']:.3f} | {before['wrong']:.3f} "
            f"| {f['premises']:.3f} | {', '.join(f['seed_lost']) or '–'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for kind in RUNS:
        parser.add_argument(f"--{kind}", type=Path, required=True, help=f"folder of the {kind} run (--out)")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.3, 0.35, 0.4, 0.45, 0.5])
    parser.add_argument("--cosines", type=float, nargs="+", default=[0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 1.0])
    args = parser.parse_args()
    runs = {kind: load_rows(getattr(args, kind)) for kind in RUNS}
    answerer = ExtractiveAnswerer(build_embedder(Settings.from_env()), min_sentence_score=0.0)
    feats = {(kind, r["id"]): features(answerer, r) for kind, rows in runs.items() for r in rows if not r["refused"]}
    a, b = ({q.id for q in half} for half in halves(load_questions(eval_file("news2022_dev.jsonl"))))
    grid = [(0.0, 1.0)] + [(s, c) for s in args.shares for c in args.cosines]
    header = ("| setting | correct | precision | wrong | before-news wrong | premises R-or-C | right seed answers "
              "withheld |\n|---|---|---|---|---|---|---|")
    for tuned, shown, name in ((a, b, "A → B"), (b, a, "B → A")):
        kept = [(s, c) for s, c in grid if not figures(runs, feats, s, c, tuned)["seed_lost"]]
        share, cosine = max(kept, key=lambda sc: figures(runs, feats, *sc, tuned)["net"])
        print(f"\npicked on {name.split()[0]}: share {share:g}, cosine {cosine:g}; read on {name.split()[-1]}:\n{header}")
        print(line("off", figures(runs, feats, 0.0, 1.0, shown)))
        print(line(f"share {share:g}, cosine {cosine:g}", figures(runs, feats, share, cosine, shown)))
    print(f"\nall of dev:\n{header}")
    for share, cosine in [(0.0, 1.0), (0.35, 1.0)] + [(s, c) for s in args.shares for c in (0.5, 0.55, 0.6)]:
        print(line(f"share {share:g}, cosine {cosine:g}", figures(runs, feats, share, cosine, None)))


if __name__ == "__main__":
    main()
