"""An Answer as HTML for the chat page: escaped text, `[n]` as links to their sources, quotes highlighted.

Everything from an article or a model is escaped here, once, before any markup is added around it, so a
document holding `<script>` or `<img onerror=…>` shows those characters and runs nothing. The page's only
markup is what these functions write.
"""

from __future__ import annotations

import html
from typing import Sequence

from rag.cite import CITATION_MARK
from rag.retrieve import collapse_to_documents
from rag.types import Answer, Citation, Passage, Sources

# Every character HTML or the chat's Markdown renderer would read as markup, as a numeric entity, in one pass:
# "<script>" shows as written, "*Update*" stays starred, "1." starts no list, "$5bn … $3bn" is no formula.
_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~$"})
# The chat cursor while the model writes.
CURSOR = " ▌"


def escape(text: str) -> str:
    """Text safe to put into the chat: HTML-escaped and with Markdown's formatting characters neutralised."""
    return text.translate(_ENTITIES)


def source_id(turn: int, n: int) -> str:
    """The id of passage n's card in the sources panel for the `turn`-th answer of a conversation."""
    return f"rag-src-{turn}-{n}"


def draft_html(draft: str) -> str:
    """The model's text as it streams in, before its citations are checked."""
    return f'<span class="rag-draft">{escape(draft)}</span>{CURSOR}'


def answer_html(answer: Answer, turn: int) -> str:
    """The checked answer for the chat: `[n]` links to its source card; a refusal looks like one."""
    if answer.refused:
        searched = f'<div class="rag-searched">Searched for: “{escape(answer.query or answer.question)}”{_limits(answer)}</div>'
        body = f'<div class="rag-refusal">{escape(answer.text)}</div>{searched}'
    else:
        kind = "rag-answer rag-timeline" if answer.timeline else "rag-answer"
        body = f'<div class="{kind}">{_linked(answer, turn)}</div>'
    warnings = "".join(f'<div class="rag-warning">⚠ {escape(w)}</div>' for w in answer.warnings)
    return body + _differing(answer, turn) + _removed(answer) + warnings + _about(answer)


def _differing(answer: Answer, turn: int) -> str:
    """The sides of a disagreement between articles, marked so it is not read past: each value, who gave it
    and when, linked to its source card."""
    if not answer.disagreement:
        return ""
    sides = "".join(
        f'<li><b>{escape(side.value)}</b> — {_byline(side.citation.title, side.citation.date, side.citation.source)} '
        f'<a class="rag-cite" href="#{source_id(turn, side.citation.n)}">&#91;{side.citation.n}&#93;</a></li>'
        for side in answer.disagreement)
    about = ("different days for it (oldest first)" if answer.disagreement[0].kind == "day"
             else "different figures (oldest first; a toll may have risen since)")
    return f'<div class="rag-disagree">⚖ The articles give {about}:<ul>{sides}</ul></div>'


def _about(answer: Answer) -> str:
    """How the answer was found and how fresh its evidence is, in small print."""
    lines = [f"Newest evidence: {escape(answer.evidence_date)}"] if answer.evidence_date else []
    lines += [escape(note[:1].upper() + note[1:]) for note in answer.notes]
    return "".join(f'<div class="rag-searched">{line}</div>' for line in lines)


def _removed(answer: Answer) -> str:
    """The model's sentences that the citation check took out: shown struck through, so nothing is dropped
    silently and nothing unsupported reads as part of the answer."""
    if not answer.removed:
        return ""
    lines = "".join(f"<li><s>{escape(r)}</s></li>" for r in answer.removed)
    return (f'<div class="rag-unsupported">Removed from the answer: no article supports '
            f'{"it" if len(answer.removed) == 1 else "them"}.<ul>{lines}</ul></div>')


def _limits(answer: Answer) -> str:
    return f" (limited to {escape(answer.filters.describe())})" if answer.filters else ""


def _linked(answer: Answer, turn: int) -> str:
    quotes = dict(_by_passage(answer.citations))
    pieces, at = [], 0
    for match in CITATION_MARK.finditer(answer.text):
        pieces.append(escape(answer.text[at : match.start()]))
        n = int(match.group(1))
        cited = quotes.get(n)
        if cited:
            tip = f"{cited[0].title}: “{cited[0].quote}”"
            pieces.append(
                f'<a class="rag-cite" href="#{source_id(turn, n)}" title="{html.escape(tip, quote=True)}">&#91;{n}&#93;</a>'
            )
        else:
            pieces.append(escape(match.group(0)))
        at = match.end()
    pieces.append(escape(answer.text[at:]))
    return "".join(pieces).replace("\n", "<br>")


def sources_html(answers: Sequence[Answer], found: Sources | None = None) -> str:
    """The sources panel: one section per answer of the conversation, newest first and open; with `found`, the
    sources of the question being answered now, on top, before its answer is written."""
    if not answers and found is None:
        return ('<div class="rag-sources-empty">Sources appear here: every [n] of an answer, with the sentence it '
                'quotes highlighted in its passage.</div>')
    sections = [_section(answer, turn, turn == len(answers) - 1 and found is None)
                for turn, answer in enumerate(answers)]
    if found is not None:
        sections.append(_found_section(found, len(answers)))
    return "".join(reversed(sections))


def _found_section(found: Sources, turn: int) -> str:
    """The passages found for the question being answered, the best sentence marked, while the answer is written."""
    head = f'<summary>{escape(found.question)}</summary>'
    if not found.passages:
        body = '<p class="rag-refusal">No passage found.</p>'
    else:
        note = "the best sentence is marked" if found.best else "no sentence answers it well enough"
        body = f'<p class="rag-searched">Found {len(found.passages)} passages ({note}); the answer follows.</p>'
        body += "".join(_card(p, turn, n, [found.best] if found.best and found.best.n == n else [])
                        for n, p in enumerate(found.passages, start=1))
    return f'<details class="rag-turn rag-found" id="rag-turn-{turn}" open>{head}{body}</details>'


def _section(answer: Answer, turn: int, newest: bool) -> str:
    head = f'<summary>{escape(answer.question)}</summary>'
    if answer.refused:
        closest = "".join(f"<li>{_byline(p.title, p.date, p.source)}</li>" for p in collapse_to_documents(list(answer.passages), len(answer.passages)))
        body = (
            f'<p class="rag-refusal">Not answered: no passage holds the answer.</p>'
            f'<p>Searched for: “{escape(answer.query or answer.question)}”{_limits(answer)}</p>'
            + (f'<p>Closest articles:</p><ul class="rag-closest">{closest}</ul>' if closest else "")
        )
    else:
        body = "".join(_card(answer.passages[n - 1], turn, n, cs) for n, cs in _by_passage(answer.citations))
    if answer.repairs:
        lines = "".join(f"<li>{escape(r)}</li>" for r in answer.repairs)
        body += f'<details class="rag-repairs"><summary>Citation check: {len(answer.repairs)} repair(s)</summary><ul>{lines}</ul></details>'
    return f'<details class="rag-turn" id="rag-turn-{turn}"{" open" if newest else ""}>{head}{body}</details>'


def _by_passage(citations: Sequence[Citation]) -> list[tuple[int, list[Citation]]]:
    grouped: dict[int, list[Citation]] = {}
    for c in citations:
        grouped.setdefault(c.n, []).append(c)
    return sorted(grouped.items())


def _card(passage: Passage, turn: int, n: int, citations: Sequence[Citation]) -> str:
    return (
        f'<div class="rag-source" id="{source_id(turn, n)}">'
        f'<div class="rag-source-head"><span class="rag-n">[{n}]</span> {_byline(passage.title, passage.date, passage.source)}</div>'
        f'<blockquote class="rag-passage">{highlighted(passage, citations)}</blockquote></div>'
    )


def _byline(title: str, date: str, source: str) -> str:
    where = " · ".join(escape(part) for part in (date, source) if part)
    return f'<b class="rag-title">{escape(title)}</b>' + (f' <span class="rag-where">{where}</span>' if where else "")


def highlighted(passage: Passage, citations: Sequence[Citation]) -> str:
    """The passage's text with each quoted span in <mark>; a quote outside the passage is shown after it."""
    spans = sorted(
        (c.start - passage.start, c.end - passage.start)
        for c in citations
        if c.doc_id == passage.doc_id and passage.start <= c.start < c.end <= passage.end
    )
    out, at = [], 0
    for start, end in spans:
        start = max(start, at)
        if start >= end:
            continue
        out.append(escape(passage.text[at:start]) + f"<mark>{escape(passage.text[start:end])}</mark>")
        at = end
    out.append(escape(passage.text[at:]))
    outside = [c for c in citations if (c.start - passage.start, c.end - passage.start) not in spans]
    out.extend(f" … <mark>{escape(c.quote)}</mark>" for c in outside)
    return "".join(out)


# Styles and the one script of the page: a click on [n] opens its answer's section, scrolls its card into view
# and flashes it; hovering shows the quote (the link's title).
CSS = """
.rag-cite { text-decoration: none; font-weight: 600; cursor: pointer; }
.rag-refusal { font-style: italic; border-left: 3px solid #d97706; padding-left: .5em; }
.rag-searched, .rag-where { color: #6b7280; font-size: .9em; }
.rag-warning { color: #b45309; margin-top: .4em; }
.rag-disagree { margin-top: .4em; border-left: 3px solid #7c3aed; padding-left: .5em; }
.rag-disagree ul { margin: .2em 0; }
.rag-unsupported { color: #6b7280; font-size: .9em; margin-top: .4em; border-left: 3px solid #dc2626; padding-left: .5em; }
.rag-source { margin: .5em 0; padding: .4em .6em; border: 1px solid #e5e7eb; border-radius: 6px; }
.rag-passage { white-space: pre-line; margin: .3em 0 0 0; font-size: .92em; line-height: 1.45; }
.rag-passage mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.rag-flash { outline: 3px solid #2563eb; transition: outline .2s; }
.rag-turn > summary { font-weight: 600; cursor: pointer; margin-top: .4em; }
"""

SCRIPT = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.rag-cite");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!card) return;
  const section = card.closest("details");
  if (section) section.open = true;
  card.scrollIntoView({behavior: "smooth", block: "center"});
  card.classList.add("rag-flash");
  setTimeout(() => card.classList.remove("rag-flash"), 1600);
}, true);
</script>
"""
