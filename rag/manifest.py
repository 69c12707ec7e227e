"""What a store was built with, and bringing stores of older schemas up to date.

The manifest (schema, embedder, dimension, chunking) sits in the Chroma collection's metadata; a store built with
other settings is refused with the command that rebuilds it. A schema-1 store is upgraded in place on opening.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rag.chunk_records import PAGE
from rag.errors import StoreMismatchError
from rag.filters import day_number

# 2: chunks carry `day` (YYYYMMDD as a number, 0 when the date is unknown) so date ranges filter inside Chroma.
SCHEMA_VERSION = 2
REBUILD_HINT = "python -m rag ingest --rebuild PATH…"


def manifest_for(embedder_name: str, dim: int, chunk_size: int, chunk_overlap: int) -> dict[str, Any]:
    return {
        "rag_schema": SCHEMA_VERSION,
        "embedder": embedder_name,
        "dim": dim,
        "chunk_size": chunk_size,
        "chunk_overlap": chunk_overlap,
    }


def check_manifest(path: Path | str, found: dict[str, Any], expected: dict[str, Any]) -> None:
    differences = [
        f"{key} {found.get(key)!r} in the store, {value!r} now"
        for key, value in expected.items()
        if found.get(key) != value
    ]
    if differences:
        raise StoreMismatchError(
            f"{path} was built with other settings ({'; '.join(differences)}). "
            f"Re-index with: {REBUILD_HINT} (or point RAG_STORE at a new directory)"
        )


class ManifestCheck:
    """The part of ChunkStore that checks, on opening, the manifest it found against its own, upgrading a
    schema-1 store first. Uses the store's `manifest`, `writing`, `_all_metadatas` and `_collection`."""

    def _check_or_upgrade(self, where: Path | str, found: dict[str, Any]) -> None:
        if found.get("rag_schema") == 1 and self.manifest.get("rag_schema") == 2:
            check_manifest(where, found | {"rag_schema": 2}, self.manifest)  # refuse other differences before any write
            found = self._upgrade_from_1(found)
        check_manifest(where, found, self.manifest)

    def _upgrade_from_1(self, found: dict[str, Any]) -> dict[str, Any]:
        """Give a schema-1 store's chunks their `day`, in place: metadata only, nothing is embedded again."""
        with self.writing():
            ids, days = [], []
            for chunk_id, meta in self._all_metadatas():
                ids.append(chunk_id)
                days.append({"day": day_number(meta.get("date", ""))})
            for start in range(0, len(ids), PAGE):
                self._collection.update(ids=ids[start : start + PAGE], metadatas=days[start : start + PAGE])
            upgraded = found | {"rag_schema": 2}
            self._collection.modify(metadata=upgraded)
        return upgraded
