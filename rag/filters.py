"""Filters: which articles a search may return. One value, built and checked once at the edge (API, CLI, page),
carried to the retriever; what it admits is written once (`Filters.terms`) and read three ways: as Chroma's
`where`, for one passage, and for the BM25 index's arrays."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from typing import Any, Iterable

from rag.errors import ConfigError

NAMES = ("since", "until", "sources", "as_of")
# The comparisons a term may make, as Chroma names them; each reads a number, a name or numpy arrays alike.
_OPERATORS = {"$gte": operator.ge, "$lte": operator.le, "$gt": operator.gt}


def day_number(date: str) -> int:
    """2022-02-25 -> 20220225, the form Chroma can compare; 0 for an unknown date."""
    digits = date.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return: published within [since, until] (ISO dates, inclusive; an article
    with no date is left out once either is set), and from one of `sources` (exact names) when any are given.
    `as_of` is the day the question is asked: later articles are left out, and those close to it preferred."""

    since: str = ""
    until: str = ""
    sources: tuple[str, ...] = ()
    as_of: str = ""

    @classmethod
    def of(cls, filters: "Filters | None" = None, **limits: Any) -> "Filters":
        """Filters from user input, checked: dates as YYYY-MM-DD (or date objects), since not after until,
        sources as names. `limits` (since, until, sources, as_of) change those of `filters`."""
        unknown = sorted(set(limits) - set(NAMES))
        if unknown:
            raise ConfigError(f"unknown filter {', '.join(unknown)}; the filters are since, until, sources, as_of")
        base = cls() if filters is None else filters
        if not isinstance(base, Filters):
            raise ConfigError(f"filters must be a rag.Filters, e.g. Filters.of(since='2022-03-01'); got {base!r:.60}")
        given = {name: getattr(base, name) for name in NAMES} | {k: v for k, v in limits.items() if v is not None}
        since, until, as_of = (_iso(given[name], name) for name in ("since", "until", "as_of"))
        if since and until and since > until:
            raise ConfigError(f"since {since} is after until {until}; swap them or drop one")
        sources = given["sources"]
        sources = [sources] if isinstance(sources, str) else list(sources or ())
        if not all(isinstance(name, str) for name in sources):
            raise ConfigError(f"sources must be names (text), e.g. sources=['Reuters']; got {sources!r:.80}")
        return cls(since, until, tuple(dict.fromkeys(name.strip() for name in sources if name.strip())), as_of)

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.as_of)

    def terms(self) -> list[tuple[str, str, Any]]:
        """What the filters admit, as (field, comparison, bound) terms that must all hold; `day` is an article's
        day_number (0 when undated), `source` its publisher."""
        terms: list[tuple[str, str, Any]] = []
        if self.since:
            terms.append(("day", "$gte", day_number(self.since)))
        if self.until:
            terms.append(("day", "$lte", day_number(self.until)))
            if not self.since:
                terms.append(("day", "$gt", 0))  # an undated article (day 0) is not known to be before `until`
        if self.sources:
            terms.append(("source", "$in", list(self.sources)))
        if self.as_of:
            terms.append(("day", "$lte", day_number(self.as_of)))  # undated articles (day 0) stay
        return terms

    def where(self) -> dict | None:
        """The Chroma `where` filter, or None when the filters let everything through."""
        clauses = [{field: {op: bound}} for field, op, bound in self.terms()]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, passage) -> bool:
        """Whether a passage (anything with `date` and `source`) is let through."""
        return self.admits_values(day_number(passage.date), passage.source)

    def admits_values(self, day, source):
        """The terms applied to a day and a source: plain values give a bool, numpy arrays an array of bools."""
        kept = True
        for field, op, bound in self.terms():
            value = day if field == "day" else source
            if op == "$in":
                held = _is_in(value, bound)
            else:
                held = _OPERATORS[op](value, bound)
            kept = kept & held
        return kept

    def describe(self) -> str:
        """The filters in words, for messages: "dates 2022-02-01 to 2022-03-01, sources Reuters or AP"."""
        parts = []
        if self.since or self.until:
            parts.append(f"dates {self.since or 'any'} to {self.until or 'any'}")
        if self.sources:
            parts.append("sources " + " or ".join(self.sources))
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        return ", ".join(parts) or "no filters"


def _is_in(value, names: Iterable[str]):
    if isinstance(value, str):
        return value in names
    import numpy as np

    return np.isin(value, list(names))


def _iso(value: str | dt.date | None, name: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date; write it as YYYY-MM-DD, e.g. 2022-02-24") from None
