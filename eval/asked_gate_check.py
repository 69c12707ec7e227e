"""Check the asked-fact gate (rag/asked.py) on questions it was not written against: for every news2022 dev
question that names a kind of answer, does a sentence of a gold article holding the quiz answer (or one of its
aliases) pass the gate? A sentence that holds the right answer and fails would be a false refusal.

    python eval/asked_gate_check.py [--corpus ../shared/bench/news2022/corpus.jsonl.gz]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.asked import asked_kind, gives
from news2022 import CORPUS as DEFAULT_CORPUS
from rag.questions import key_found, load_questions
from rag.loaders import iter_documents
from rag.text import split_sentences
from rag.types import Document

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=HERE / "news2022_dev.jsonl")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    gold = {doc_id for q in questions for doc_id in q.gold_doc_ids}
    texts = {d.doc_id: d.text for d in iter_documents([args.corpus])
             if isinstance(d, Document) and d.doc_id in gold}
    typed = kept = 0
    for q in questions:
        kind = asked_kind(q.question)
        holding = [(sentence, texts[doc_id]) for doc_id in q.gold_doc_ids if doc_id in texts
                   for _, sentence in split_sentences(texts[doc_id])
                   if any(key_found(a, sentence) for a in q.reference)]
        if kind is None or not holding:
            continue
        typed += 1
        if any(gives(kind, q.question, sentence, article) for sentence, article in holding):
            kept += 1
        else:
            print(f"refused {q.id} ({kind}): {q.question} | {q.reference[0]} | {holding[0][0]}")
    print(f"{kept}/{typed} questions that name a kind of answer keep a gold sentence holding the answer")


if __name__ == "__main__":
    main()
