"""Question sets and how an answer is matched against them: the project's eval/ files, the JSONL question
formats, and the key and token matching the harness (rag.evaluate) scores with.

Question files are JSONL. The hand-written format (eval/questions.jsonl) has `id, question, answerable,
keys, gold_doc_ids, evidence` and optional `history` and `group`; the news2022 format (`qid, question,
gold_doc_ids, answer, date`, optional `aliases`) is read too: retrieval, and the answer itself (correct when it
holds the quiz answer or an alias as whole words). A question of group "false_premise"
presupposes what its articles contradict: right when refused or corrected (its `keys` are the correction); one
of group "near_miss" asks a fact its articles lack although its topic is there: right only when refused; one of
group "standalone" comes with a history but needs none, and is right when searched as asked and answered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from rag.cite import CITATION_MARK
from rag.errors import ConfigError

QUESTIONS, THRESHOLDS, CLAIMS = "questions.jsonl", "thresholds.toml", "claims.jsonl"  # in the project's eval/
PREMISE_GROUPS = ("false_premise", "near_miss")
_TOKEN = re.compile(r"\w+")


def eval_file(name: str) -> Path:
    """A file of the project's eval/ folder (question sets, floors, claims): ./eval in the working folder, else
    the checkout this package runs from. An installed package ships none of them: pass the file instead."""
    for folder in (Path.cwd() / "eval", Path(__file__).resolve().parents[1] / "eval"):
        if (folder / name).is_file():
            return folder / name
    option = {QUESTIONS: "--questions", THRESHOLDS: "--thresholds", CLAIMS: "--claims"}.get(name, "a path")
    raise ConfigError(f"no eval/{name} in {Path.cwd()} or beside the rag package (an installed rag ships no eval "
                      f"sets); run from a checkout of the project, or pass {option} FILE")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    keys: tuple[tuple[str, ...], ...]
    gold_doc_ids: tuple[str, ...]
    evidence: tuple[str, ...]
    history: tuple[dict, ...] = ()
    retrieval_only: bool = False
    date: str = ""  # when the question was asked (news2022): searched as of that day
    kind: str = ""  # "false_premise" or "near_miss"; "" for the others
    reference: tuple[str, ...] = ()  # a news quiz's correct answer and its aliases

    @property
    def group(self) -> str:
        if self.retrieval_only:
            return "retrieval"
        if self.reference:
            return "quiz"
        if self.kind:
            return self.kind
        if self.history:
            return "followup"
        return "answerable" if self.answerable else "unanswerable"


def load_questions(path: Path) -> list[Question]:
    return read_records(path, "question", "--questions", _question)


def read_records(path: Path, what: str, option: str, parse: Callable[[dict], Any]) -> list[Any]:
    """One `parse(record)` per JSON line of an eval file, each with a unique `id`. A line that is not JSON or
    that `parse` rejects is a ConfigError naming the file and line."""
    if not path.exists():
        raise ConfigError(f"{path}: no such {what} file; pass one with {option} FILE.jsonl")
    parsed, ids = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = parse(json.loads(line))
        except ConfigError as exc:
            raise ConfigError(f"{path} line {number}: {exc}") from None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path} line {number}: not a {what} record ({type(exc).__name__}: {exc})") from None
        if item.id in ids:
            raise ConfigError(f"{path} line {number}: duplicate id {item.id!r}")
        ids.add(item.id)
        parsed.append(item)
    if not parsed:
        raise ConfigError(f"{path}: holds no {what}s")
    return parsed


def _question(record: dict) -> Question:
    kind = str(record.get("group", ""))
    if kind and kind not in (*PREMISE_GROUPS, "standalone"):
        raise ValueError(f"'group' must be one of {', '.join(PREMISE_GROUPS)}, standalone")
    if kind and "qid" in record:  # a news2022 false-premise or near-miss question, asked as of its date
        return Question(
            id=str(record["qid"]), question=str(record["question"]), answerable=False,
            keys=tuple(tuple(str(k) for k in group) for group in record["keys"]),
            gold_doc_ids=tuple(record["gold_doc_ids"]), evidence=tuple(record.get("evidence", ())),
            date=str(record.get("date", "")), kind=kind,
        )
    if "answerable" not in record:  # news2022: gold articles, and the quiz's answer when it is there
        reference = (str(record["answer"]), *map(str, record.get("aliases", ()))) if record.get("answer") else ()
        return Question(
            id=str(record["qid"]), question=str(record["question"]), answerable=True, keys=(),
            gold_doc_ids=tuple(record["gold_doc_ids"]), evidence=(), retrieval_only=not reference,
            date=str(record.get("date", "")), reference=reference,
        )
    if not isinstance(record["answerable"], bool):
        raise TypeError("'answerable' must be true or false")
    return Question(
        id=str(record["id"]),
        question=str(record["question"]),
        answerable=record["answerable"],
        keys=tuple(tuple(str(k) for k in group) for group in record["keys"]),
        gold_doc_ids=tuple(record["gold_doc_ids"]),
        evidence=tuple(record["evidence"]),
        history=tuple(record.get("history", ())),
        kind=kind,
    )


def normalise(text: str) -> str:
    """Text as answers are compared: lower case, one kind of apostrophe, no thousands separators ("11,000" is
    "11000"), other punctuation as spaces, single spaces."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"[^\w\s'.]|(?<!\d)\.|\.(?!\d)", " ", text)
    return " ".join(text.split())


def key_found(key: str, text: str) -> bool:
    """Whether the key is in the (normalised) text as whole words: "EU" is not in "neutral", nor "not" in
    "cannot". A key may take an inflection ("weapon" finds "weapons", "stop" finds "stopped"); a key ending in
    `*` is a stem that finds any word it begins ("econom*": "economy", "economic")."""
    stem = key.endswith("*")
    body = normalise(key.rstrip("*"))
    if not body:
        return False
    if stem:
        pattern = rf"(?<![\w']){re.escape(body)}"
    else:
        pattern = rf"(?<![\w']){re.escape(body)}{re.escape(body[-1])}?(?:s|es|ed|d|en|ing|'s)?(?![\w'])"
    return re.search(pattern, normalise(text)) is not None


def answer_found(answer: str, text: str) -> bool:
    """Whether a quiz answer is in the text (key_found); one of two parts ("Argentina and France", "New Jersey &
    Oregon") is found when both parts are, in either order and with any words between ("Argentina beat France")."""
    parts = re.split(r"\s+(?:and|&)\s+", answer)
    return key_found(answer, text) or (len(parts) == 2 and all(key_found(part, text) for part in parts))


def keys_match(text: str, keys: tuple[tuple[str, ...], ...]) -> bool:
    """Correct when the text holds at least one key of every group, as whole words, ignoring case."""
    return all(any(key_found(k, text) for k in group) for group in keys)


def token_f1(prediction: str, reference: str) -> float:
    predicted = _TOKEN.findall(CITATION_MARK.sub(" ", prediction).lower())
    expected = _TOKEN.findall(reference.lower())
    if not predicted or not expected:
        return 0.0
    common = sum(min(predicted.count(t), expected.count(t)) for t in set(predicted))
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)
