"""Near-duplicate articles (one story syndicated twice, a wire copy with another headline and footer): found at
ingest by MinHash over five-word shingles, and collapsed in results to the better-ranked copy.

Each article's signature is stored with its first chunk, so both the ingest and a search compare against the
stored articles without reading their text again.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

# Two articles sharing this fraction of their five-word shingles (estimated) are one story.
NEAR_DUPLICATE = 0.8
_PERMUTATIONS = 64  # standard error of the estimate ~ sqrt(J(1-J)/64): about 0.05 at J = 0.8
_SHINGLE = 5
_rng = np.random.default_rng(20220224)
# Multiply-shift hashing (Dietzfelbinger et al. 1997): ((a·x + b) mod 2**64) >> 32 with a odd, one per permutation.
_A = _rng.integers(0, 1 << 63, _PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 1 << 63, _PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+")


# Our own MinHash, not datasketch's: as accurate at 64 permutations and faster here; see docs/dedup.md.
def signature(text: str) -> str:
    """The article's MinHash signature as a hex string ("" for one too short to compare)."""
    words = _WORD.findall(text.lower())
    if len(words) < _SHINGLE * 4:
        return ""
    shingles = {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles),
        dtype=np.uint64, count=len(shingles),
    )
    with np.errstate(over="ignore"):
        mixed = (_A[:, None] * hashes[None, :] + _B[:, None]) >> np.uint64(32)  # wraps mod 2**64 by design
    return mixed.min(axis=1).astype(np.uint32).tobytes().hex()


def similarity(a: str, b: str) -> float:
    """Estimated fraction of shared shingles of two signatures (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return float(np.mean(np.frombuffer(bytes.fromhex(a), np.uint32) == np.frombuffer(bytes.fromhex(b), np.uint32)))


class SignatureIndex:
    """Signatures of many articles, compared with a new one all at once."""

    def __init__(self, signatures: dict[str, str]) -> None:
        self.ids: list[str] = []
        self._rows: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None
        for doc_id, sig in signatures.items():
            self.add(doc_id, sig)

    def add(self, doc_id: str, sig: str) -> None:
        if sig:
            self.ids.append(doc_id)
            self._rows.append(np.frombuffer(bytes.fromhex(sig), np.uint32))
            self._matrix = None

    def nearest(self, sig: str, exclude: str = "") -> tuple[str, float] | None:
        """The most similar other article at or above NEAR_DUPLICATE, with its similarity; else None."""
        if not sig or not self._rows:
            return None
        if self._matrix is None:
            self._matrix = np.vstack(self._rows)
        scores = (self._matrix == np.frombuffer(bytes.fromhex(sig), np.uint32)).mean(axis=1)
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] < NEAR_DUPLICATE:
                return None
            if self.ids[i] != exclude:
                return self.ids[i], float(scores[i])
        return None
