"""Could the local model, asked yes or no whether the quoted sentences answer the question, tell right answers
from wrong ones? First a study of the quoting answerer's answers; since 2026-12-04 the "does it say" prompt
(rag.prompts.JUDGE_USER) reads the default model's answers among a field of articles (RAG_MODEL_JUDGE).

    python eval/judge_study.py --store news-store [--model qwen2.5-coder-1.5b] [--thresholds 0.5 0.6 0.65 0.7]
    python eval/judge_study.py --runs NOW/results.json BEFORE/results.json SEED/results.json

With --runs it judges the answers of three `python -m rag eval` runs of any generator instead (news2022 dev as of
the dates with `--questions eval/news2022_dev.jsonl`, the same with `--before-the-news`, and the seed set), each
run with RAG_MODEL_JUDGE=false, and the seed floors are that generator's.

The quoting answerer (no model) answers news2022 dev as of each question's date and before the news, and the seed
set. For every answer it gives, the local model reads one short prompt (the question and the quoted sentences)
and the probability it gives "yes" over "no" for its first word is kept, for each prompt in PROMPTS. An answer
whose probability is under a threshold would become a refusal, so every threshold's figures follow from that one
pass. Per half of news2022 dev (the halves of eval/retrieval_cv.py): correct, precision of the answered, wrong
answers as of the date and before the news, and the net (correct minus both wrong rates); beside them the seed
set's key accuracy, false refusals and refusal-or-correction. A threshold is picked on one half by the net among
those that keep the seed floors of the quoting answerer (eval/thresholds.toml) and read on the other.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
import tomllib
from pathlib import Path

from rag.evaluate import evaluate
from rag.factory import build_assistant
from rag.generate import LocalGenerator
from rag.prompts import JUDGE_SYSTEM, JUDGE_USER
from rag.questions import QUESTIONS, eval_file, load_questions
from rag.settings import Settings

from retrieval_cv import halves

DECLINED = ("unanswerable", "false_premise", "near_miss")
PROMPTS = {
    "does it say": (JUDGE_SYSTEM, JUDGE_USER),
    "same event": ("You check whether a news excerpt answers a question. Reply yes or no.",
                   "Question: {question}\nExcerpt: {text}\nDoes the excerpt itself state the specific fact the "
                   "question asks for, about the same event? Reply yes or no."),
}


def yes_probability(server, system: str, user: str) -> float:
    """P(yes) / (P(yes) + P(no)) for the model's first word, from llama.cpp's top log-probabilities."""
    replies = []

    def keep(chunk) -> bool:
        replies.append(chunk if isinstance(chunk, dict) else json.loads(chunk))
        return False  # never asks llama.cpp to stop

    server.handle_chat_completions(
        {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user}], "max_tokens": 1,
         "stream": False, "temperature": 0.0, "logprobs": True, "top_logprobs": 20, "cache_prompt": True}, keep)
    top = replies[0]["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    yes = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower().startswith("yes"))
    no = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower().startswith("no"))
    return yes / (yes + no) if yes + no else 0.5


def judged(server, rows: list[dict]) -> list[float]:
    """Each row's seconds of judging; fills row["yes"][prompt] for every answered row."""
    seconds = []
    for row in rows:
        if row["refused"]:
            continue
        text = " ".join(c["quote"] for c in row["citations"])
        started = time.perf_counter()
        question = row["query"] or row["question"]
        row["yes"] = {name: yes_probability(server, system, user.format(question=question, text=text))
                      for name, (system, user) in PROMPTS.items()}
        seconds.append((time.perf_counter() - started) / len(PROMPTS))
    return seconds


def kept(row: dict, prompt: str, threshold: float) -> bool:
    return not row["refused"] and row["yes"][prompt] >= threshold


def news_figures(rows: list[dict], early: list[dict], prompt: str, threshold: float) -> tuple:
    n = len(rows)
    answered = [r for r in rows if kept(r, prompt, threshold)]
    correct = sum(bool(r["key_match"]) for r in answered)
    wrong = len(answered) - correct
    wrong_early = sum(kept(r, prompt, threshold) and not r["key_match"] for r in early)
    return (round(correct / n, 3), round(correct / len(answered), 3) if answered else 0.0, round(wrong / n, 3),
            round(wrong_early / n, 3), round((correct - wrong - wrong_early) / n, 3))


def seed_figures(rows: list[dict], prompt: str, threshold: float) -> tuple:
    answerable = [r for r in rows if r["group"] == "answerable"]
    key = sum(bool(r["key_match"]) and kept(r, prompt, threshold) for r in answerable) / len(answerable)
    refused = sum(not kept(r, prompt, threshold) for r in answerable) / len(answerable)
    declined = [r for r in rows if r["group"] in DECLINED]
    held = sum(not r["failed"] or (not r["refused"] and not kept(r, prompt, threshold)) for r in declined)
    return round(key, 3), round(refused, 3), round(held / len(declined), 3)


def quoting_runs(store: Path) -> tuple[dict, list[dict], str]:
    """The quoting answerer's rows per half of news2022 dev (as of the date, before the news) and on the seed set."""
    news = build_assistant(Settings.from_env(store=store, llm="extractive"), seed_if_empty=False)
    runs = {}
    for name, half in zip("AB", halves(load_questions(eval_file("news2022_dev.jsonl")))):
        runs[name] = (evaluate(news, half, label=name, progress=False)["rows"],
                      evaluate(news, half, label=name, progress=False, before_the_news=True)["rows"])
    with tempfile.TemporaryDirectory(prefix="rag-judge-") as tmp:
        assistant = build_assistant(Settings.from_env(store=Path(tmp) / "store", llm="extractive"), seed_if_empty=True)
        seed = evaluate(assistant, load_questions(eval_file(QUESTIONS)), label="seed", progress=False)["rows"]
    return runs, seed, "extractive"


def stored_runs(now: Path, before: Path, seed: Path) -> tuple[dict, list[dict], str]:
    """The same from three eval runs' results.json, and the generator that answered them."""
    (now_run,), (before_run,), (seed_run,) = (json.loads(path.read_text()) for path in (now, before, seed))
    half = {q.id: name for name, questions in zip("AB", halves(load_questions(eval_file("news2022_dev.jsonl"))))
            for q in questions}
    runs = {name: ([r for r in now_run["rows"] if half[r["id"]] == name],
                   [r for r in before_run["rows"] if half[r["id"]] == name]) for name in "AB"}
    return runs, seed_run["rows"], seed_run["label"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a store holding the news2022 articles")
    parser.add_argument("--runs", nargs=3, type=Path, metavar=("NOW", "BEFORE", "SEED"),
                        help="judge the answers of these eval runs' results.json instead of the quoting answerer's")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="the local model that judges")
    parser.add_argument("--thresholds", nargs="+", type=float, default=[0.5, 0.55, 0.6, 0.65, 0.7, 0.75])
    args = parser.parse_args()
    if args.runs:
        runs, seed, label = stored_runs(*args.runs)
    elif args.store:
        runs, seed, label = quoting_runs(args.store)
    else:
        parser.error("give --store (judge the quoting answerer) or --runs (judge stored answers)")
    server, _ = LocalGenerator(args.model).load()
    seconds = judged(server, seed) + [s for now, early in runs.values() for s in judged(server, now + early)]
    seconds.sort()
    print(f"judged {len(seconds)} answers with {args.model}: p50 {seconds[len(seconds) // 2]:.2f} s, "
          f"p95 {seconds[int(len(seconds) * 0.95)]:.2f} s per answer and prompt")
    settings = [(prompt, 0.0) for prompt in PROMPTS][:1] + [(p, t) for p in PROMPTS for t in args.thresholds]
    table = {name: {s: news_figures(*runs[name], *s) for s in settings} for name in "AB"}
    seeds = {s: seed_figures(seed, *s) for s in settings}
    print("| prompt | threshold | half | correct | precision | wrong | before the news: wrong | net | "
          "seed key accuracy / false refusals / refusal-or-correction |\n|---|---|---|---|---|---|---|---|---|")
    for setting in settings:
        for name in "AB":
            print(f"| {setting[0] if setting[1] else 'off'} | {setting[1]} | {name} | "
                  + " | ".join(str(x) for x in table[name][setting]) + " | "
                  + " / ".join(str(x) for x in seeds[setting]) + " |")
    floors = tomllib.loads(eval_file("thresholds.toml").read_text())[label]
    allowed = [s for s in settings if seeds[s][0] >= floors["key_accuracy"]["min"]
               and seeds[s][1] <= floors["false_refusal_rate"]["max"]
               and seeds[s][2] >= floors["refusal_or_correction_accuracy"]["min"]]
    for picked, other in (("A", "B"), ("B", "A")):
        best = max(allowed, key=lambda s: (table[picked][s][-1], -s[1]))
        print(f"picked on {picked} within the seed floors: {best}; read on {other}: {table[other][best]} "
              f"(off: {table[other][settings[0]]})")
        free = max(settings, key=lambda s: (table[picked][s][-1], -s[1]))
        print(f"picked on {picked} ignoring the seed floors: {free}; read on {other}: {table[other][free]}; "
              f"seed {seeds[free]}")


if __name__ == "__main__":
    main()
