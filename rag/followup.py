"""Follow-ups made standalone: a message that leans on the conversation is rewritten (by the model, or by
joining the earlier question) into a question that can be searched on its own."""

from __future__ import annotations

import re
import time
from typing import Mapping, Sequence

from rag import prompts
from rag.cite import CITATION_MARK
from rag.errors import ConfigError, GenerationError
from rag.generate import Generator, generate

History = Sequence[Mapping[str, str]]  # [{"question": …, "answer": …}] or chat messages [{"role", "content"}]
# A message that leans on the conversation: a pronoun with nothing in the message for it to stand for ("What did
# he demand?"; not "What did Peskov say he expected?"), a pointing word used as one ("Why that?", "What happened
# there?"; not the "that" of "said that Kyiv could fall"), or an elliptical opening ("And in the east?", "What
# about Zelensky?"), or four words or fewer with no name in them ("How many?"; not "Who is Peskov?"). Only such
# messages cost a rewrite by the model; others are searched as they are.
_PRONOUN = re.compile(r"\b(?:he|she|its|they|him|her|his|hers|them|their|theirs)\b", re.IGNORECASE)
# "it" points at a thing of the conversation ("recognize it as?") unless it opens "it is/was" ("Is it true …").
_POINTING = re.compile(
    r"\b(?:this|that|these|those)\b(?!\s+(?:he|she|it|they|we|i|you|the|a|an|his|her|their|its|[A-Z]))|"
    r"\b(?:there|the same|former|latter|else)\b|\bit\b(?!\s+(?:is|was|will|would|has|had)\b)",
)
_ELLIPTICAL = re.compile(r"^\s*(?:and|but|also|what about|how about|what else|why not|why|how so)\b", re.IGNORECASE)
_REWRITE_TOKENS = 60


def standalone(generator: Generator | None, message: str, history: History,
               timings: dict[str, float] | None = None) -> str:
    """The message as a question that needs no conversation to be understood (the retrieval query). Without a
    model (`generator` None) the earlier question is put in front: the embedder reads both."""
    turns = conversation(history)
    if not turns or not leans_on_conversation(message):
        return message
    previous = turns[-1][0]
    if generator is None:
        return f"{previous} {message}"
    started = time.perf_counter()
    try:
        rewritten = generate(generator, prompts.rewrite_messages(message, turns[-3:]), _REWRITE_TOKENS)
    except GenerationError:
        rewritten = ""
    if timings is not None:
        timings["rewrite_ms"] = round((time.perf_counter() - started) * 1000, 1)
    rewritten = rewritten.strip().splitlines()[0].strip(" \"'") if rewritten.strip() else ""
    unusable = (
        not rewritten
        or len(rewritten) > 3 * len(message) + 200
        or prompts.is_refusal(rewritten)
        # repeated the earlier question, or gave the follow-up back unchanged
        or rewritten.lower().rstrip("?") in (previous.lower().rstrip("?"), message.lower().rstrip("?"))
    )
    if unusable:
        return f"{previous} {message}"
    return rewritten


def leans_on_conversation(message: str) -> bool:
    """Whether a message needs the conversation before it to be understood (see _PRONOUN and _POINTING)."""
    named = [m.start() for m in re.finditer(r"(?<=\s)[A-Z][\w’'-]+", message)]  # names, not the first word
    pronoun = _PRONOUN.search(message)
    if pronoun and not any(at < pronoun.start() for at in named):
        return True
    if _POINTING.search(message) or _ELLIPTICAL.match(message):
        return True
    return len(message.split()) <= 4 and not named


def conversation(history: History) -> list[tuple[str, str]]:
    """(question, answer) pairs from either history shape; anything else is a ConfigError."""
    turns: list[tuple[str, str]] = []
    for item in history or ():
        if not isinstance(item, Mapping):
            raise ConfigError(f"history items must be dicts with question/answer or role/content, got {item!r:.60}")
        if "question" in item:
            turns.append((str(item["question"]), str(item.get("answer", ""))))
        elif item.get("role") == "user":
            turns.append((str(item.get("content", "")), ""))
        elif item.get("role") == "assistant" and turns:
            turns[-1] = (turns[-1][0], str(item.get("content", "")))
        elif item.get("role") not in ("assistant", "system"):
            raise ConfigError(f"history item {item!r:.60} has neither 'question' nor a user/assistant 'role'")
    return [(q, CITATION_MARK.sub("", a).strip()) for q, a in turns if q.strip()]
