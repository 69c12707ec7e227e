"""The chat page's own copies of uploaded files: kept under names that never overwrite another upload, and
edited when the user deletes one article of a file that holds several.

Only files in the uploads folder are the page's to change; a user's own folders are never written to.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rag.chunking import content_hash
from rag.clean import clean_document
from rag.loaders import is_jsonl, open_jsonl, record_to_document, stem_of, suffix_of
from rag.types import Document


def keep(sources: list[Path], folder: Path) -> list[Path]:
    """Copy each uploaded file into `folder`; a name already taken by a different file gets a number
    ("story-2.txt"), and a file identical to one already there is not copied again."""
    folder.mkdir(parents=True, exist_ok=True)
    kept = []
    for source in sources:
        target = _free_name(source, folder)
        if not target.exists():
            with _replacing(target) as temporary:
                shutil.copyfile(source, temporary)
        kept.append(target)
    return kept


def _free_name(source: Path, folder: Path) -> Path:
    suffix, stem = suffix_of(source), stem_of(source)
    data = source.read_bytes()
    for n in range(1, 10_000):
        target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        if not target.exists() or (target.is_file() and target.read_bytes() == data):
            return target
    raise OSError(f"{folder}: 10,000 uploads named {source.name}; rename the file before uploading it")


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary file beside `target` (hidden, with its suffix) to write; it replaces `target` whole once the
    block ends without error."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=suffix_of(target))
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def owns(path: Path, folder: Path) -> bool:
    """Whether `path` is one of the page's copies in the uploads `folder`."""
    return path.resolve().is_relative_to(folder.resolve())


def forget_if_uploaded(source: str, doc_id: str, stored_hash: str, folder: Path) -> str:
    """Once the article stored as `doc_id` (content hash `stored_hash`) has left the store, settle the file it was
    read from, `source`: the page's copy in the uploads `folder` loses it (see forget); a user's own file is left
    alone, and the article comes back when that file is ingested again. Returns what became of the file as a clause
    that ends the page's "Deleted …" sentence; empty when the file is gone."""
    path = Path(source) if source else None
    if path is None or not path.exists():
        return ""
    if owns(path, folder):
        return "; " + forget(path, doc_id, stored_hash)
    return (f". Its file {path} is not an upload, so the page leaves it alone: the article comes back the next time "
            "that file is ingested")


def forget(path: Path, doc_id: str, stored_hash: str) -> str:
    """Take the article stored as `doc_id` (content hash `stored_hash`) out of the page's copy `path`, so no
    later ingest brings it back: a one-article file is deleted, a JSONL file loses that line only (and is
    deleted when no line is left). Returns what was done, for the page."""
    if not is_jsonl(path):
        path.unlink(missing_ok=True)
        return f"deleted its uploaded file {path.name}"
    with open_jsonl(path, "rt", encoding="utf-8") as lines:
        kept = [line for number, line in enumerate(lines, start=1)
                if not _holds(path, number, line, doc_id, stored_hash)]
    if not any(line.strip() for line in kept):
        path.unlink(missing_ok=True)
        return f"deleted its uploaded file {path.name}, which held no other article"
    with _replacing(path) as temporary, open_jsonl(temporary, "wt", encoding="utf-8") as out:
        out.writelines(kept)
    return f"took its line out of the uploaded file {path.name}; the file's other articles stay"


def _holds(path: Path, number: int, line: str, doc_id: str, stored_hash: str) -> bool:
    """Whether this JSONL line is the stored article: the same content hash once given the stored id."""
    if not line.strip():
        return False
    doc = record_to_document(path, number, line)
    if not isinstance(doc, Document):
        return False
    return content_hash(dataclasses.replace(clean_document(doc), doc_id=doc_id)) == stored_hash
