"""Draft -> verified answer: the model's draft keeps only the sentences its citations support, and is withheld
when none remain or when what remains does not give the kind of fact the question asks for."""

from __future__ import annotations

import dataclasses

from rag import prompts
from rag.asked import asked_kind, gives
from rag.cite import CITATION_MARK, verify
from rag.text import split_sentences
from rag.types import Answer


def verified(answer: Answer, draft: str, n_shown: int) -> Answer:
    """`answer` (a refusal carrying the passages) with the model's checked draft in it; a refusal, or an answer
    no passage supports, leaves it refused and says in `repairs` what was withheld."""
    sentences = [s for _, s in split_sentences(draft.strip())]
    if not sentences or prompts.is_refusal(sentences[0]):
        return answer
    kept = " ".join(s for s in sentences if not prompts.is_refusal(s))
    checked = verify(kept, answer.passages[:n_shown])
    if checked.supported == 0:
        return dataclasses.replace(answer, removed=checked.removed, repairs=checked.repairs + (
            f"withheld an answer no passage supports: “{draft.strip()}”",))
    asked = answer.query or answer.question
    kind = asked_kind(asked)
    context = " ".join(p.text for p in answer.passages[:n_shown]) if kind is not None else ""
    if not gives(kind, asked, CITATION_MARK.sub("", checked.text), context):
        return dataclasses.replace(answer, removed=checked.removed, repairs=checked.repairs + (
            f"withheld “{checked.text}”: the question asks for a {kind} and the checked answer gives none",))
    return dataclasses.replace(answer, text=checked.text, citations=checked.citations, refused=False,
                               repairs=checked.repairs, removed=checked.removed)
