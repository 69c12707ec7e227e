"""Article text -> clean text: web boilerplate removed, Unicode and whitespace normalised.

HTML pages are already reduced to their article by trafilatura in loaders.py; this step catches what scraped
plain text still carries (consent notices, "DON'T MISS" link blocks, "Read Full Article" footers, teaser
captions) so that none of it reaches the index or a citation.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

from rag.text import ENDS_SENTENCE
from rag.types import Document

# A paragraph matching any of these is page furniture, never reporting.
BOILERPLATE_PARAGRAPH = re.compile(
    r"""
      \bwe\ use\ (your\ sign-?up|cookies)\b
    | \bunsubscribe\ at\ any\ time\b
    | \b(accept|manage|use\ of)\ (all\ )?cookies\b
    | \bby\ (clicking|signing\ up|subscribing|continuing)\b.{0,80}\b(agree|consent)
    | ^source:\ *read\ (the\ )?full\ article\b
    | ^(advertisement|advert|sponsored(\ content)?|share\ this\ article|skip\ to\ (main\ )?content)$
    | ^(click|tap)\ here\ to\b
    | ^(sign\ up|subscribe)\b.{0,80}\bnewsletter\b
    | ^follow\ us\ on\b
    | ^(image|photo|picture)\ (credit|source)?:
    | ^(just\ watched|must\ watch)\b.*\b\d{1,2}:\d\d$   # a video teaser: "MUST WATCH Winter storm bears down … 03:10"
    """,
    re.IGNORECASE | re.VERBOSE,
)

# The header of a block of related-article links ("DON'T MISS:", "READ MORE:"); the links follow it.
LINK_BLOCK_HEADER = re.compile(
    r"^(don['’]?t\ miss|read\ more|related(\ articles?)?|more\ on\ this(\ story)?|see\ also|also\ read"
    r"|watch|most\ read|latest|trending)\b\s*:?\s*$",
    re.IGNORECASE | re.VERBOSE,
)

# A link line of such a block: a headline with a section tag ("... takedown [INSIGHT]"); a sentence before the tag
# ("... told reporters. [AP]") is reporting with its agency's mark, and stays.
TAGGED_LINK = re.compile(r"^.*[^\s.!?…\"”’)\]]\s*\[[A-Z][A-Z ]{1,20}\]\s*$")

# Lines before the first paragraph that credit the story rather than tell it: a dateline ("London CNN —"), an
# e-mail address, "By …", a photo credit, an agency ("AP"), names alone ("Maria Puente and Jeff Stinson"), or a
# credit phrase ("From USA TODAY Network and wire reports"). Other short lines there ("June 23" over a list of
# that day's events, "Alabama" over the first state of a roundup, a highlight) are the article's and stay.
CREDIT_LINE = re.compile(
    r"""
      [—–-]$ | @ | ^by\ | \bgetty\b | /.*\bimages?\b | ^[A-Z0-9]{2,5}$
    | \b(wire|staff)\ reports?\b | \bspecial\ (to|for)\b | \bcontributors?\b | \bcolumnists?\b | \bcorrespondent\b
    | \bstaff$ | \busa\ ?today\b | ^24/7\ wall\ st
    | ^(the\ )?(associated\ press|editors|reviewed)$ | \b(staff|ap)\ writer\b | \.com$
    """,
    re.IGNORECASE | re.VERBOSE,
)
_NAME = r"[A-Z][\w'’.-]*(?:\ [A-Z][\w'’.-]*){1,3}"
# Two to four capitalised words, or several such names joined by commas and "and": a byline, an outlet (not a
# heading in capitals such as "TIME FOR A SALE": names hold no "a", "for", "to"…).
_NOT_IN_NAMES = r"(?!.*\b(?:A|FOR|For|TO|To|OF|Of|IN|In|ON|On|AT|At|IS|Is)\b(?!\.))"
NAMES_LINE = re.compile(rf"^{_NOT_IN_NAMES}{_NAME}(?:,?\ (?:and\ )?{_NAME})*,?$")

_TEASER_MAX_WORDS = 12
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")  # what valid_unicode writes for an undecodable byte


def clean_document(doc: Document) -> Document:
    return dataclasses.replace(
        doc,
        text=clean_text(doc.text),
        title=normalise_line(doc.title),
        **{key: valid_unicode(getattr(doc, key)) for key in ("doc_id", "path", "date", "source", "url")},
    )


def valid_unicode(text: str) -> str:
    """`text` with lone surrogates, which no UTF-8 store or terminal accepts, made printable: a file name's
    undecodable byte (Python's surrogate escape) becomes "\\xff", any other lone surrogate "\ufffd"."""
    return _SURROGATE.sub(
        lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}" if "\udc80" <= m.group() <= "\udcff" else "\ufffd", text
    )


def file_exists(shown: str) -> bool:
    """Whether the file a document's `path` names exists, also when valid_unicode had to escape bytes of its
    name that are not UTF-8 ("caf\\xe9.txt" names the file whose name holds the byte 0xe9)."""
    if Path(shown).exists():
        return True
    raw = _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), shown)
    return raw != shown and Path(raw).exists()


def normalise_line(text: str) -> str:
    text = unicodedata.normalize("NFC", valid_unicode(text)).translate(_INVISIBLE)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return _SPACES.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """Paragraphs separated by one blank line, boilerplate removed."""
    kept = _drop_boilerplate(_drop_leading_teasers(normalised_lines(text)))
    paragraphs: list[str] = []
    current: list[str] = []
    for line in kept + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return "\n\n".join(paragraphs)


def normalised_lines(text: str) -> list[str]:
    """The text's lines, each normalised (normalise_line), whatever its line ends."""
    return [normalise_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _is_headline(line: str) -> bool:
    return bool(line) and len(line.split()) <= _TEASER_MAX_WORDS and not ENDS_SENTENCE.search(line)


def _drop_leading_teasers(lines: list[str]) -> list[str]:
    """Of the short unpunctuated lines before the first paragraph, drop the credits (bylines, datelines) and,
    when page furniture follows them (a consent notice), the captions before it; keep the rest."""
    start = 0
    while start < len(lines) and (not lines[start] or (_is_headline(lines[start]) and not lines[start].startswith("#"))):
        start += 1
    if start == len(lines):
        return lines
    caption = BOILERPLATE_PARAGRAPH.search(lines[start]) is not None
    return [line for line in lines[:start] if line and not (caption or _is_credit(line))] + lines[start:]


def _is_credit(line: str) -> bool:
    return bool(CREDIT_LINE.search(line) or NAMES_LINE.match(line))


def _drop_boilerplate(lines: list[str]) -> list[str]:
    kept: list[str] = []
    in_link_block = False
    for line in lines:
        if in_link_block:
            if line and TAGGED_LINK.search(line):
                continue
            in_link_block = False  # an untagged line after the header ("Latest" over a short update) is text
        if LINK_BLOCK_HEADER.match(line):
            in_link_block = True
            continue
        if line and (BOILERPLATE_PARAGRAPH.search(line) or TAGGED_LINK.search(line)):
            continue
        kept.append(line)
    return kept
