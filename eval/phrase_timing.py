"""Search latency with RAG_PHRASE_WEIGHT off and at 0.05, interleaved in one run (docs/retrieval.md):

    python eval/phrase_timing.py --store news-store [--questions eval/news2022_dev.jsonl] [-n 60]

Each question is searched as of its date with both settings, twice, in alternating order; times on a shared
machine drift, so the ratio of the two medians is the figure to read."""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

from rag.factory import build_assistant
from rag.questions import load_questions
from rag.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, type=Path, help="a store holding the news2022 corpus")
    parser.add_argument("--questions", type=Path, default=Path(__file__).with_name("news2022_dev.jsonl"))
    parser.add_argument("-n", type=int, default=60, help="questions to time (default 60)")
    args = parser.parse_args(argv)
    assistant = build_assistant(Settings.from_env(store=args.store), generator=None, seed_if_empty=False)
    questions = load_questions(args.questions)[: args.n]
    settings = {"off": dataclasses.replace(assistant.settings, phrase_weight=0.0),
                "0.05": dataclasses.replace(assistant.settings, phrase_weight=0.05)}
    assistant.search(questions[0].question, as_of=questions[0].date)  # the word index and the model, loaded once
    times: dict[str, list[float]] = {name: [] for name in settings}
    for turn in range(2):
        for question in questions:
            for name in list(settings)[:: 1 if turn == 0 else -1]:
                assistant.retriever.settings = settings[name]
                started = time.perf_counter()
                assistant.search(question.question, as_of=question.date)
                times[name].append(time.perf_counter() - started)
    off = statistics.median(times["off"])
    for name, values in times.items():
        values.sort()
        p50, p95 = statistics.median(values), values[int(len(values) * 0.95)]
        print(f"phrase weight {name}: search p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
              f"p50 / off {p50 / off:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
