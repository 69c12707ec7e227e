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
from rag.dedup import SignatureIndex, signature
from rag.embed import Embedder
from rag.errors import IngestError
from rag.loaders import MAX_DOCUMENT_BYTES, Notice, iter_documents, list_files, suffix_of
from rag.store import ChunkStore, DocVersions
from rag.types import Chunk, Document, IngestReport

# Chunks embedded together: enough to keep the embedder's batches full across short articles, few enough
# that the progress bar moves every few seconds.
_FLUSH_CHUNKS = 128


@dataclass
class _Pending:
    doc: Document
    chunks: list[Chunk]
    n_chunks: int
    last: bool  # the document's final slice: once it is written the document is complete
    replaces: bool  # an older version is stored: delete it once this version is complete
    signature: str  # the document's near-duplicate signature (rag.dedup)


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
        if suffix_of(file) in (".jsonl", ".jsonl.gz") and file.is_file():
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
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> IngestReport:
    check_paths(paths)
    on_notice = on_notice or (lambda line: print(f"warning: {line}", file=sys.stderr))
    if dry_run:
        return _plan(store, paths, prune, rebuild, on_notice, max_bytes)
    with store.writing():
        if rebuild:
            store.clear()
        return _write(store, embedder, paths, chunk_size, chunk_overlap, prune, progress, on_notice, max_bytes)


def _documents(
    paths: list[Path], on_notice: Callable[[str], None], notices: list[str], max_bytes: int
) -> Iterator[Document]:
    def notify(line: str) -> None:
        notices.append(line)
        on_notice(line)

    seen: dict[str, str] = {}
    for item in iter_documents(paths, max_bytes):
        if isinstance(item, Notice):
            notify(str(item))
            continue
        doc = clean_document(item)
        if not doc.text:
            notify(f"{doc.path}: no article text left after removing boilerplate; skipped")
        elif doc.doc_id in seen:
            notify(f"{doc.path}: doc_id {doc.doc_id!r} already read from {seen[doc.doc_id]}; skipped")
        else:
            seen[doc.doc_id] = doc.path
            yield doc


def _classify(state: DocVersions | None, doc_hash: str) -> str:
    if state is None:
        return "added"
    return "unchanged" if state.is_complete(doc_hash) else "updated"


def _prunable(store_versions: dict, seen: set[str], paths: list[Path]) -> list[str]:
    roots = [p.resolve() for p in paths]

    def under_roots(path: str) -> bool:
        return any(Path(path) == root or root in Path(path).parents for root in roots)

    return sorted(doc_id for doc_id, v in store_versions.items() if doc_id not in seen and under_roots(v.path))


def _plan(store, paths, prune, rebuild, on_notice, max_bytes) -> IngestReport:
    stored = store.doc_versions()
    versions = {} if rebuild else stored
    notices: list[str] = []
    actions: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    seen: set[str] = set()
    for doc in _documents(paths, on_notice, notices, max_bytes):
        seen.add(doc.doc_id)
        actions[_classify(versions.get(doc.doc_id), content_hash(doc))].append(doc.doc_id)
    if rebuild:
        removed = sorted(set(stored) - seen)
    else:
        removed = _prunable(stored, seen, paths) if prune else []
    return IngestReport(
        tuple(actions["added"]), tuple(actions["updated"]), tuple(actions["unchanged"]), tuple(removed),
        tuple(notices), dry_run=True,
    )


def _write(store, embedder, paths, chunk_size, chunk_overlap, prune, progress, on_notice, max_bytes) -> IngestReport:
    from tqdm import tqdm

    versions = store.doc_versions()
    notices: list[str] = []
    actions: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    seen: set[str] = set()
    pending: list[_Pending] = []
    written = deleted = 0
    store.fill_signatures(signature, progress)  # documents stored before signatures existed
    store.fill_title_vectors(embedder.embed, progress)  # ... or before title vectors did
    known = SignatureIndex(store.signatures())

    def notify(line: str) -> None:
        notices.append(line)
        on_notice(line)

    def flush() -> None:
        nonlocal written, deleted
        titled = [p for p in pending if p.chunks[0].index == 0 and p.doc.title.strip()]
        texts = [c.text for p in pending for c in p.chunks]
        vectors = embedder.embed(texts + [p.doc.title for p in titled])  # titles rank articles (rag.retrieve)
        title_vectors = dict(zip(map(id, titled), vectors[len(texts) :]))
        offset = 0
        for p in pending:
            store.upsert(
                p.doc, p.chunks, p.n_chunks, vectors[offset : offset + len(p.chunks)], p.signature,
                title_vectors.get(id(p)),
            )
            offset += len(p.chunks)
            written += len(p.chunks)
            if p.last and p.replaces:
                deleted += store.delete_other_versions(p.doc.doc_id, p.chunks[0].content_hash)
            if p.last:
                bar.update(1)
        bar.set_postfix(chunks=written, refresh=False)
        pending.clear()

    bar = tqdm(
        total=count_documents(paths), unit="doc", desc="ingest", disable=not progress, dynamic_ncols=True, file=sys.stderr,
        smoothing=0.02,  # documents finish in bursts, one per embedded batch: steady the ETA
    )
    with bar:
        for doc in _documents(paths, on_notice, notices, max_bytes):
            seen.add(doc.doc_id)
            action = _classify(versions.get(doc.doc_id), content_hash(doc))
            actions[action].append(doc.doc_id)
            if action == "unchanged":
                bar.update(1)
                continue
            chunks = chunk_document(doc, chunk_size, chunk_overlap)
            sig = signature(doc.text)
            near = known.nearest(sig, exclude=doc.doc_id)
            if near:
                notify(f"{doc.path}: {doc.doc_id!r} is a near-duplicate of {near[0]!r} ({near[1]:.0%} of the wording "
                       "shared); results show whichever ranks higher")
            known.add(doc.doc_id, sig)
            for start in range(0, len(chunks), _FLUSH_CHUNKS):
                last = start + _FLUSH_CHUNKS >= len(chunks)
                pending.append(_Pending(doc, chunks[start : start + _FLUSH_CHUNKS], len(chunks), last, action == "updated", sig))
                if sum(len(p.chunks) for p in pending) >= _FLUSH_CHUNKS:
                    flush()
        if pending:
            flush()
    removed = _prunable(versions, seen, paths) if prune else []
    for doc_id in removed:
        deleted += store.delete_document(doc_id)
    return IngestReport(
        tuple(actions["added"]), tuple(actions["updated"]), tuple(actions["unchanged"]), tuple(removed),
        tuple(notices), written, deleted,
    )
