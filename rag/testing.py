"""Deterministic stand-ins for tests and examples whose point is not the model."""

from __future__ import annotations

import hashlib
import math
import re
from typing import Sequence


class HashEmbedder:
    """Bag-of-words hashed into `dim` buckets, L2-normalised: instant, and texts sharing words are close."""

    def __init__(self, dim: int = 64, name: str = "hash-embedder") -> None:
        self.dim = dim
        self.name = name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vector = [0.0] * self.dim
            for word in re.findall(r"\w+", text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                vector[bucket % self.dim] += 1.0
            norm = math.sqrt(sum(v * v for v in vector)) or 1.0
            vectors.append([v / norm for v in vector])
        return vectors


class FakeGenerator:
    """A Generator whose replies are queued by the test: each call pops the next one and streams it word by
    word. A queued exception is raised instead. Every prompt it was given is kept in `calls`."""

    name = "fake"

    def __init__(self, *replies: str | Exception) -> None:
        self.replies = list(replies)
        self.calls: list[list[dict[str, str]]] = []

    def stream(self, messages, max_tokens: int):
        self.calls.append(messages)
        if not self.replies:
            raise AssertionError("FakeGenerator was called more often than replies were queued")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        for word in re.findall(r"\S+\s*", reply):
            yield word
