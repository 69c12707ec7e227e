"""`python -m rag eval --claims`: the citation check scored on hand-labelled (claim, passage, supported?) pairs.

Each line of eval/claims.jsonl is one pair written by hand from a seed article or a news2022 article, with its
`kind`: a supported paraphrase or near-verbatim copy, or one of the mistakes the check must catch (a changed
number or date, a flipped negation, a swapped name or speaker, an added fact, an unrelated sentence). `split`
says which half the check was tuned on ("dev-a", "dev-b") and which it never saw while it was written
("heldout").
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.questions import read_records
from rag.support import judge

KINDS = ("paraphrase", "verbatim", "number", "date", "negation", "entity", "attribution", "partial", "unrelated")


@dataclass(frozen=True)
class Claim:
    id: str
    doc_id: str
    kind: str
    supported: bool
    claim: str
    passage: str
    split: str


def load_claims(path: Path) -> list[Claim]:
    return read_records(path, "claim", "--claims", _claim)


def _claim(record: dict) -> Claim:
    claim = Claim(*(record[k] for k in ("id", "doc_id", "kind", "supported", "claim", "passage")),
                  split=record.get("split", ""))
    if claim.kind not in KINDS or not isinstance(claim.supported, bool):
        raise ConfigError(f"kind must be one of {', '.join(KINDS)} and supported true/false")
    return claim


def evaluate_claims(claims: list[Claim]) -> dict[str, Any]:
    """Precision and recall of "supported" overall, per split and per kind, and the time per pair."""
    rows = []
    started = time.perf_counter()
    for claim in claims:
        judgement = judge(claim.claim, claim.passage)
        rows.append({"id": claim.id, "kind": claim.kind, "split": claim.split, "supported": claim.supported,
                     "judged": judgement.supported, "reasons": list(judgement.reasons), "claim": claim.claim})
    seconds = time.perf_counter() - started
    metrics = _scores(rows) | {"ms_per_claim": round(1000 * seconds / len(rows), 3)}
    splits = {split: _scores([r for r in rows if r["split"] == split]) for split in sorted({r["split"] for r in rows})}
    kinds = {kind: _accuracy([r for r in rows if r["kind"] == kind]) for kind in KINDS if any(r["kind"] == kind for r in rows)}
    return {"label": "claims", "metrics": metrics, "splits": splits, "kinds": kinds, "rows": rows}


def _scores(rows: list[dict]) -> dict[str, Any]:
    said = [r for r in rows if r["judged"]]
    true = [r for r in rows if r["supported"]]
    hits = sum(1 for r in said if r["supported"])
    return {
        "claims": len(rows),
        "precision": round(hits / len(said), 4) if said else None,
        "recall": round(hits / len(true), 4) if true else None,
        "accuracy": _accuracy(rows),
    }


def _accuracy(rows: list[dict]) -> float:
    return round(sum(r["judged"] == r["supported"] for r in rows) / len(rows), 4)


def claims_table(result: dict[str, Any]) -> str:
    lines = ["| claims | pairs | precision | recall | accuracy |", "|---|---|---|---|---|"]
    for name, scores in [("all", result["metrics"]), *result["splits"].items()]:
        lines.append(f"| {name or '(no split)'} | {scores['claims']} | {_fmt(scores['precision'])} | "
                     f"{_fmt(scores['recall'])} | {_fmt(scores['accuracy'])} |")
    lines += ["", "| kind | right |", "|---|---|"]
    lines += [f"| {kind} | {_fmt(accuracy)} |" for kind, accuracy in result["kinds"].items()]
    lines += ["", f"{result['metrics']['ms_per_claim']} ms per claim"]
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
