"""Files and folders -> Document objects (txt, md, html, pdf, jsonl, jsonl.gz), with title, date and source.

Which files a folder holds, how each is read up to the reader of its format (file_formats.py), and JSONL files
of one article per line. Unreadable input never stops a whole ingest: it becomes a `Notice` naming the file
(and line) and is skipped.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Iterator

from rag.errors import IngestError
from rag.file_formats import (
    HTML_SUFFIXES, ISO_DATE, JSONL_SUFFIXES, SUFFIXES, Notice, fallback_title, html_document, missing_dependency,
    pdf_document, skip, text_document,
)
from rag.types import Document

# Far above any article (a long feature is ~100 KB); a file this big is a dump or a book, and would take hours
# to embed. RAG_MAX_DOCUMENT_MB raises it.
MAX_DOCUMENT_BYTES = 10_000_000


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


def stem_of(path: Path) -> str:
    """The file's name without its suffix ("feed" of feed.jsonl.gz)."""
    return path.name[: len(path.name) - len(suffix_of(path))]


def is_jsonl(path: Path | str) -> bool:
    """Whether `path` holds one article per line (.jsonl, .jsonl.gz)."""
    return suffix_of(Path(path)) in JSONL_SUFFIXES


def open_jsonl(path: Path | str, mode: str, **kwargs):
    """A JSONL file opened as `open` would, through gzip when it is .jsonl.gz."""
    return (gzip.open if suffix_of(Path(path)) == ".jsonl.gz" else open)(path, mode, **kwargs)


def iter_documents(paths: list[Path], max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[Document | Notice]:
    """Every document under `paths` (files or folders, recursive), in a stable order; one bigger than
    `max_bytes` (a file, or a JSONL record) is skipped with a Notice."""
    for root in paths:
        if not root.exists():
            raise IngestError(f"{root}: no such file or directory; check the path")
        if root.is_dir():
            for file in _walk(root):
                yield from load_file(file, doc_id_base=root, max_bytes=max_bytes)
        else:
            if suffix_of(root) not in SUFFIXES:
                raise IngestError(
                    f"{root}: unsupported file type {suffix_of(root) or '(none)'}; "
                    f"supported: {', '.join(SUFFIXES)}"
                )
            yield from load_file(root, doc_id_base=root.parent, max_bytes=max_bytes)


def list_files(paths: list[Path]) -> list[Path]:
    """The files `iter_documents` would read, for progress totals and pruning."""
    files: list[Path] = []
    for root in paths:
        files.extend(_walk(root) if root.is_dir() else [root])
    return files


def _walk(root: Path) -> Iterator[Path]:
    # Symlinked folders are not followed, so a link loop cannot make the walk endless.
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            file = Path(folder) / name
            if not name.startswith(".") and suffix_of(file) in SUFFIXES:
                yield file


def load_file(path: Path, doc_id_base: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[Document | Notice]:
    suffix = suffix_of(path)
    if path.exists() and not path.is_file():  # a pipe would block the read forever, a device never end
        yield skip(path, "is not a regular file (a pipe, socket or device); skipped")
        return
    try:
        if is_jsonl(path):
            yield from _load_jsonl(path, max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            yield skip(path, _too_big(size, max_bytes))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield skip(path, f"cannot be read ({exc.strerror or exc}); check its permissions")
        return
    if not data.strip():
        yield skip(path, "is empty")
        return
    kind = "pdf" if suffix == ".pdf" else "html" if suffix in HTML_SUFFIXES else ""
    missing = missing_dependency(kind) if kind else None
    if missing:
        package, why = missing
        yield skip(path, f"cannot read {kind.upper()}: the Python package {package} is missing ({why}); "
                                f"install it with: pip install {package}")
        return
    doc_id = _file_doc_id(path, doc_id_base)
    if suffix == ".pdf":
        yield pdf_document(path, data, doc_id)
        return
    if _looks_binary(data):
        yield skip(path, f"looks binary, not {suffix} text; remove it or give it the right extension")
        return
    text, note = _decode(data)
    if suffix in HTML_SUFFIXES:
        yield html_document(path, text, doc_id)
    else:
        yield text_document(path, text, doc_id)
    if note:
        yield Notice(str(path), note)  # read all the same


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"is {size / 1e6:,.1f} MB, over the {max_bytes / 1e6:g} MB limit for one article; skipped "
        "(split it into articles, or raise RAG_MAX_DOCUMENT_MB)"
    )


def _file_doc_id(path: Path, base: Path) -> str:
    """The path below the ingested folder, without extension: stable across runs and machines."""
    try:
        relative = path.resolve().relative_to(base.resolve())
    except ValueError:
        relative = Path(path.name)
    stem = relative.as_posix()
    for suffix in SUFFIXES:
        if stem.lower().endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > len(sample) * 0.05


def _decode(data: bytes) -> tuple[str, str]:
    """Text and, when it was not UTF-8, a note saying how it was read."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
    # Old news archives are mostly Windows-1252; cp1252 keeps its curly quotes where latin-1 would not.
    try:
        return data.decode("cp1252"), f"not UTF-8 (first bad {where}); read as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"not UTF-8 (first bad {where}); read as Latin-1"


def _load_jsonl(path: Path, max_bytes: int) -> Iterator[Document | Notice]:
    """One article per line: doc_id, title, date, source, url, text (only text is required)."""
    try:
        with open_jsonl(path, "rt", encoding="utf-8", errors="strict") as lines:
            for number, line in enumerate(lines, start=1):
                if len(line) > max_bytes:  # characters: at least as many bytes
                    yield skip(path, _too_big(len(line.encode()), max_bytes), number)
                elif line.strip():
                    yield record_to_document(path, number, line)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        yield skip(path, f"stopped reading: {exc}; the file is damaged or not {suffix_of(path)}")


def record_to_document(path: Path, number: int, line: str) -> Document | Notice:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return skip(path, f"is not valid JSON ({exc.msg} at column {exc.colno})", number)
    if not isinstance(record, dict):
        return skip(path, f"is a JSON {type(record).__name__}, expected an object with a 'text' field", number)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return skip(path, "has no 'text' string; each line needs at least {\"text\": \"...\"}", number)
    fields = {}
    for key in ("doc_id", "title", "date", "source", "url"):
        value = record.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, (str, int)):
            return skip(path, f"field '{key}' is a {type(value).__name__}, expected a string", number)
        fields[key] = str(value).strip()
    if fields["date"] and not ISO_DATE.match(fields["date"]):
        return skip(path, f"field 'date' is {fields['date']!r}, expected YYYY-MM-DD", number)
    doc_id = fields["doc_id"] or _hash_id(fields["url"] or text)
    return Document(
        doc_id=doc_id,
        title=fields["title"] or fallback_title(text),
        date=fields["date"][:10],
        source=fields["source"],
        path=str(path.resolve()),
        url=fields["url"],
        text=text,
    )


def _hash_id(value: str) -> str:
    return "doc-" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]
