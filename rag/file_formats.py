"""The article formats read, and one file's text of each as a Document: txt/md (front matter, a leading date,
a headline first line), html (trafilatura), pdf (pypdf); or the `Notice` a file that cannot be read becomes.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rag.clean import valid_unicode
from rag.text import ENDS_SENTENCE
from rag.types import Document

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + (".pdf",) + JSONL_SUFFIXES

# A leading "date 2022-02-25" (as scraped articles often carry) is metadata, not article text.
_LEADING_DATE = re.compile(r"\A\s*date[:\s]+(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_TITLE_MAX_WORDS = 20
# What each loader imports beyond the standard library, as (module, pip package), checked in this order so the
# first missing one is named. HTML goes through trafilatura, whose boilerplate step (justext) imports
# lxml.html.clean; since lxml 5.2 that module is the separate lxml_html_clean package.
LOADER_DEPENDENCIES: dict[str, tuple[tuple[str, str], ...]] = {
    "html": (("lxml_html_clean", "lxml_html_clean"), ("justext", "justext"), ("trafilatura", "trafilatura")),
    "pdf": (("pypdf", "pypdf"),),
}


@dataclass(frozen=True)
class Notice:
    """One line for the user about a file or record: why it was skipped, or how it was read."""

    where: str
    reason: str
    # The file (resolved path) some of whose articles were not read because of this notice, or "" for a notice
    # that only says how a file was read: ingest never prunes a stored article of a file it could not read.
    skipped: str = ""

    def __str__(self) -> str:
        return valid_unicode(f"{self.where}: {self.reason}")


def skip(path: Path, reason: str, line: int = 0) -> Notice:
    """A notice that `path` (or its JSONL line `line`) was skipped: its article is not in this read."""
    return Notice(f"{path} line {line}" if line else str(path), reason, skipped=valid_unicode(str(path.resolve())))


def dependency_status(kind: str) -> list[tuple[str, str]]:
    """(package, "" or why it cannot be imported) for each dependency of the `kind` loader, imported now."""
    status = []
    for module, package in LOADER_DEPENDENCIES[kind]:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            status.append((package, str(exc).splitlines()[0]))
        else:
            status.append((package, ""))
    return status


@cache
def missing_dependency(kind: str) -> tuple[str, str] | None:
    """(package, why) for the first dependency of the `kind` loader that cannot be imported, else None."""
    return next(((package, why) for package, why in dependency_status(kind) if why), None)


def _split_header(text: str) -> tuple[dict[str, str], str]:
    """({title, date, source, url} found, body) of a plain-text article: front matter, a leading
    `date YYYY-MM-DD`, and a first line that is a headline."""
    fields, text = _front_matter(text)
    match = _LEADING_DATE.match(text)
    if match:
        fields.setdefault("date", match.group(1))
        text = text[match.end() :]
    text = text.lstrip()
    first, _, rest = text.partition("\n")
    first = first.strip()
    if rest.strip() and first and len(first.split()) <= _TITLE_MAX_WORDS and not ENDS_SENTENCE.search(first):
        fields.setdefault("title", first.lstrip("# ").strip())
        text = rest
    if fields.get("date") and not ISO_DATE.match(fields["date"]):
        fields["date"] = ""
    return fields, text


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """`key: value` lines between two `---` lines at the top (the Markdown convention), and the rest."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("title", "date", "source", "url"):
            fields[key.strip().lower()] = value.strip().strip("'\"")
    return fields, text[match.end() :]


def fallback_title(body: str) -> str:
    """A title for an article that has none: its opening words."""
    words = body.split()
    title = " ".join(words[:12])
    return title + ("…" if len(words) > 12 else "")


def text_document(path: Path, text: str, doc_id: str) -> Document:
    fields, body = _split_header(text)
    return Document(
        doc_id=doc_id,
        title=fields.get("title") or fallback_title(body),
        date=fields.get("date", "")[:10],
        source=fields.get("source", ""),
        path=str(path.resolve()),
        url=fields.get("url", ""),
        text=body,
    )


def html_document(path: Path, html: str, doc_id: str) -> Document | Notice:
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    body = (extracted.text if extracted else "") or ""
    if not body.strip():
        return skip(path, "has no article text that could be extracted from its HTML")
    date = (extracted.date or "")[:10] if extracted else ""
    return Document(
        doc_id=doc_id,
        title=(extracted.title or "") or fallback_title(body),
        date=date if ISO_DATE.match(date) else "",
        source=extracted.sitename or "",
        path=str(path.resolve()),
        url=extracted.url or "",
        text=body,
    )


def pdf_document(path: Path, data: bytes, doc_id: str) -> Document | Notice:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return skip(path, "is an encrypted PDF; decrypt it (e.g. qpdf --decrypt) and ingest the copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        return skip(path, f"is not a readable PDF ({type(exc).__name__}: {exc})")
    body = "\n\n".join(p.strip() for p in pages if p.strip())
    if not body:
        return skip(path, "is a PDF with no extractable text (a scan?); OCR it first")
    title = str(meta.title).strip() if meta and meta.title else ""
    return Document(
        doc_id=doc_id,
        title=title or fallback_title(body),
        date="",
        source="",
        path=str(path.resolve()),
        url="",
        text=body,
    )
