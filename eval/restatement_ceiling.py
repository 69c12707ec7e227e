"""How many right answers quoting could win back from a model's withheld drafts (a study, not a feature).

For each news2022 question whose model draft the claim check withheld, look in the top four retrieved
articles for a sentence that holds every name and number the draft adds to the question ("Sri Lanka",
"$44 billion"), and count how often that sentence holds the quiz answer. This estimates the gain of
"the model picks the answer, the quote proves it" before building it.

    python -m rag --store S eval --questions eval/news2022_dev.jsonl --llm local --out OUT
    python eval/restatement_ceiling.py OUT/results.json
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from rag.asked import capitalised_names, counts_in
from news2022 import CORPUS as DEFAULT_CORPUS
from rag.cite import CITATION_MARK
from rag.questions import key_found, load_questions
from rag.loaders import iter_documents
from rag.text import split_sentences, words
from rag.types import Document

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="results.json of an eval run with a model")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=HERE / "news2022_dev.jsonl")
    args = parser.parse_args()
    questions = {q.id: q for q in load_questions(args.questions)}
    rows = json.loads(args.results.read_text())[0]["rows"]
    wanted = {doc_id for row in rows for doc_id in row["ranking"][:4]}
    texts = {d.doc_id: d.text for d in iter_documents([args.corpus])
             if isinstance(d, Document) and d.doc_id in wanted}
    withheld = holding = found = right = 0
    for row in rows:
        last = row["repairs"][-1] if row["repairs"] else ""
        if not row["refused"] or not last.startswith("withheld an answer no passage supports"):
            continue
        withheld += 1
        draft = CITATION_MARK.sub("", re.search(r"“(.*)”", last, re.S).group(1))
        question = questions[row["id"]]
        answers = question.reference
        holding += any(key_found(a, draft) for a in answers)
        asked = {w.lower()[:5] for w in words(question.question)}
        added = {n for _, n in capitalised_names(draft, frozenset()) if n[:5] not in asked}
        added |= counts_in(draft) - counts_in(question.question)
        sentences = [s for doc_id in row["ranking"][:4] for _, s in split_sentences(texts.get(doc_id, ""))]
        quote = next((s for s in sentences if added and all(a in s.lower().replace(",", "") for a in added)), None)
        if quote is not None:
            found += 1
            right += any(key_found(a, quote) for a in answers)
    print(f"{withheld} drafts withheld by the claim check, {holding} of them holding the quiz answer; a quote "
          f"holding what the draft adds found for {found}, holding the quiz answer in {right}")


if __name__ == "__main__":
    main()
