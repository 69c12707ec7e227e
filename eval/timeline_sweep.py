"""How a timeline picks its lines, swept on half of the news2022 timeline questions and checked on the other.

    python eval/timeline_sweep.py --store news-store [--lead-day 0,0 0.3,0.3 ...] [--same-event 0.4 0.3 ...]

The questions of eval/news2022_timelines.jsonl are split by line (even lines half A, odd lines half B). For each
setting of rag.timeline's LEAD_BONUS, DAY_BONUS (--lead-day) and SAME_EVENT (--same-event) it prints, per half,
event recall (as `eval --features` scores it) and the share of lines telling an event already told.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import rag.timeline as timeline
from rag.factory import build_assistant
from rag.featureset import _NEEDS, TIMELINES, event_lines, load_cases
from rag.questions import eval_file
from rag.settings import Settings


def scores(assistant, cases) -> tuple[float, float]:
    """(event recall, share of lines telling a labelled event already told) over `cases`."""
    found = events = lines_total = repeated = 0
    for case in cases:
        answer = assistant.ask(case.question, as_of=case.as_of, timeline=True)
        lines, matches = event_lines(answer, case.record["events"])
        lines_total += len(lines)
        found += sum(bool(at) for at in matches)
        repeated += sum(max(len(at) - 1, 0) for at in matches)
        events += len(matches)
    return round(found / events, 3), round(repeated / max(lines_total, 1), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store holding the news2022 articles")
    parser.add_argument("--lead-day", nargs="+", default=["0,0", "0.1,0.05", "0.2,0.2", "0.3,0.3", "1,1"])
    parser.add_argument("--same-event", nargs="+", type=float, default=[timeline.SAME_EVENT])
    args = parser.parse_args()
    assistant = build_assistant(Settings.from_env(store=args.store, llm="extractive"), seed_if_empty=False)
    cases = load_cases(eval_file(TIMELINES), _NEEDS[TIMELINES])
    halves = cases[0::2], cases[1::2]
    print("| lead, day | same event | half A recall, repeated | half B recall, repeated |\n|---|---|---|---|")
    for pair, same in itertools.product(args.lead_day, args.same_event):
        timeline.LEAD_BONUS, timeline.DAY_BONUS = (float(x) for x in pair.split(","))
        timeline.SAME_EVENT = same
        a, b = (scores(assistant, half) for half in halves)
        print(f"| {pair} | {same} | {a[0]}, {a[1]} | {b[0]}, {b[1]} |", flush=True)


if __name__ == "__main__":
    main()
