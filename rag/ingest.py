"""Keep the store in step with the files: add new documents, replace changed ones, prune removed ones.

Unchanged documents cost a read and a hash, never an embedding. Each document's new chunks are written
before its old ones are deleted, so a run killed half way is finished by the next run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from rag.chunking import chunk_document, content_hash
from rag.clean import clean_document, file_exists
from rag.dedup import SignatureIndex, signature
from rag.embed import Embedder
from rag.errors import IngestError
from rag.loaders import MAX_DOCUMENT_BYTES, Notice, is_jsonl, iter_documents, list_files, open_jsonl, stem_of
from rag.store import ChunkStore, DocVersions
from rag.types import Chunk, Document, IngestReport

# The two articles bundled with the package: the demo a new store starts with, until the user ingests their own.
SEEDS_DIR = (Path(__file__).parent / "seeds").resolve()
DEMO_GONE = "a bundled demo article, removed now that the store holds your own articles"
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
    total = 0
    for file in list_files(paths):
        if is_jsonl(file) and file.is_file():
            try:
                with open_jsonl(file, "rb") as lines:
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


class _Identities:
    """The doc_id each document read is stored under, so that two different files never share one.

    A document keeps the id it was stored under when read from the same file again (even through another
    folder: `ingest x` then `ingest .`). A new document takes its own id (its path below the folder ingested,
    or its JSONL `doc_id`) unless another file that still exists holds it; then the folders above it are put in
    front until the id is free ("story" -> "y/story"), and a notice names both files. An id whose file is gone
    is taken over: the collection folder was moved.
    """

    def __init__(self, versions: dict[str, DocVersions]) -> None:
        self.owner = {doc_id: v.path for doc_id, v in versions.items()}  # doc_id -> the file it is stored from
        self.by_file = {v.path: doc_id for doc_id, v in versions.items() if not is_jsonl(v.path)}
        self.read: dict[str, str] = {}  # doc_id -> file, for the documents read in this run

    def assign(self, doc: Document) -> tuple[str | None, str]:
        """(doc_id, notice): the id to store `doc` under, or None when this file already gave that id in this run
        (two JSONL lines with one doc_id); the notice is "" unless the user should hear of it."""
        wanted = doc.doc_id
        if doc.path in self.by_file and self.by_file[doc.path] not in self.read:
            wanted = self.by_file[doc.path]
        for candidate in _candidates(wanted, doc.path):
            if candidate in self.read:
                if self.read[candidate] == doc.path:
                    return None, f"{doc.path}: doc_id {candidate!r} appears twice in this file; the later one skipped"
                continue
            owner = self.owner.get(candidate, "")
            if not owner or owner == doc.path or not file_exists(owner):
                self.read[candidate] = doc.path
                if candidate == wanted:
                    return candidate, ""
                holder = self.read.get(wanted) or self.owner.get(wanted)
                return candidate, (f"{doc.path}: doc_id {wanted!r} is already {holder}'s; stored as {candidate!r} "
                                   "(rename one of the files to choose the ids yourself)")
        raise AssertionError("the last candidate id holds the file's hash and cannot be taken")


def _candidates(doc_id: str, path: str) -> list[str]:
    """`doc_id`, then with ever more of the folders above its file in front, then with the file's hash."""
    file = Path(path)
    if is_jsonl(path):
        folders = [*file.parent.parts[1:], stem_of(file)]
    else:
        folders = list(file.parent.parts[1:])
        depth = doc_id.count("/")  # the folders the id already names
        folders = folders[: len(folders) - depth] if depth else folders
    longer = ["/".join([*folders[len(folders) - n :], doc_id]) for n in range(1, len(folders) + 1)]
    return [doc_id, *longer, f"{doc_id}~{hashlib.sha256(path.encode()).hexdigest()[:8]}"]


@dataclass
class _Read:
    """What one pass over the paths met: the documents' ids, and the files not wholly read."""

    versions: dict[str, DocVersions]
    seen: set[str] = field(default_factory=set)
    skipped_files: set[str] = field(default_factory=set)
    notices: list[str] = field(default_factory=list)
    own: bool = False  # a document read that is not one of the bundled demo articles


def _documents(paths: list[Path], read: _Read, on_notice: Callable[[str], None], max_bytes: int) -> Iterator[Document]:
    def notify(line: str) -> None:
        read.notices.append(line)
        on_notice(line)

    identities = _Identities(read.versions)
    for item in iter_documents(paths, max_bytes):
        if isinstance(item, Notice):
            if item.skipped:
                read.skipped_files.add(item.skipped)
            notify(str(item))
            continue
        doc = clean_document(item)
        if not doc.text:
            read.skipped_files.add(doc.path)
            notify(f"{doc.path}: no article text left after removing boilerplate; skipped")
            continue
        doc_id, notice = identities.assign(doc)
        if notice:
            notify(notice)
        if doc_id is None:
            read.skipped_files.add(doc.path)
            continue
        read.seen.add(doc_id)
        read.own = read.own or not Path(doc.path).is_relative_to(SEEDS_DIR)
        yield dataclasses.replace(doc, doc_id=doc_id)


def _classify(state: DocVersions | None, doc_hash: str) -> str:
    if state is None:
        return "added"
    return "unchanged" if state.is_complete(doc_hash) else "updated"


def _removable(read: _Read, paths: list[Path], prune: bool, demo: bool) -> list[tuple[str, str]]:
    """(doc_id, why) for each stored document this ingest removes: with `prune`, those under `paths` whose file
    is gone or whose JSONL line is gone from a file read whole; with `demo`, the bundled demo articles. A file
    that exists but was not read (too big, unreadable, a bad line) keeps every article it had."""
    roots = [p.resolve() for p in paths]
    removable = []
    for doc_id, version in sorted(read.versions.items()):
        file = Path(version.path)
        if doc_id in read.seen:
            continue
        if demo and file.is_relative_to(SEEDS_DIR):
            removable.append((doc_id, DEMO_GONE))
        elif not prune or not any(file == root or root in file.parents for root in roots):
            continue
        elif not file_exists(version.path):
            removable.append((doc_id, f"its file {file} no longer exists"))
        elif is_jsonl(version.path) and version.path not in read.skipped_files:
            removable.append((doc_id, f"no line of {file} holds it any more"))
    return removable


def _plan(store, paths, prune, rebuild, on_notice, max_bytes) -> IngestReport:
    stored = store.doc_versions()
    read = _Read({} if rebuild else stored)
    actions: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    for doc in _documents(paths, read, on_notice, max_bytes):
        actions[_classify(read.versions.get(doc.doc_id), content_hash(doc))].append(doc.doc_id)
    if rebuild:
        removed = [(doc_id, "not in the paths rebuilt from") for doc_id in sorted(set(stored) - read.seen)]
    else:
        removed = _removable(read, paths, prune, demo=read.own)
    return IngestReport(
        tuple(actions["added"]), tuple(actions["updated"]), tuple(actions["unchanged"]),
        tuple(doc_id for doc_id, _ in removed), tuple(why for _, why in removed), tuple(read.notices), dry_run=True,
    )


def _write(store, embedder, paths, chunk_size, chunk_overlap, prune, progress, on_notice, max_bytes) -> IngestReport:
    from tqdm import tqdm

    read = _Read(store.doc_versions())
    versions = read.versions
    actions: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    pending: list[_Pending] = []
    written = deleted = 0
    store.fill_signatures(signature, progress)  # documents stored before signatures existed
    store.fill_title_vectors(embedder.embed, progress)  # ... or before title vectors did
    known = SignatureIndex(store.signatures())

    def notify(line: str) -> None:
        read.notices.append(line)
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
        for doc in _documents(paths, read, on_notice, max_bytes):
            action = _classify(versions.get(doc.doc_id), content_hash(doc))
            actions[action].append(doc.doc_id)
            if action == "unchanged":
                if versions[doc.doc_id].path != doc.path:  # the same article, its folder moved
                    store.move_document(doc.doc_id, doc.path)
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
    removed = _removable(read, paths, prune, demo=read.own)
    for doc_id, why in removed:
        deleted += store.delete_document(doc_id)
        if why == DEMO_GONE:
            notify(f"removed the bundled demo article {doc_id!r}: the store now holds your own articles")
    return IngestReport(
        tuple(actions["added"]), tuple(actions["updated"]), tuple(actions["unchanged"]),
        tuple(doc_id for doc_id, _ in removed), tuple(why for _, why in removed), tuple(read.notices), written, deleted,
    )
