"""Where the look for a differing figure stops, swept on half of the news2022 disagreement cases and checked on
the other.

    python eval/disagreement_sweep.py --store news-store [--margins 0.1 0.2 0.3] [--articles 8 16]

The cases of eval/news2022_disagreements.jsonl are split by line (even lines half A, odd lines half B). For each
setting of rag.disagree's SIDE_MARGIN (--margins: how far below the best sentence a side may score) and of the
articles searched beside the answer's (--articles, rag.news.DISAGREEMENT_ARTICLES), it prints per half the
disagreement recall and precision as `eval --features` scores them, the net (right flags minus wrong ones) by
which a setting is picked on one half, and the p50 time of the look for other figures.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import rag.disagree as disagree
import rag.news as news
from rag.factory import build_assistant
from rag.featureset import _NEEDS, DISAGREEMENTS, _disagreements, load_cases
from rag.questions import eval_file
from rag.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store holding the news2022 articles")
    parser.add_argument("--margins", nargs="+", type=float, default=[0.1, 0.2, 0.3])
    parser.add_argument("--articles", nargs="+", type=int, default=[8, 16])
    args = parser.parse_args()
    assistant = build_assistant(Settings.from_env(store=args.store, llm="extractive"), seed_if_empty=False)
    cases = load_cases(eval_file(DISAGREEMENTS), _NEEDS[DISAGREEMENTS])
    halves = cases[0::2], cases[1::2]
    print("| margin | articles | half A: recall, precision, net | half B: recall, precision, net | look p50 ms |\n"
          "|---|---|---|---|---|")
    for margin, articles in itertools.product(args.margins, args.articles):
        disagree.SIDE_MARGIN, news.DISAGREEMENT_ARTICLES = margin, articles
        cells, looks = [], []
        for half in halves:
            metrics, rows = _disagreements(assistant, half)
            flagged = [r for r in rows if r["shown"]]
            net = sum(r["right"] for r in flagged) - sum(not r["right"] for r in flagged)
            cells.append(f"{metrics['disagreement_recall']}, {metrics['disagreement_precision']}, {net}")
            looks.append(metrics["disagreement_check_p50_ms"])
        print(f"| {margin} | {articles} | {cells[0]} | {cells[1]} | {max(looks)} |", flush=True)


if __name__ == "__main__":
    main()
