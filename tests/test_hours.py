"""Opening hours: spans across midnight, weekends, UK bank holidays, BOT_NOW."""
from __future__ import annotations

import datetime as dt

from bot import hours
from bot.schema import Hours

NIGHTS = Hours(weekly={d: ["20:00-08:00"] for d in hours.DAYS})
OFFICE = Hours(weekly={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}, bank_holidays="closed")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=hours.LONDON)


def test_span_across_midnight():
    assert hours.openness(NIGHTS, at("2026-11-21T23:30")).open is True
    assert hours.openness(NIGHTS, at("2026-11-22T07:59")).open is True
    assert hours.openness(NIGHTS, at("2026-11-22T08:00")).open is False
    assert hours.openness(NIGHTS, at("2026-11-22T19:59")).open is False


def test_office_hours_weekend_and_bank_holiday():
    assert hours.openness(OFFICE, at("2026-11-23T10:00")).open is True  # Monday
    assert hours.openness(OFFICE, at("2026-11-21T10:00")).open is False  # Saturday
    assert hours.openness(OFFICE, at("2026-12-28T10:00")).open is False  # Boxing Day (observed)


def test_unknown_bank_holiday_hours_are_not_claimed():
    christmas = hours.openness(NIGHTS, at("2026-12-25T23:30"))
    assert christmas.open is None and christmas.holiday_unsure
    normal = Hours(weekly=NIGHTS.weekly, bank_holidays="normal")
    assert hours.openness(normal, at("2026-12-25T23:30")).open is True


def test_always_and_unknown():
    assert hours.openness(Hours(always=True), at("2026-12-25T03:00")).always
    assert hours.openness(Hours(text="working hours"), at("2026-11-23T10:00")).open is None
    assert hours.openness(None, at("2026-11-23T10:00")).open is None


def test_bank_holidays_are_english():
    assert hours.is_bank_holiday(dt.date(2026, 12, 25))
    assert hours.is_bank_holiday(dt.date(2026, 8, 31))  # late summer, England
    assert not hours.is_bank_holiday(dt.date(2026, 8, 3))  # Scotland's summer holiday only


def test_bot_now_fixes_the_clock(monkeypatch):
    monkeypatch.setenv("BOT_NOW", "2026-12-25T23:30")
    assert hours.now() == at("2026-12-25T23:30")
    assert hours.out_of_hours(hours.now())
    monkeypatch.setenv("BOT_NOW", "2026-11-24T11:00")
    assert not hours.out_of_hours(hours.now())


def test_british_summer_time():
    utc = dt.datetime(2026, 7, 1, 19, 30, tzinfo=dt.timezone.utc)  # 20:30 in London
    assert hours.openness(NIGHTS, utc).open is True
