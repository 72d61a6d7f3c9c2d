"""Deadlines said as a day rather than a duration, in the five languages, as hours from when the message is read.

"by Monday morning", "bis Freitag", "d'ici la fin du mois", "antes de Navidad", "até sexta-feira", "over the
weekend", "overnight", "before 2027-01-15", "by 15 March": the hours from `now` to that moment (a weekday or a
date ends at 18:00 UTC, a morning is 09:00, the end of a month is its last day at 23:59, a weekend ends on Sunday
at 23:59, the holidays start on 24 December, a night is 12 hours). Words are data (`languages/calendar.yaml`)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

TABLE = Path(__file__).with_name("languages") / "calendar.yaml"
END_OF_DAY_HOUR = 18
MORNING_HOUR = 9
OVERNIGHT_HOURS = 12.0


@dataclass(frozen=True)
class _Words:
    lead: str
    weekdays: dict[str, int]
    months: dict[str, int]
    morning: str
    weekend: re.Pattern[str]
    month_end: re.Pattern[str]
    holidays: re.Pattern[str]
    overnight: re.Pattern[str]


def _alt(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


@cache
def words() -> _Words:
    t = yaml.safe_load(TABLE.read_text())
    return _Words(
        lead=_alt(t["lead"]),
        weekdays={w: i for i, ws in enumerate(t["weekdays"]) for w in ws},
        months={w: i + 1 for i, ws in enumerate(t["months"]) for w in ws},
        morning=_alt(t["morning"]),
        weekend=re.compile(rf"(?<![a-z])(?:{_alt(t['weekend'])})(?![a-z])"),
        month_end=re.compile(rf"(?<![a-z])(?:{_alt(t['month_end'])})(?![a-z])"),
        holidays=re.compile(rf"(?<![a-z])(?:{_alt(t['holidays'])})(?![a-z])"),
        overnight=re.compile(rf"(?<![a-z])(?:{_alt(t['overnight'])})(?![a-z])"),
    )


def _hours(now: datetime, then: datetime) -> float | None:
    hours = (then - now).total_seconds() / 3600
    return round(hours, 1) if hours > 0 else None


def _on(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


_ISO = re.compile(r"(?<!\d)(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)")
_DOTTED = re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>20\d\d)(?!\d)")


def calendar_deadline(text: str, now: datetime) -> float | None:
    """Hours from `now` to the day the (accent-folded, lower-cased) text names as a deadline, or None."""
    w = words()
    if w.overnight.search(text):
        return OVERNIGHT_HOURS
    if w.month_end.search(text):
        last = calendar.monthrange(now.year, now.month)[1]
        return _hours(now, now.replace(day=last, hour=23, minute=59, second=0, microsecond=0))
    if w.holidays.search(text):
        eve = now.replace(month=12, day=24, hour=0, minute=0, second=0, microsecond=0)
        return _hours(now, eve if eve > now else eve.replace(year=now.year + 1))
    if w.weekend.search(text):
        sunday = now + timedelta(days=(6 - now.weekday()) % 7)
        return _hours(now, sunday.replace(hour=23, minute=59, second=0, microsecond=0))
    if found := (_ISO.search(text) or _DOTTED.search(text)):
        try:
            day = datetime(int(found.group("y")), int(found.group("m")), int(found.group("d")), tzinfo=UTC)
        except ValueError:
            return None
        return _hours(now, _on(day, END_OF_DAY_HOUR))
    months = _alt(list(w.months))
    named = re.search(
        rf"(?:{w.lead})\s(?:the\s|le\s|el\s|o\s|dem\s|den\s)?(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th|\.|er)?\s(?:of\s|de\s)?"
        rf"(?P<m1>{months})|(?P<m2>{months})\s(?P<d2>\d{{1,2}}))(?![a-z])",
        text,
    )
    if named:
        month = w.months[named.group("m1") or named.group("m2")]
        day_of = int(named.group("d1") or named.group("d2"))
        try:
            day = datetime(now.year, month, day_of, tzinfo=UTC)
        except ValueError:
            return None
        if _on(day, END_OF_DAY_HOUR) <= now:
            day = day.replace(year=now.year + 1)
        return _hours(now, _on(day, END_OF_DAY_HOUR))
    weekday = re.search(
        rf"(?:{w.lead})\s(?:next\s|this\s|the\s|le\s|el\s|o\s|a\s|kommenden\s|nachsten\s|prochain\s)?"
        rf"(?P<day>{_alt(list(w.weekdays))})(?P<morning>\s(?:{w.morning}))?(?![a-z])",
        text,
    )
    if weekday:
        ahead = (w.weekdays[weekday.group("day")] - now.weekday()) % 7 or 7
        day = now + timedelta(days=ahead)
        return _hours(now, _on(day, MORNING_HOUR if weekday.group("morning") else END_OF_DAY_HOUR))
    return None
