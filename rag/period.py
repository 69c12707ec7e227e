"""Time in news answers: the period a question names ("What changed since 1 March 2022 …?") and how fresh the
evidence of an answer is next to the day the question is asked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rag.filters import Filters
from rag.text import MONTHS, STOPWORDS, words
from rag.types import Answer

_MONTH_NAME = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMBERS = {short: n for n, short in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _named(name: str, pattern: str) -> str:
    return f"(?P<{name}>{pattern})"


# A day the question names: 2022-03-01, "March 2022", "March 1, 2022", "1 March 2022", "March 1st", "2021".
_DAY = "(?:" + "|".join((
    _named("iso", r"\d{4}-\d\d-\d\d"),
    _named("ym", _MONTH_NAME) + r"\.?\s+" + _named("yy", r"\d{4}"),
    _named("mm", _MONTH_NAME) + r"\.?\s+" + _named("md", r"\d{1,2}") + r"(?:st|nd|rd|th)?(?:,?\s+"
    + _named("my", r"\d{4}") + ")?",
    _named("dd", r"\d{1,2}") + r"(?:st|nd|rd|th)?\s+" + _named("dm", _MONTH_NAME) + r"\.?(?:,?\s+"
    + _named("dy", r"\d{4}") + ")?",
    _named("year", r"\d{4}"),
)) + ")"
# "since" or "after" a day: what happened then is reported then, so the articles that may answer were published
# from that day on. Not "before": "What was Crimea's status before 2014?" is answered by articles written later.
# Not "from": "from March to May", "from 2014" read too many ways.
_BOUND = re.compile(r"\b(?P<word>since|after)\s+(?:the\s+)?" + _DAY + r"\b", re.IGNORECASE)
# A period named from the day asked: "this week" and "the past week" are the seven days up to it, "last week"
# the fourteen (the week before this one, and its reports since), "this month" and "this year" run from their
# first day, "last month" and "last year" from the first day of the one before, "the past month" and "the past
# year" 31 and 366 days back. Read only when the question has an as-of day: asked of the real today, "this week"
# over an archive would leave nothing to search (the search prefers its newest articles instead,
# rag.retrieve.recent_anchor).
RELATIVE_PERIOD = re.compile(r"\b(?P<which>this|last|past|previous)\s+(?P<unit>week|month|year)\b", re.IGNORECASE)
# "Recently", "recent", "lately": within the days after which the evidence of an answer counts as old (the
# freshness warning's RAG_STALE_DAYS). Not "the most recent census" (the latest there is, however old) nor "in
# recent months" or "years".
_RECENT = re.compile(r"(?<!\bmost )\b(?:recently|lately|recent(?!\s+(?:months|years|decades|history|times)\b))\b",
                     re.IGNORECASE)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A day a sentence tells of: a weekday, or a day as the question may name one.
_TOLD = re.compile(r"\b(?:" + _named("weekday", "|".join(_WEEKDAYS)) + "|" + _DAY + r")\b", re.IGNORECASE)
# A day a statement was made on, not the day of what it tells: "officials said Tuesday", "Tuesday said".
_SAID_BEFORE = re.compile(r"\b(?:said|says|told|announced|reported|confirmed|tweeted|added|wrote)\s+(?:on\s+)?$",
                          re.IGNORECASE)
_SAID_AFTER = re.compile(r"^\s+(?:said|says|announced|told|confirmed)\b", re.IGNORECASE)
# A day named without its year in an article may be this far after the article's day (a date set ahead).
_AHEAD = dt.timedelta(days=60)


@dataclass(frozen=True)
class Period:
    """The first publication day (ISO) a question's answer may come from ("" for any) and the words that said so."""

    since: str = ""
    words: str = ""

    def __bool__(self) -> bool:
        return bool(self.since)

    def within(self, filters: Filters) -> Filters | None:
        """`filters` narrowed to this period, or None when they leave no day in it (their `until` or as-of day is
        before it)."""
        since = max(self.since, filters.since)
        if any(day and day < since for day in (filters.until, filters.as_of)):
            return None
        return Filters(since, filters.until, filters.sources, filters.as_of)

    def describe(self) -> str:
        return f"published since {spoken_day(self.since)}"


def question_period(question: str, today: dt.date, recent_days: int = 0) -> Period:
    """The first publication day a question asks about, read from "since" or "after" a named day: "What
    changed since 2022-03-01 about X?" wants articles from 1 March 2022 on. A day named without its year is the
    last such day up to `today` (the as-of day, or the real one). With `recent_days`, a period named from
    `today` counts too: "What did X announce this week?" wants articles from the seven days up to it, "Who
    recently …?" from the `recent_days` up to it."""
    found = []  # (where in the question, first day, the words)
    for match in RELATIVE_PERIOD.finditer(question) if recent_days else ():
        found.append((match.start(), _relative_start(match, today), match.group(0)))
    for match in _RECENT.finditer(question) if recent_days else ():
        found.append((match.start(), today - dt.timedelta(days=recent_days), match.group(0)))
    for match in _BOUND.finditer(question):
        first, last = _span(match, today)
        following = words(question[match.end():])[:1]
        if first is None or (match.group("year") and following and following[0].lower() not in STOPWORDS):
            continue  # a year naming an event: "after the 2022 midterm elections", "after 2000 people fled"
        if match.group("word").lower() == "since":
            found.append((match.start(), first, match.group(0)))
        else:  # after a day: from that day (its reports); after a month or a year: from the next
            found.append((match.start(), first if first == last else last + dt.timedelta(days=1), match.group(0)))
    found.sort()
    return Period(max((day.isoformat() for _, day, _ in found), default=""), "; ".join(w for _, _, w in found))


def _relative_start(match: re.Match, today: dt.date) -> dt.date:
    """The first day of "this week", "last month", "past year" … counted back from `today`."""
    which, unit = match.group("which").lower(), match.group("unit").lower()
    if which == "past":  # the past week, month, year: that span back from today
        return today - dt.timedelta(days={"week": 7, "month": 31, "year": 366}[unit])
    back = which in ("last", "previous")
    if unit == "week":
        return today - dt.timedelta(days=14 if back else 7)
    if unit == "month":
        first = today.replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=1) if back else first
    return today.replace(year=today.year - 1, month=1, day=1) if back else today.replace(month=1, day=1)


def days_told(text: str, published: dt.date) -> list[tuple[dt.date, int]]:
    """The days a sentence of an article published on `published` tells of, each with where it stands in the
    text. A weekday is the last such day up to publication ("Thursday" in an article of Saturday 26 November 2022
    is 24 November); a day without its year is in the article's year unless that is over _AHEAD after it. A
    bare year or month is no day, nor the day a statement was made ("officials said Tuesday")."""
    found = []
    for match in _TOLD.finditer(text):
        if _SAID_BEFORE.search(text[:match.start()]) or _SAID_AFTER.match(text[match.end():]):
            continue
        if match.group("weekday"):
            back = (published.weekday() - _WEEKDAYS.index(match.group("weekday").lower())) % 7
            found.append((published - dt.timedelta(days=back), match.start()))
        elif not (match.group("year") or match.group("yy")):
            first, _ = _span(match, published + _AHEAD)
            if first is not None:
                found.append((first, match.start()))
    return found


def _span(match: re.Match, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of what `_DAY` matched: a day, a month or a year."""
    g = match.groupdict()
    try:
        if g["iso"]:
            day = dt.date.fromisoformat(g["iso"])
            return day, day
        if g["year"]:
            year = int(g["year"])
            return (dt.date(year, 1, 1), dt.date(year, 12, 31)) if 1900 <= year <= 2100 else (None, None)
        if g["yy"]:
            first = dt.date(int(g["yy"]), _month(g["ym"]), 1)
            return first, _month_end(first)
        month, day = (g["mm"], g["md"]) if g["mm"] else (g["dm"], g["dd"])
        year = g["my"] or g["dy"]
        if year:
            value = dt.date(int(year), _month(month), int(day))
        else:
            value = dt.date(today.year, _month(month), int(day))
            if value > today:
                value = value.replace(year=today.year - 1)
        return value, value
    except ValueError:  # "February 30"
        return None, None


def _month(name: str) -> int:
    return _NUMBERS[MONTHS[name.lower().rstrip(".")]]


def _month_end(first: dt.date) -> dt.date:
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return following - dt.timedelta(days=1)


def spoken_day(iso: str) -> str:
    """2022-03-01 -> "1 March 2022"."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def now_of(filters: Filters, today: dt.date | None = None) -> dt.date:
    """The day a question is asked: its as-of day, else today."""
    return dt.date.fromisoformat(filters.as_of) if filters.as_of else (today or dt.date.today())


def newest_evidence(answer: Answer) -> str:
    """The publication day of the newest article an answer cites ("" when it cites none with a date)."""
    return max((c.date for c in answer.citations if c.date), default="")


def freshness_warning(newest: str, now: dt.date, stale_days: int, as_of: bool) -> str:
    """A warning when the newest evidence is more than `stale_days` older than the day asked ("" when not)."""
    if not newest or stale_days <= 0:
        return ""
    age = (now - dt.date.fromisoformat(newest)).days
    if age <= stale_days:
        return ""
    asked = f"the question's as-of day, {spoken_day(now.isoformat())}" if as_of else "today"
    return (f"The newest article on this is from {spoken_day(newest)}, {_length(age)} before {asked}; "
            "later developments may be missing.")


def _length(days: int) -> str:
    """A span in the unit a reader thinks in: "45 days", "5 months", "4 years"."""
    if days < 60:
        return f"{days} days"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{round(days / 365.25)} years"
