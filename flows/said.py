"""Numbers, ages and spans of time as people type them: "fourteen", "year 10",
"3 weeks", "18 months", "2 yrs", "since reception", "7/10".

Pure functions of the text, with no knowledge base: the slots (flows/slots.py)
and the answers told in passing (flows/told_more.py) both read with them.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
import re

from bot.textmatch import normalise

_WORD_NUMBERS = {
    w: n for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
NUMBER_WORDS = frozenset(_WORD_NUMBERS)
_AGE = re.compile(r"(?<![\d£$])(\d{1,2})(?!\d)\s*(?:yo|y/o|yrs?|years?|year-old|yr)?(?![\d%:])", re.I)


_SCHOOL_YEAR = re.compile(r"\b(?:year|yr|y)\s*(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen)\b",
                          re.I)


def school_year_age(text: str) -> int | None:
    """England's school years: Year 1 children are 5 to 6, Year 10 are 14 to 15 (the younger age is used)."""
    if re.search(r"\breception\b", text, re.I):
        return 4
    found = _SCHOOL_YEAR.search(text)
    if not found:
        return None
    value = found.group(1).lower()
    year = int(value) if value.isdigit() else _WORD_NUMBERS[value]
    return year + 4 if 1 <= year <= 13 else None


# How many, and of what, as people say spans and babies' ages ("a couple of weeks", "18 mths").
AMOUNT = r"\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple of|few"
BABY_UNITS = r"days?|weeks?|wks?|months?|mths?|mnths?"
UNITS = BABY_UNITS + r"|years?|yrs?"
_INFANT = re.compile(rf"\b({AMOUNT})\s*(?:and a half\s*)?({BABY_UNITS})\b", re.I)


def amount(word: str) -> int:
    """The number an AMOUNT word means ("a" 1, "couple of" 2, "few" 3, "six" 6, "18" 18)."""
    word = word.lower()
    return {"a": 1, "an": 1, "couple of": 2, "few": 3}.get(word) or (int(word) if word.isdigit() else _WORD_NUMBERS[word])


def infant_age(text: str) -> int | None:
    """Babies' ages are said in days, weeks or months ("3 weeks", "18 months", "10 week old")."""
    found = _INFANT.search(text)
    if not found:
        return None
    number, unit = amount(found.group(1)), found.group(2).lower()
    return number // 12 if unit.startswith("m") else 0


_COUNT = re.compile(r"\b(?:my|our|ive got|i have|we have|weve got|got)\s+(?:\d|two|three|four|five)\b"
                    r"(?!\s*(?:yo|y/o|yrs?|years?|year-old|month|week|and a half))", re.I)


_HOW_MANY = re.compile(r"\b\d{1,3}\s*(?:times|x a|hours?|hrs?|mins?|minutes?|days?|nights?|weeks?|months?|"
                       r"quid|pounds|p\b|kg|kilos?|stone|lbs?|pills|tablets|percent|%)", re.I)
_CLOCK = re.compile(r"\b\d{1,2}(?:[:.]\d{2}\s*(?:am|pm)?|\s*(?:am|pm|oclock|o'clock))\b|\b(?:till|til|until|by)\s+\d{1,2}\b(?![:.]\d)"
                    r"(?!\s*(?:yo|y/o|yrs?|years?|year-old|months?|weeks?))", re.I)


OWN_AGE = re.compile(r"\b(?:im|i am|i'm|iam)\s+(?:only\s+|just\s+)?(\d{1,2})\b(?!\s*(?:weeks?|months?|days?|%|/|:))"
                     r"|\b(?:aged|age)\s*(\d{1,2})\b", re.I)


def own_age(text: str) -> int | None:
    """An age said of oneself ("im 12", "aged 15"), never a brother's ("my little brother is 5")."""
    found = OWN_AGE.search(text)
    return int(next(g for g in found.groups() if g)) if found else None


def parse_age(text: str) -> int | None:
    """An age typed as a number, a word ("fourteen") or a school year ("year 10"); a stated age wins."""
    infant = infant_age(text)
    if infant is not None:
        # "been with us 2 months, shes 13": an age said besides the months is the age.
        other = parse_age(_INFANT.sub(" ", text))
        return other if other is not None and other > infant else infant
    text = _COUNT.sub(" ", text)  # "my 2 are 4 and 9", "ive got two": how many children, not an age
    text = _CLOCK.sub(" ", text)  # "up till 2am", "at 21:40", "the 6.25 bus": a time, not an age
    text = _HOW_MANY.sub(" ", text)  # "50 times a night", "24 hours", "3 days": how often or how long
    school = school_year_age(text)
    rest = _SCHOOL_YEAR.sub(" ", text)  # "year 10" is not the age 10
    tokens = normalise(rest)
    for i, token in enumerate(tokens):
        if token in _WORD_NUMBERS:
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token == "twenty" and after in _WORD_NUMBERS and _WORD_NUMBERS[after] < 10:
                return 20 + _WORD_NUMBERS[after]  # "twenty two"
            return _WORD_NUMBERS[token]
    found = _AGE.search(rest)
    return int(found.group(1)) if found else school


SCORE = re.compile(r"\b(\d{1,2})\s*(?:/|out of)\s*10\b", re.I)
_SPAN = re.compile(rf"\b({AMOUNT})\s*(?:and a half\s*)?({UNITS})\b", re.I)
_SINCE_LONG = re.compile(r"\bsince\b.*\b(born|birth|baby|little|small|toddler|nursery|reception|primary|infants|"
                         r"year \d|started school|forever|always)\b", re.I)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SINCE_MONTH = re.compile(r"\bsince\b(?:\s+(?:like|about|around|last|early|late|mid|the\s+start\s+of|the\s+end\s+of))*\s+"
                          r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                          r"|sep(?:t|tember|tmber)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b", re.I)


def since_month(text: str, today: dt.date) -> str | None:
    """How long since a month told ("getting worse since about September"), counted back from today."""
    month = _SINCE_MONTH.search(text)
    if month is None:
        return None
    back = (today.month - 1 - _MONTHS.index(month.group(1).lower()[:3])) % 12
    return "weeks" if back < 1 else "months" if back < 6 else "long"


def read_duration(text: str, today: dt.date | None = None) -> str | None:
    """How long, from a span in words ("2 yrs", "six weeks", "18 months", "since reception"),
    or since a month ("since like october": counted back from today)."""
    month = since_month(text, today) if today is not None else None
    if month:
        return month
    found = _SPAN.search(text)
    if found:
        number, unit = amount(found.group(1)), found.group(2).lower()
        if unit.startswith(("d", "w")):
            return "weeks" if number < 13 else "months"
        if unit.startswith("m"):
            return "months" if number < 6 else "long"
        return "long"
    if _SINCE_LONG.search(text):
        return "long"
    return None


@lru_cache(maxsize=256)  # every phrase list of the knowledge base, normalised once
def plain_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(" ".join(normalise(p)) for p in phrases)
