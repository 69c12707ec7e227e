"""The evaluation harness: run a question set (rag.questions) through an Assistant and measure retrieval,
answers, citations, refusals and latency; check the metrics against the floors in eval/thresholds.toml."""

from __future__ import annotations

import statistics
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.questions import PREMISE_GROUPS, Question, answer_found, keys_match, token_f1

RANK_DEPTH = 10
HITS_AT = (1, 4, 10)


@dataclass
class Row:
    """What happened to one question."""

    id: str
    question: str
    group: str
    ranking: list[str]  # distinct doc_ids, best first
    gold_doc_ids: list[str]
    answer: str = ""
    refused: bool | None = None
    citations: list[dict] = field(default_factory=list)
    evidence_in_passages: bool | None = None
    key_match: bool | None = None
    token_f1: float | None = None
    keys: list[list[str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    query: str = ""
    repairs: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        if self.group in ("unanswerable", "near_miss"):
            return not self.refused
        if self.group == "false_premise":
            return not (self.refused or self.key_match)
        if self.group == "retrieval":
            return not set(self.ranking[:RANK_DEPTH]) & set(self.gold_doc_ids)
        if self.group == "quiz":
            return not self.refused and not self.key_match  # a wrong answer; a refusal is not one
        return bool(self.refused) or not self.key_match


def run_question(assistant, question: Question, use_dates: bool = True, as_of: str | None = None) -> Row:
    """What happened to one question; `as_of` overrides the day it is asked (before-the-news runs)."""
    as_of = as_of or (question.date if use_dates else None)
    ranking = [p.doc_id for p in assistant.search(question.question, k=RANK_DEPTH, distinct_documents=True, as_of=as_of)]
    row = Row(question.id, question.question, question.group, ranking, list(question.gold_doc_ids))
    if question.retrieval_only:
        return row
    # A follow-up is asked in its conversation: the chat rewrite has to recover what it refers to.
    answer = assistant.chat(question.question, question.history, as_of=as_of)
    row.answer, row.refused, row.timings = answer.text, answer.refused, dict(answer.timings)
    row.query, row.repairs = answer.query, list(answer.repairs)
    row.citations = [asdict(c) for c in answer.citations]
    row.keys = [list(group) for group in question.keys]
    if question.reference:
        row.keys = [list(question.reference)]
        row.key_match = not answer.refused and any(answer_found(k, answer.text) for k in question.reference)
        return row
    if question.kind == "false_premise":
        row.key_match = not answer.refused and keys_match(answer.text, question.keys)
    if question.answerable:
        passages_text = [p.text for p in answer.passages]
        row.evidence_in_passages = all(any(e in t for t in passages_text) for e in question.evidence)
        row.key_match = not answer.refused and keys_match(answer.text, question.keys)
        row.token_f1 = 0.0 if answer.refused else token_f1(answer.text, " ".join(question.evidence))
    return row


def evaluate(
    assistant, questions: list[Question], label: str, progress: bool = True, use_dates: bool = True,
    before_the_news: bool = False,
) -> dict[str, Any]:
    """Run every question. `before_the_news` asks each dated question as of 7 days before its earliest gold
    article was published, when its answer mostly cannot be known: what is measured then is wrong answers."""
    from tqdm import tqdm

    early = _before_the_news(assistant, questions) if before_the_news else {}
    rows = [run_question(assistant, q, use_dates, as_of=early.get(q.id))
            for q in tqdm(questions, desc=f"eval {label}", unit="q", disable=not progress)]
    return {"label": label, "metrics": summarize(rows), "rows": [asdict(r) | {"failed": r.failed} for r in rows]}


def _before_the_news(assistant, questions: list[Question]) -> dict[str, str]:
    """{question id: the day 7 days before its earliest gold article} for questions whose gold articles are
    dated in the store."""
    import datetime as dt

    dates = {row["doc_id"]: row["date"] for row in assistant.store.documents() if row.get("date")}
    early = {}
    for question in questions:
        known = sorted(dates[d] for d in question.gold_doc_ids if d in dates)
        if known:
            early[question.id] = (dt.date.fromisoformat(known[0][:10]) - dt.timedelta(days=7)).isoformat()
    return early


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarize(rows: list[Row]) -> dict[str, Any]:
    ranked = [r for r in rows if r.group in ("answerable", "retrieval", "quiz")]
    answerable = [r for r in rows if r.group == "answerable"]
    unanswerable = [r for r in rows if r.group == "unanswerable"]
    followups = [r for r in rows if r.group == "followup"]
    metrics: dict[str, Any] = {"questions": len(rows), "ranked": len(ranked)}
    for k in HITS_AT:
        metrics[f"hits@{k}"] = _mean([float(bool(set(r.ranking[:k]) & set(r.gold_doc_ids))) for r in ranked])
    metrics["mrr@10"] = _mean([_reciprocal_rank(r) for r in ranked])
    if answerable:
        answered = [r for r in answerable if not r.refused]
        citations = [c for r in answered for c in r.citations]
        metrics |= {
            "answerable": len(answerable),
            "evidence_in_passages": _mean([float(r.evidence_in_passages) for r in answerable]),
            "key_accuracy": _mean([float(r.key_match) for r in answerable]),
            "token_f1": _mean([r.token_f1 for r in answerable]),
            "citation_precision": _mean(
                [float(c["doc_id"] in r.gold_doc_ids) for r in answered for c in r.citations]
            ) if citations else None,
            "citation_recall": _mean(
                [float(any(c["doc_id"] in r.gold_doc_ids for c in r.citations)) for r in answered]
            ),
            "false_refusal_rate": _mean([float(bool(r.refused)) for r in answerable]),
            # answered without the key: a refusal instead of such an answer raises false_refusal_rate, not trust
            "wrong_answer_rate": _mean([float(not r.refused and not r.key_match) for r in answerable]),
        }
    if unanswerable:
        metrics["unanswerable"] = len(unanswerable)
        metrics["refusal_accuracy"] = _mean([float(bool(r.refused)) for r in unanswerable])
    quiz = [r for r in rows if r.group == "quiz"]
    if quiz:
        answered = [r for r in quiz if not r.refused]
        right = [r for r in answered if r.key_match]
        metrics |= {
            "quiz": len(quiz),
            "quiz_correct": _mean([float(bool(r.key_match)) for r in quiz]),
            "quiz_answered": _mean([float(not r.refused) for r in quiz]),
            "quiz_precision": round(len(right) / len(answered), 4) if answered else None,
            "quiz_correct_cites_gold": _mean(
                [float(bool(r.key_match) and any(c["doc_id"] in r.gold_doc_ids for c in r.citations)) for r in quiz]
            ),
            "quiz_wrong_answer_rate": _mean([float(r.failed) for r in quiz]),
        }
    for group in PREMISE_GROUPS:
        asked = [r for r in rows if r.group == group]
        if asked:
            metrics[group] = len(asked)
            metrics[f"{group}_accuracy"] = _mean([float(not r.failed) for r in asked])
    declined = [r for r in rows if r.group in ("unanswerable", *PREMISE_GROUPS)]
    if declined:  # every question a right answer must refuse or correct
        metrics["refusal_or_correction_accuracy"] = _mean([float(not r.failed) for r in declined])
    standalone = [r for r in rows if r.group == "standalone"]
    if standalone:  # asked mid-conversation but complete in themselves: searched as they are
        metrics["standalone"] = len(standalone)
        metrics["standalone_kept"] = _mean([float(r.query == r.question) for r in standalone])
        metrics["standalone_key_accuracy"] = _mean([float(bool(r.key_match)) for r in standalone])
    if followups:
        metrics["followups"] = len(followups)
        metrics["followup_key_accuracy"] = _mean([float(bool(r.key_match)) for r in followups])
    answered = [r for r in rows if r.refused is False]
    if answered:
        metrics["answers_with_repairs"] = _mean([float(bool(r.repairs)) for r in answered])
    metrics["repairs"] = sum(len(r.repairs) for r in rows)
    for stage in ("rewrite_ms", "retrieve_ms", "ttft_ms", "generate_ms", "verify_ms", "judge_ms", "total_ms"):
        values = [r.timings[stage] for r in rows if stage in r.timings]
        if values:
            metrics[f"{stage[:-3]}_p50_ms"] = round(statistics.median(values), 1)
            metrics[f"{stage[:-3]}_p95_ms"] = round(percentile(values, 0.95), 1)
    return metrics


def _reciprocal_rank(row: Row) -> float:
    for rank, doc_id in enumerate(row.ranking[:RANK_DEPTH], start=1):
        if doc_id in row.gold_doc_ids:
            return 1.0 / rank
    return 0.0


def load_thresholds(path: Path, label: str) -> dict[str, dict[str, float]]:
    """{metric: {"min": x} or {"max": y}} for one configuration of eval/thresholds.toml."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read thresholds ({exc})") from None
    if label not in table:
        raise ConfigError(f"{path} has no [{label}] table; add one with the measured floors")
    return table[label]


def check_thresholds(metrics: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """One line per metric that crossed its bound; empty when the run is as good as recorded."""
    failures = []
    for metric, bound in thresholds.items():
        value = metrics.get(metric)
        if value is None:
            failures.append(f"{metric}: not measured")
        elif "min" in bound and value < bound["min"]:
            failures.append(f"{metric} = {value} is below its floor {bound['min']}")
        elif "max" in bound and value > bound["max"]:
            failures.append(f"{metric} = {value} is above its ceiling {bound['max']}")
    return failures
