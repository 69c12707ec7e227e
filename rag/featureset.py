"""`python -m rag --store S eval --features`: the news-aware answers scored on hand-written news2022 sets.

- eval/news2022_disagreements.jsonl: a how-many or when question, its as-of day, whether the articles up to that
  day give different figures or days (`disagree`) and the `values` with the article and verbatim quote of each
  (a day also with `resolved`, the ISO day it names: "Thursday" in an article of 26 November 2022 is
  2022-11-24). Scored:
  disagreement recall (of the cases that disagree, those whose answer shows at least two of the labelled values)
  and precision (of the answers that show a disagreement, those that are right).
- eval/news2022_timelines.jsonl: a question asking what happened, its as-of day, and the `events` a correct
  timeline holds (the article's day, `keys`). An event is found when a line cites an article published within
  EVENT_DAYS of it and holds one of its keys as whole words. Scored: event recall; order accuracy (of the
  consecutive found events, those whose lines come in date order: lines are sorted by their article's day, so
  this fails only when a line cites an article dated away from its event); the share of lines that tell a
  labelled event already told (near-duplicates the collapse missed); lines per answer.
- eval/news2022_freshness.jsonl: a question, its as-of day and whether the newest article answering it is over
  RAG_STALE_DAYS old then (`stale`). Scored: warning accuracy (answered, and warned exactly when stale; a
  refusal is wrong), its precision and recall, and how many were answered.

Each set also reports its time per answer; timelines beside the same questions answered without a timeline.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.asked import COUNT, DATE, asked_kind
from rag.evaluate import percentile
from rag.questions import eval_file, key_found, read_records

DISAGREEMENTS, TIMELINES, FRESHNESS = ("news2022_disagreements.jsonl", "news2022_timelines.jsonl",
                                       "news2022_freshness.jsonl")
EVENT_DAYS = 3
_STALE_WARNING = "The newest article on this is from"


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    as_of: str
    record: dict


def _case(record: dict, needs: dict[str, type]) -> Case:
    dt.date.fromisoformat(record["as_of"])
    for name, kind in needs.items():
        if not isinstance(record[name], kind):
            raise ValueError(f"'{name}' must be {kind.__name__}")
    for event in record.get("events", ()):
        dt.date.fromisoformat(event["date"])
        if not event["keys"] or not all(isinstance(key, str) for key in event["keys"]):
            raise ValueError("every event needs 'keys', a list of words")
    for value in record.get("values", ()):
        if not isinstance(value["value"], str):
            raise ValueError("every value needs 'value', text")
        if "resolved" in value:
            dt.date.fromisoformat(value["resolved"])
    return Case(record["id"], record["question"], record["as_of"], record)


# What each set's records must hold besides id, question and as_of.
_NEEDS = {DISAGREEMENTS: {"disagree": bool, "values": list}, TIMELINES: {"events": list},
          FRESHNESS: {"stale": bool}}


def load_cases(path: Path, needs: dict[str, type]) -> list[Case]:
    return read_records(path, "case", "--features", lambda record: _case(record, needs))


def evaluate_features(assistant, folder: Path | None = None) -> dict[str, Any]:
    """The three sets' metrics, and one row per case with what was answered. All three files are read and
    checked before the first question is asked."""
    sets = {name: load_cases(folder / name if folder else eval_file(name), needs) for name, needs in _NEEDS.items()}
    rows: list[dict] = []
    metrics: dict[str, Any] = {}
    for name, score in ((DISAGREEMENTS, _disagreements), (TIMELINES, _timelines), (FRESHNESS, _freshness)):
        found, scored = score(assistant, sets[name])
        metrics |= found
        rows += scored
    return {"label": "features", "metrics": metrics, "rows": rows}


def _timed(assistant, case: Case, **options):
    started = time.perf_counter()
    answer = assistant.ask(case.question, as_of=case.as_of, **options)
    return answer, 1000 * (time.perf_counter() - started)


def _disagreements(assistant, cases: list[Case]) -> tuple[dict, list[dict]]:
    rows, times = [], []
    for case in cases:
        answer, ms = _timed(assistant, case)
        times.append(ms)
        shown = {side.value if side.kind == "day" else _figure(side.value) for side in answer.disagreement}
        labelled = {_labelled(v) for v in case.record["values"]}
        disagree = bool(case.record["disagree"])
        right = bool(answer.disagreement) and disagree and len(shown & labelled) >= 2
        rows.append({"set": "disagreement", "id": case.id, "question": case.question, "disagree": disagree,
                     "shown": sorted(shown), "labelled": sorted(labelled), "right": right,
                     "answer": answer.text, "refused": answer.refused, "ms": round(ms, 1),
                     "check_ms": answer.timings.get("news_ms", 0.0)})
    flagged = [r for r in rows if r["shown"]]
    positives = [r for r in rows if r["disagree"]]
    return {
        "disagreement_cases": len(positives),
        "agreement_cases": len(rows) - len(positives),
        "disagreement_recall": _share(sum(r["right"] for r in positives), len(positives)),
        "disagreement_precision": _share(sum(r["right"] for r in flagged), len(flagged)),
        "disagreement_p50_ms": round(percentile(times, 0.5), 1),
        # of an answered how-many or when question's time, the look for other figures or days (8 more articles
        # searched, their sentences scored) and the news checks
        "disagreement_check_p50_ms": round(percentile(
            [r["check_ms"] for r in rows if not r["refused"] and asked_kind(r["question"]) in (COUNT, DATE)] or [0.0],
            0.5), 1),
    }, rows


def _labelled(value: dict) -> str:
    """A labelled value as an answer shows it: a day by its `resolved` ISO day ("24 November 2022": "Thursday"
    in an article of 26 November 2022 is that day), else the figure."""
    from rag.period import spoken_day

    return spoken_day(value["resolved"]) if value.get("resolved") else _figure(value["value"])


def _figure(value: str) -> str:
    """"1,000", "1000" and "$1,000" are one figure, "three" is 3; "44 billion" keeps its scale."""
    from rag.disagree import figures

    value = value.lower().replace(",", "").replace("$", "").removeprefix("at least ").removeprefix("about ").strip()
    spelled = figures("", value)
    return next(iter(spelled)) if len(spelled) == 1 else value


def _timelines(assistant, cases: list[Case]) -> tuple[dict, list[dict]]:
    rows, times, plain_times = [], [], []
    for case in cases:
        answer, ms = _timed(assistant, case, timeline=True)
        _, plain_ms = _timed(assistant, case, timeline=False)
        times.append(ms)
        plain_times.append(plain_ms)
        lines, matches = event_lines(answer, case.record["events"])
        found = [(e, at[0]) for e, at in enumerate(matches) if at]  # (event, its first line) in event order
        pairs = list(zip(found, found[1:]))
        rows.append({"set": "timeline", "id": case.id, "question": case.question, "events": len(case.record["events"]),
                     "found": [e for e, _ in found], "ordered_pairs": sum(a[1] <= b[1] for a, b in pairs),
                     "pairs": len(pairs), "lines": len(lines), "repeated_lines": sum(len(at) - 1 for at in matches if at),
                     "answer": answer.text})
    pairs = sum(r["pairs"] for r in rows)
    lines = sum(r["lines"] for r in rows)
    return {
        "timeline_questions": len(rows),
        "timeline_event_recall": _share(sum(len(r["found"]) for r in rows), sum(r["events"] for r in rows)),
        "timeline_order_accuracy": _share(sum(r["ordered_pairs"] for r in rows), pairs),
        # a labelled event told twice: near-duplicate reports the collapse missed (lower is better)
        "timeline_repeated_line_rate": _share(sum(r["repeated_lines"] for r in rows), lines),
        "timeline_lines_per_answer": round(lines / len(rows), 2),
        "timeline_answered": _share(sum(r["lines"] > 0 for r in rows), len(rows)),
        "timeline_p50_ms": round(percentile(times, 0.5), 1),
        "timeline_off_p50_ms": round(percentile(plain_times, 0.5), 1),
    }, rows


def event_lines(answer, events: list[dict]) -> tuple[list, list[list[int]]]:
    """A timeline answer's lines (see _lines; none when it is no timeline) and, for each labelled event, the
    indices of the lines telling it: citing an article within EVENT_DAYS of it and holding one of its keys."""
    lines = _lines(answer) if answer.timeline else []
    matches = [[i for i, (day, text) in enumerate(lines)
                if day and abs((day - dt.date.fromisoformat(event["date"])).days) <= EVENT_DAYS
                and any(key_found(key, text) for key in event["keys"])] for event in events]
    return lines, matches


def _lines(answer) -> list[tuple[dt.date | None, str]]:
    """Each timeline line with the publication day of the article it cites."""
    days = {c.n: c.date for c in answer.citations}
    lines = []
    for line in answer.text.split("\n"):
        cited = [int(n) for n in _marks(line)]
        day = days.get(cited[0], "") if cited else ""
        lines.append((dt.date.fromisoformat(day) if day else None, line))
    return lines


def _marks(line: str) -> list[str]:
    from rag.cite import CITATION_MARK

    return [m.group(1) for m in CITATION_MARK.finditer(line)]


def _freshness(assistant, cases: list[Case]) -> tuple[dict, list[dict]]:
    rows, times = [], []
    for case in cases:
        answer, ms = _timed(assistant, case)
        times.append(ms)
        warned = any(w.startswith(_STALE_WARNING) for w in answer.warnings)
        rows.append({"set": "freshness", "id": case.id, "question": case.question, "stale": bool(case.record["stale"]),
                     "warned": warned, "refused": answer.refused, "evidence_date": answer.evidence_date,
                     "labelled_newest": case.record.get("newest", ""), "answer": answer.text})
    warned = [r for r in rows if r["warned"]]
    stale = [r for r in rows if r["stale"]]
    return {
        "freshness_cases": len(rows),
        # a refusal states no evidence date and warns of nothing: wrong, whatever the label
        "freshness_accuracy": _share(sum(not r["refused"] and r["warned"] == r["stale"] for r in rows), len(rows)),
        "freshness_warning_precision": _share(sum(r["stale"] for r in warned), len(warned)),
        "freshness_warning_recall": _share(sum(r["warned"] for r in stale), len(stale)),
        "freshness_answered": _share(sum(not r["refused"] for r in rows), len(rows)),
        "freshness_p50_ms": round(percentile(times, 0.5), 1),
    }, rows


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def features_table(result: dict[str, Any]) -> str:
    lines = ["| metric | value |", "|---|---|"]
    lines += [f"| {name} | {'–' if value is None else value} |" for name, value in result["metrics"].items()]
    return "\n".join(lines)
