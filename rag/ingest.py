"""Keep the store in step with the files: add new documents, replace changed ones, prune removed ones.

Unchanged documents cost a read and a hash, never an embedding. Each document's new chunks are written
before its old ones are deleted, so a run killed half way is finished by the next run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from rag.chunking import chunk_document, content_hash
from rag.clean import clean_document
from rag.embed import Embedder
from rag.errors import IngestError
from rag.loaders import Notice, iter_documents, list_files, suffix_of
from rag.store import ChunkStore
from rag.types import Chunk, Document, IngestReport

# Chunks embedded together: enough to keep the embedder's batches full across short articles, few enough
# that the progress bar moves every few seconds.
_FLUSH_CHUNKS = 128


@dataclass
class _Pending:
    doc: Document
    chunks: list[Chunk]
    n_chunks: int
    last: bool  # the document's final slice: its old version may be deleted after it is written


def check_paths(paths: list[Path]) -> None:
    if not paths:
        raise IngestError("no paths given; name files or folders to ingest, e.g. python -m rag ingest articles/")
    for path in paths:
        if not path.exists():
            raise IngestError(f"{path}: no such file or directory; check the path")


def count_documents(paths: list[Path]) -> int:
    """A cheap upper bound for the progress bar: one per file, one per JSONL line."""
    import gzip

    total = 0
    for file in list_files(paths):
        if suffix_of(file) in (".jsonl", ".jsonl.gz"):
            opener = gzip.open if suffix_of(file) == ".jsonl.gz" else open
            try:
                with opener(file, "rb") as lines:
                    total += sum(1 for line in lines if line.strip())
            except (OSError, EOFError):
                continue
        else:
            total += 1
    return total


def sync(
    store: ChunkStore,
    embedder: Embedder,
    paths: list[Path],
    chunk_size: int,
    chunk_overlap: int,
    *,
    prune: bool = False,
    dry_run: bool = False,
    rebuild: bool = False,
    progress: bool = True,
    on_notice: Callable[[str], None] | None = None,
) -> IngestReport:
    check_paths(paths)
    on_notice = on_notice or (lambda line: print(f"warning: {line}", file=sys.stderr))
    if dry_run:
        return _plan(store, paths, prune, rebuild, on_notice)
    with store.writing():
        if rebuild:
            store.clear()
        return _write(store, embedder, paths, chunk_size, chunk_overlap, prune, progress, on_notice)


def _documents(paths: list[Path], on_notice: Callable[[str], None], notices: list[str]) -> Iterator[Document]:
    seen: dict[str, str] = {}
    for item in iter_documents(paths):
        if isinstance(item, Notice):
            notices.append(str(item))
            on_notice(str(item))
            continue
        doc = clean_document(item)
        if not doc.text:
            line = f"{doc.path}: no article text left after removing boilerplate; skipped"
            notices.append(line)
            on_notice(line)
            continue
        if doc.doc_id in seen:
            line = f"{doc.path}: doc_id {doc.doc_id!r} already read from {seen[doc.doc_id]}; skipped"
            notices.append(line)
            on_notice(line)
            continue
        seen[doc.doc_id] = doc.path
        yield doc


def _prunable(store_versions: dict, seen: set[str], paths: list[Path]) -> list[str]:
    roots = [p.resolve() for p in paths]

    def under_roots(path: str) -> bool:
        return any(Path(path) == root or root in Path(path).parents for root in roots)

    return sorted(doc_id for doc_id, v in store_versions.items() if doc_id not in seen and under_roots(v.path))


def _plan(store, paths, prune, rebuild, on_notice) -> IngestReport:
    versions = {} if rebuild else store.doc_versions()
    notices: list[str] = []
    added, updated, unchanged = [], [], []
    seen: set[str] = set()
    for doc in _documents(paths, on_notice, notices):
        seen.add(doc.doc_id)
        state = versions.get(doc.doc_id)
        if state is None:
            added.append(doc.doc_id)
        elif state.is_complete(content_hash(doc)):
            unchanged.append(doc.doc_id)
        else:
            updated.append(doc.doc_id)
    removed = _prunable(versions, seen, paths) if prune else []
    if rebuild:
        removed = sorted(set(store.doc_versions()) - seen)
    return IngestReport(tuple(added), tuple(updated), tuple(unchanged), tuple(removed), tuple(notices), dry_run=True)


def _write(store, embedder, paths, chunk_size, chunk_overlap, prune, progress, on_notice) -> IngestReport:
    from tqdm import tqdm

    versions = store.doc_versions()
    notices: list[str] = []
    added, updated, unchanged = [], [], []
    seen: set[str] = set()
    pending: list[_Pending] = []
    written = deleted = 0

    def flush() -> None:
        nonlocal written, deleted
        texts = [c.text for p in pending for c in p.chunks]
        vectors = embedder.embed(texts)
        offset = 0
        for p in pending:
            store.upsert(p.doc, p.chunks, p.n_chunks, vectors[offset : offset + len(p.chunks)])
            offset += len(p.chunks)
            written += len(p.chunks)
            if p.last:
                deleted += store.delete_other_versions(p.doc.doc_id, p.chunks[0].content_hash)
                bar.update(1)
        bar.set_postfix(chunks=written, refresh=False)
        pending.clear()

    bar = tqdm(
        total=count_documents(paths), unit="doc", desc="ingest", disable=not progress, dynamic_ncols=True, file=sys.stderr
    )
    with bar:
        for doc in _documents(paths, on_notice, notices):
            seen.add(doc.doc_id)
            state = versions.get(doc.doc_id)
            doc_hash = content_hash(doc)
            if state is not None and state.is_complete(doc_hash):
                unchanged.append(doc.doc_id)
                bar.update(1)
                continue
            (added if state is None else updated).append(doc.doc_id)
            chunks = chunk_document(doc, chunk_size, chunk_overlap)
            for start in range(0, len(chunks), _FLUSH_CHUNKS):
                part = chunks[start : start + _FLUSH_CHUNKS]
                pending.append(_Pending(doc, part, len(chunks), last=start + _FLUSH_CHUNKS >= len(chunks)))
                if sum(len(p.chunks) for p in pending) >= _FLUSH_CHUNKS:
                    flush()
        if pending:
            flush()
    removed = _prunable(versions, seen, paths) if prune else []
    for doc_id in removed:
        deleted += store.delete_document(doc_id)
    return IngestReport(
        tuple(added), tuple(updated), tuple(unchanged), tuple(removed), tuple(notices), written, deleted
    )
