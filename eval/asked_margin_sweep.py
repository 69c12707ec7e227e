"""How far below the best sentence the quoting answerer may look for the asked fact, chosen on half of news2022
dev and reported on the other half.

    python eval/asked_margin_sweep.py --store news-store [--margins 0 0.05 0.1 0.15 0.2]

The quoting answerer (no model) quotes the one or two best sentences; when they lack the kind of fact the
question asks for (a number, a day, a name), it quotes the best sentence within rag.extractive.ASKED_MARGIN of
the best score that gives it, or refuses. For each margin this prints, per half of news2022 dev (the halves of
eval/retrieval_cv.py): correct, answered, precision of the answered and the net (correct minus wrong) as of each
question's date, and the wrong-answer rate before the news; then the seed set's key accuracy, false refusals and
refusal-or-correction, and the news2022 premise questions' refusal-or-correction. The margin is picked on one
half by the net as of the date (the smallest on a tie) and read on the other.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import rag.extractive as extractive
from rag.evaluate import evaluate
from rag.factory import build_assistant
from rag.questions import QUESTIONS, eval_file, load_questions
from rag.settings import Settings

from retrieval_cv import halves


def quiz(metrics: dict) -> tuple[float, float, float, float]:
    """(correct, answered, precision of the answered, correct minus wrong)."""
    correct, wrong = metrics["quiz_correct"], metrics["quiz_wrong_answer_rate"]
    return correct, metrics["quiz_answered"], metrics["quiz_precision"] or 0.0, round(correct - wrong, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store holding the news2022 articles")
    parser.add_argument("--margins", nargs="+", type=float, default=[0.0, 0.05, 0.1, 0.15, 0.2])
    args = parser.parse_args()
    news = build_assistant(Settings.from_env(store=args.store, llm="extractive"), seed_if_empty=False)
    dev = load_questions(eval_file("news2022_dev.jsonl"))
    premises = load_questions(eval_file("news2022_premises.jsonl"))
    seed_questions = load_questions(eval_file(QUESTIONS))
    with tempfile.TemporaryDirectory(prefix="rag-sweep-") as tmp:
        seed = build_assistant(Settings.from_env(store=Path(tmp) / "store", llm="extractive"), seed_if_empty=True)
        print("| margin | half | correct | answered | precision | net | before the news: wrong |\n"
              "|---|---|---|---|---|---|---|")
        others = []
        for margin in args.margins:
            extractive.ASKED_MARGIN = margin
            for name, half in zip("AB", halves(dev)):
                now = evaluate(news, half, label=name, progress=False)["metrics"]
                early = evaluate(news, half, label=name, progress=False, before_the_news=True)["metrics"]
                print(f"| {margin} | {name} | " + " | ".join(str(x) for x in quiz(now))
                      + f" | {early['quiz_wrong_answer_rate']} |", flush=True)
            s = evaluate(seed, seed_questions, label="seed", progress=False)["metrics"]
            p = evaluate(news, premises, label="premises", progress=False)["metrics"]
            others.append((margin, s["key_accuracy"], s["false_refusal_rate"], s["refusal_or_correction_accuracy"],
                           s["near_miss_accuracy"], p["refusal_or_correction_accuracy"]))
        print("\n| margin | seed key accuracy | false refusals | refusal-or-correction | near-misses refused | "
              "news2022 premises: refusal-or-correction |\n|---|---|---|---|---|---|")
        for row in others:
            print("| " + " | ".join(str(x) for x in row) + " |")


if __name__ == "__main__":
    main()
