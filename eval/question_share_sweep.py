"""How much of the question the quoting answerer's sentences must hold (rag.extractive.QUESTION_SHARE), and the
sentence score that excuses a lower share (rag.extractive.SHARE_EXCUSED_AT), chosen on half of news2022 dev and
reported on the other half.

    python eval/question_share_sweep.py --store news-store [--shares 0 0.2 0.3 0.4] [--excused 0.5 0.6 9]

Each question is asked once with the check off, no model; for every answer the best quotable sentence's score
and the share of the question's words its quoted sentences hold are kept. The check only turns an answer whose
share is below QUESTION_SHARE and whose best sentence scores below SHARE_EXCUSED_AT into a refusal, so every
setting's figures follow from that one run (9: no score excuses a low share). Per half of news2022 dev (the
halves of eval/retrieval_cv.py) this prints correct, answered, precision of the answered and wrong answers as of
each question's date, the wrong answers before the news, and the net: correct minus wrong as of the date minus
wrong before the news. Beside them, the seed set's key accuracy, false refusals and refusal-or-correction, and the
news2022 premise questions' refusal-or-correction. A setting is picked on one half by the net among those that
keep the seed set's floors for the quoting answerer (eval/thresholds.toml: key accuracy, false refusals,
refusal-or-correction), and read on the other.
"""

from __future__ import annotations

import argparse
import tempfile
import tomllib
from pathlib import Path

import rag.extractive as extractive
from rag.evaluate import evaluate
from rag.extractive import question_share
from rag.factory import build_assistant
from rag.questions import QUESTIONS, eval_file, load_questions
from rag.settings import Settings
from rag.text import is_question

from retrieval_cv import halves

DECLINED = ("unanswerable", "false_premise", "near_miss")


def recording(assistant) -> dict[str, tuple[float, float]]:
    """{query: (best quotable sentence's score, share of the query its quoted sentences hold)}, filled as the
    assistant's quoting answerer answers; empty it between runs."""
    seen: dict[str, tuple[float, float]] = {}
    answer_from = assistant.answerer.answer_from

    def answer_and_record(question, ranked, passages):
        answered = answer_from(question, ranked, passages)
        if answered is not None:
            best = next((score for score, s in ranked if not is_question(s.text)), 0.0)
            seen[question] = (best, question_share(question, [c.quote for c in answered[1]]))
        return answered

    assistant.answerer.answer_from = answer_and_record
    return seen


def run(assistant, questions, **kwargs) -> tuple[list[dict], dict[str, tuple[float, float]]]:
    seen = recording(assistant)
    rows = evaluate(assistant, questions, progress=False, **kwargs)["rows"]
    del assistant.answerer.answer_from  # the class's own again
    return rows, seen


def gated(row: dict, seen, share: float, excused: float) -> bool:
    """Whether the check turns this row's answer into a refusal (a timeline or disagreement answer quotes no
    best sentence and is left alone)."""
    if row["refused"] or row["query"] not in seen:
        return False
    score, held = seen[row["query"]]
    return held < share and score < excused


def news_figures(now, early, share, excused) -> tuple:
    (rows, seen), (rows_early, seen_early) = now, early
    n = len(rows)
    answered = [r for r in rows if not r["refused"] and not gated(r, seen, share, excused)]
    correct = sum(bool(r["key_match"]) for r in answered)
    wrong = len(answered) - correct
    wrong_early = sum(not r["refused"] and not gated(r, seen_early, share, excused) and not r["key_match"]
                      for r in rows_early)
    return (round(correct / n, 3), round(len(answered) / n, 3),
            round(correct / len(answered), 3) if answered else 0.0, round(wrong / n, 3), round(wrong_early / n, 3),
            round((correct - wrong - wrong_early) / n, 3))


def seed_figures(seed, premises, share, excused) -> tuple:
    (rows, seen), (premise_rows, premise_seen) = seed, premises
    answerable = [r for r in rows if r["group"] == "answerable"]
    key = sum(bool(r["key_match"]) and not gated(r, seen, share, excused) for r in answerable) / len(answerable)
    refused = sum(r["refused"] or gated(r, seen, share, excused) for r in answerable) / len(answerable)
    declined = [r for r in rows if r["group"] in DECLINED]
    kept = sum(not r["failed"] or gated(r, seen, share, excused) for r in declined) / len(declined)
    premise_kept = sum(not r["failed"] or gated(r, premise_seen, share, excused)
                       for r in premise_rows) / len(premise_rows)
    return round(key, 3), round(refused, 3), round(kept, 3), round(premise_kept, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store holding the news2022 articles")
    parser.add_argument("--shares", nargs="+", type=float, default=[0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5])
    parser.add_argument("--excused", nargs="+", type=float, default=[0.45, 0.5, 0.55, 0.6, 9.0])
    args = parser.parse_args()
    extractive.QUESTION_SHARE = 0.0  # the check off: every setting's figures follow from these answers
    news = build_assistant(Settings.from_env(store=args.store, llm="extractive"), seed_if_empty=False)
    dev = load_questions(eval_file("news2022_dev.jsonl"))
    runs = {name: (run(news, half, label=name), run(news, half, label=name, before_the_news=True))
            for name, half in zip("AB", halves(dev))}
    premises = run(news, load_questions(eval_file("news2022_premises.jsonl")), label="premises")
    with tempfile.TemporaryDirectory(prefix="rag-sweep-") as tmp:
        assistant = build_assistant(Settings.from_env(store=Path(tmp) / "store", llm="extractive"), seed_if_empty=True)
        seed = run(assistant, load_questions(eval_file(QUESTIONS)), label="seed")
    settings = [(0.0, 9.0)] + [(s, e) for s in args.shares if s > 0 for e in args.excused]
    table = {name: {setting: news_figures(*runs[name], *setting) for setting in settings} for name in "AB"}
    seeds = {setting: seed_figures(seed, premises, *setting) for setting in settings}
    print("| share | unless the sentence scores | half | correct | answered | precision | wrong | "
          "before the news: wrong | net | seed key accuracy / false refusals / refusal-or-correction | "
          "news2022 premises: refusal-or-correction |\n|---|---|---|---|---|---|---|---|---|---|---|")
    for setting in settings:
        for name in "AB":
            key, refused, kept, premise_kept = seeds[setting]
            print(f"| {setting[0]} | {setting[1]} | {name} | " + " | ".join(str(x) for x in table[name][setting])
                  + f" | {key} / {refused} / {kept} | {premise_kept} |")
    floors = tomllib.loads(eval_file("thresholds.toml").read_text())["extractive"]
    allowed = [s for s in settings if seeds[s][0] >= floors["key_accuracy"]["min"]
               and seeds[s][1] <= floors["false_refusal_rate"]["max"]
               and seeds[s][2] >= floors["refusal_or_correction_accuracy"]["min"]]
    for picked, other in (("A", "B"), ("B", "A")):
        best = max(allowed, key=lambda s: (table[picked][s][-1], -s[0], s[1]))
        print(f"picked on {picked}: {best}; on {other}: net {table[other][best][-1]} "
              f"(off: {table[other][settings[0]][-1]})")


if __name__ == "__main__":
    main()
