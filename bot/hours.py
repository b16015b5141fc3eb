"""Is a service open now? UK (England) local time and bank holidays, all offline.

`BOT_NOW` (for tests and demos, e.g. "2026-12-25T23:30") fixes the clock; a
time without a zone is read as UK local time.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.schema import Hours

LONDON = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def now() -> dt.datetime:
    fixed = os.environ.get("BOT_NOW")
    if fixed:
        when = dt.datetime.fromisoformat(fixed)
        return when.replace(tzinfo=LONDON) if when.tzinfo is None else when.astimezone(LONDON)
    return dt.datetime.now(LONDON)


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _spans(hours: Hours, day: dt.date) -> list[tuple[int, int]]:
    """Opening spans in minutes from midnight of `day`, as written (may end past 24:00)."""
    if is_bank_holiday(day) and hours.bank_holidays != "normal":
        return []
    found = []
    for span in hours.weekly.get(DAYS[day.weekday()], ()):
        start, end = (_minutes(p) for p in span.split("-"))
        found.append((start, end if end > start else end + 24 * 60))
    return found


@dataclass(frozen=True)
class Openness:
    open: bool | None  # None: the knowledge base does not say
    always: bool = False
    holiday_unsure: bool = False  # would be open on an ordinary day; bank-holiday hours unknown


def openness(hours: Hours | None, when: dt.datetime) -> Openness:
    if hours is None:
        return Openness(None)
    if hours.always:
        return Openness(True, always=True)
    if not hours.weekly:
        return Openness(None)
    local = when.astimezone(LONDON)
    minute = local.hour * 60 + local.minute
    today, yesterday = local.date(), local.date() - dt.timedelta(days=1)
    if _open_at(hours, today, yesterday, minute):
        return Openness(True)
    unsure = hours.bank_holidays == "unknown" and (is_bank_holiday(today) or is_bank_holiday(yesterday))
    if unsure and _open_at(hours.model_copy(update={"bank_holidays": "normal"}), today, yesterday, minute):
        return Openness(None, holiday_unsure=True)
    return Openness(False)


def _open_at(hours: Hours, today: dt.date, yesterday: dt.date, minute: int) -> bool:
    if any(start <= minute < end for start, end in _spans(hours, today)):
        return True
    # A span that started yesterday evening may still be running this morning.
    return any(start <= minute + 24 * 60 < end for start, end in _spans(hours, yesterday))


def out_of_hours(when: dt.datetime) -> bool:
    """Evenings, nights, weekends and bank holidays: when office-hours services are shut."""
    local = when.astimezone(LONDON)
    return local.weekday() >= 5 or is_bank_holiday(local.date()) or not (9 <= local.hour < 17)
