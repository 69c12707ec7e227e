"""The score a sentence needs before the quoting answerer quotes it (RAG_MIN_SENTENCE_SCORE), chosen on half of
news2022 dev and reported on the other half.

    python eval/sentence_floor_sweep.py --store news-store [--floors 0.35 0.4 0.45 0.5 0.55 0.6]

Each dev question is asked once as of its date and once before the news (7 days before its earliest gold
article), with no model and the floor at its lowest value; the best quotable sentence's score is kept. A higher
floor changes nothing but turning an answer whose best sentence scores below it into a refusal, so every floor's
figures follow from that one run. Per half of news2022 dev (the halves of eval/retrieval_cv.py) this prints
correct, answered, precision of the answered and wrong answers as of the date, the wrong answers before the
news, and the net: correct minus wrong as of the date minus wrong before the news (each wrong answer costs what
a right one gains). The floor is picked on one half by that net (the lowest on a tie) and read on the other;
then the seed set and the news2022 premise questions are run at each floor.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rag.evaluate import evaluate
from rag.factory import build_assistant
from rag.questions import QUESTIONS, eval_file, load_questions
from rag.settings import Settings
from rag.text import is_question

from retrieval_cv import halves


def recording(assistant) -> dict[str, float]:
    """{question: score of its best quotable sentence}, filled as the assistant's quoting answerer runs; empty
    it between runs."""
    scores: dict[str, float] = {}
    answer_from = assistant.answerer.answer_from

    def answer_and_record(question, ranked, passages):
        scores[question] = next((score for score, s in ranked if not is_question(s.text)), 0.0)
        return answer_from(question, ranked, passages)

    assistant.answerer.answer_from = answer_and_record
    return scores


def outcome(row: dict, scores: dict[str, float], floor: float) -> str:
    """"correct", "wrong" or "refused" for one question's row at `floor`."""
    if row["refused"] or scores.get(row["query"], float("inf")) < floor:  # a timeline quotes no best sentence
        return "refused"
    return "correct" if row["key_match"] else "wrong"


def figures(now: list[dict], early: list[dict], scores_now, scores_early, floor: float) -> tuple:
    n = len(now)
    seen = [outcome(r, scores_now, floor) for r in now]
    correct, wrong = seen.count("correct"), seen.count("wrong")
    wrong_early = sum(outcome(r, scores_early, floor) == "wrong" for r in early)
    answered = correct + wrong
    return (round(correct / n, 3), round(answered / n, 3), round(correct / answered, 3) if answered else 0.0,
            round(wrong / n, 3), round(wrong_early / n, 3), round((correct - wrong - wrong_early) / n, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store holding the news2022 articles")
    parser.add_argument("--floors", nargs="+", type=float, default=[0.35, 0.4, 0.45, 0.5, 0.55, 0.6])
    args = parser.parse_args()
    floors = sorted(args.floors)
    news = build_assistant(Settings.from_env(store=args.store, llm="extractive"), seed_if_empty=False)
    news.answerer.min_sentence_score = floors[0]
    dev = load_questions(eval_file("news2022_dev.jsonl"))
    table = {}
    scores = recording(news)
    for name, half in zip("AB", halves(dev)):
        now = evaluate(news, half, label=name, progress=False)["rows"]
        scores_now = dict(scores)
        scores.clear()
        early = evaluate(news, half, label=name, progress=False, before_the_news=True)["rows"]
        scores_early = dict(scores)
        scores.clear()
        table[name] = {floor: figures(now, early, scores_now, scores_early, floor) for floor in floors}
    print("| floor | half | correct | answered | precision | wrong | before the news: wrong | net |\n"
          "|---|---|---|---|---|---|---|---|")
    for floor in floors:
        for name in "AB":
            print(f"| {floor} | {name} | " + " | ".join(str(x) for x in table[name][floor]) + " |")
    for picked, other in (("A", "B"), ("B", "A")):
        best = max(floors, key=lambda floor: (table[picked][floor][-1], -floor))
        print(f"picked on {picked}: {best}; on {other}: net {table[other][best][-1]} "
              f"(at {floors[0]}: {table[other][floors[0]][-1]})")
    premises = load_questions(eval_file("news2022_premises.jsonl"))
    seed_questions = load_questions(eval_file(QUESTIONS))
    print("\n| floor | seed key accuracy | false refusals | near-misses refused | refusal-or-correction | "
          "news2022 premises: refusal-or-correction |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="rag-sweep-") as tmp:
        seed = build_assistant(Settings.from_env(store=Path(tmp) / "store", llm="extractive"), seed_if_empty=True)
        for floor in floors:
            seed.answerer.min_sentence_score = news.answerer.min_sentence_score = floor
            s = evaluate(seed, seed_questions, label="seed", progress=False)["metrics"]
            p = evaluate(news, premises, label="premises", progress=False)["metrics"]
            print(f"| {floor} | {s['key_accuracy']} | {s['false_refusal_rate']} | {s['near_miss_accuracy']} | "
                  f"{s['refusal_or_correction_accuracy']} | {p['refusal_or_correction_accuracy']} |", flush=True)


if __name__ == "__main__":
    main()
