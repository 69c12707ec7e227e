"""Draft -> verified answer: the model's draft keeps only the sentences its citations support, and is withheld
when none remain or when what remains does not give the kind of fact the question asks for."""

from __future__ import annotations

import dataclasses

from rag import prompts
from rag.asked import LABEL, asked_kind, gives, labels, other_label
from rag.cite import CITATION_MARK, cite_quote, verify
from rag.text import content_words, split_sentences
from rag.types import Answer, Passage


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
    outlets = {p.source for p in answer.passages[:n_shown]}
    unmarked = CITATION_MARK.sub("", checked.text)
    if not gives(kind, asked, unmarked, context, outlets):
        return dataclasses.replace(answer, removed=checked.removed, repairs=checked.repairs + (
            f"withheld “{checked.text}”: the question asks for a {kind} and the checked answer gives none",))
    wrong_label = other_label(asked, unmarked)
    if wrong_label:
        found = _labelled(asked, answer.passages[:n_shown])
        if found is None or not gives(kind, asked, found[1], context, outlets):
            return dataclasses.replace(answer, removed=checked.removed, repairs=checked.repairs + (
                f"withheld “{checked.text}”: {wrong_label}",))
        n, sentence = found
        return dataclasses.replace(
            answer, text=f"{sentence} [{n}]", citations=(cite_quote(n, answer.passages[n - 1], sentence),),
            refused=False, removed=checked.removed + (checked.text,), repairs=checked.repairs + (
                f"replaced “{checked.text}” ({wrong_label}) with the sentence of [{n}] that names it",))
    return dataclasses.replace(answer, text=checked.text, citations=checked.citations, refused=False,
                               repairs=checked.repairs, removed=checked.removed)


def _labelled(question: str, passages: tuple[Passage, ...]) -> tuple[int, str] | None:
    """(n, sentence) of the first passage sentence that names the numbered label the question asks about and
    shares another of its words ("target")."""
    asked, topic = labels(question), content_words(LABEL.sub(" ", question))
    for n, passage in enumerate(passages, start=1):
        for _, sentence in split_sentences(passage.text):
            if labels(sentence) & asked and content_words(LABEL.sub(" ", sentence)) & topic:
                return n, sentence
    return None
