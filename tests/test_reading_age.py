"""Young-person wording stays at a reading age of 9 to 11 (NHS "How we write").

SMOG grade + 5 is roughly a reading age. Messages aim at grade 6 or below
(reading age 11). Service texts carry names and medical words ("psychosis"),
which the NHS guide allows up to an 11-to-14 reading age, so they get grade 7.
"""
from __future__ import annotations

import re

import pytest

from tests.readability import fk_grade, grade, long_sentences

NOT_PROSE = ("help", "privacy", "day_names", "contact_line")
MESSAGES_MAX_SMOG = 6.0
SERVICES_MAX_SMOG = 7.0
ENTRY_MAX_FK = 7.0


def _sentence(text: str) -> str:
    text = re.sub(r"\{\w+\}", "Leeds", text.strip())  # a place name stands in for each fill-in
    return text if text.endswith((".", "?", "!")) else text + "."


def young_person_messages(kb) -> list[str]:
    return [t.for_audience("young_person") for k, t in kb.messages.items()
            if not k.startswith(NOT_PROSE) and not k.startswith("referrer_")]


def young_person_service_texts(kb) -> list[tuple[str, str]]:
    found = []
    for service in kb.services.values():
        parts = [service.description, service.access.how, service.access.next_steps, service.while_waiting]
        found.append((service.id, " ".join(_sentence(p.for_audience("young_person")) for p in parts if p)))
    return found


def test_messages_reading_age(kb):
    text = " ".join(_sentence(m) for m in young_person_messages(kb))
    assert grade(text) <= MESSAGES_MAX_SMOG


def test_service_texts_reading_age(kb):
    text = " ".join(t for _, t in young_person_service_texts(kb))
    assert grade(text) <= SERVICES_MAX_SMOG


@pytest.mark.parametrize("kind", ["messages", "services"])
def test_no_young_person_sentence_over_20_words(kb, kind):
    texts = young_person_messages(kb) if kind == "messages" else [t for _, t in young_person_service_texts(kb)]
    too_long = [s for t in texts for s in long_sentences(t)]
    assert not too_long


def test_each_service_text_is_plain(kb):
    hard = {sid: round(fk_grade(t), 1) for sid, t in young_person_service_texts(kb) if fk_grade(t) > ENTRY_MAX_FK}
    assert not hard, f"rewrite these young_person texts in plainer words: {hard}"


def test_readability_measure_is_sensitive():
    plain = "You can call us. We will talk. You are not alone."
    dense = ("Comprehensive multidisciplinary psychological interventions necessitate "
             "collaborative interprofessional communication and documentation.")
    assert grade(plain) < MESSAGES_MAX_SMOG < grade(dense)
