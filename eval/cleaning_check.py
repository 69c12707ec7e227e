"""List every line the cleaner (rag/clean.py) removes from a collection, with the step that removed it, so a
person can read them all and confirm none is article text; the counts go to stderr.

    python eval/cleaning_check.py [--corpus ../shared/bench/news2022/corpus.jsonl.gz] > removed.tsv

Output: one line per removed line, `doc_id <TAB> step <TAB> line`; step is `leading` (a credit above the first
paragraph, or a caption before page furniture) or `furniture` (consent and newsletter boxes, link blocks, footers).
The bundled seed articles are always included.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import Counter
from pathlib import Path

from rag import clean
from news2022 import CORPUS as DEFAULT_CORPUS
from rag.ingest import SEEDS_DIR
from rag.loaders import iter_documents
from rag.types import Document


def removed(text: str) -> list[tuple[str, str]]:
    """(step, line) for each non-empty line that clean_text drops from `text`."""
    lines = clean.normalised_lines(text)
    after_leading = clean._drop_leading_teasers(lines)
    after_furniture = clean._drop_boilerplate(after_leading)
    return [("leading", line) for line in _gone(lines, after_leading)] + [
        ("furniture", line) for line in _gone(after_leading, after_furniture)
    ]


def _gone(before: list[str], after: list[str]) -> list[str]:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return [line for tag, i1, i2, _, _ in matcher.get_opcodes() if tag in ("delete", "replace")
            for line in before[i1:i2] if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    documents = [d for d in iter_documents([args.corpus, SEEDS_DIR]) if isinstance(d, Document)]
    steps: Counter = Counter()
    for doc in documents:
        for step, line in removed(doc.text):
            steps[step] += 1
            print(f"{doc.doc_id}\t{step}\t{line}")
    distinct = len({line for doc in documents for _, line in removed(doc.text)})
    print(f"{len(documents):,} articles; removed lines: {dict(steps)}, {distinct:,} distinct", file=sys.stderr)


if __name__ == "__main__":
    main()
