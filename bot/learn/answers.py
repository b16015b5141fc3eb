"""Calm examples the corpus writers never thought of: answers to the bot's own questions.

People type "14", "Dewsbury", "WF12", "yes" or a button's words in the middle
of a journey. The learned reader must read these as calm; without examples it
has no idea what a bare number or a town name means and guesses near its
prior. `run_bot.py train` writes them afresh from the knowledge base (ages,
the areas' places and postcode districts, every button label) into
`corpus/answers-to-questions.jsonl` before training, so the file always
matches the knowledge base it was made from. They teach the crisis reader
only: they carry no topic and are left out of the topic and grouping heads.
"""
from __future__ import annotations

import json
from pathlib import Path

from bot.knowledge import KnowledgeBase
from bot.learn.corpus import ANSWER_KIND, split_for
from bot.schema import AUDIENCES

FILE_NAME = "answers-to-questions.jsonl"
_GENERIC = ("yes", "no", "ok", "okay", "yeah", "nope", "thanks", "thank you", "hi", "hello", "hiya", "hey",
            "help", "not sure", "maybe", "dont know", "idk", "next", "back", "more", "both", "none", "other",
            "start", "menu", "sorry", "cheers", "ta", "fine", "carry on", "go back", "what", "?", "...",
            # Conversational glue: people come back and say so ("again" is also a crisis word: "cut again").
            "again", "me again", "its me again", "hi again", "hello again", "and again", "sorry again",
            "thanks again", "same again", "back again", "yes again", "ok again", "i'm back", "still here",
            "one more thing", "also", "and", "but", "so", "anyway", "hmm", "erm", "lol", "haha", "brb")
_RISK_BUTTONS = frozenset({"button_urgent", "button_check_yes"})  # asking for urgent help is not calm
_PLACE_FORMS = ("i live in {p}", "im from {p}", "we live in {p}", "near {p}")
_AGE_FORMS = ("{n}", "im {n}", "{n} years old", "age {n}", "{n}yo", "she is {n}", "he's {n}", "they are {n}")


def texts(kb: KnowledgeBase) -> list[str]:
    found: list[str] = list(_GENERIC)
    found += [form.format(n=n) for n in range(4, 26) for form in _AGE_FORMS]
    found += [f"year {n}" for n in range(1, 14)] + [f"y{n}" for n in range(1, 14)]
    for area in kb.areas.values():
        found += [area.info.name, *area.info.places, *area.info.postcodes, *area.info.shared_postcodes]
        found += [f"my postcode is {c}" for c in (*area.info.postcodes, *area.info.shared_postcodes)]
        found += [form.format(p=place) for place in area.info.places[:12] for form in _PLACE_FORMS]
    found += list(kb.elsewhere) + [form.format(p=place) for place in kb.elsewhere for form in _PLACE_FORMS]
    for key, text in kb.messages.items():
        if key.startswith("button_") and key not in _RISK_BUTTONS:
            found += [text.for_audience(a) for a in (None, *AUDIENCES)]
    for kind in ("severity", "duration", "urgency", "age_bands", "roles"):
        for choice in getattr(kb.thrive, kind):
            if choice.grouping != "getting-risk-support":  # "I don't feel safe" is no calm answer
                found += [choice.label.for_audience(a) for a in (None, *AUDIENCES)]
                if kind == "roles":  # "teacher", "school nurse"; not how-much words ("every day",
                    found += list(choice.phrases)  # "ruining my life"), which crises use too
    for phrases in kb.thrive.audience_phrases.values():  # "im a kid", "mum", "school nurse"
        found += list(phrases) + [f"i am a {p}" for p in phrases if " " not in p]
    return sorted({t.strip() for t in found if t and t.strip()}, key=lambda t: (t.casefold(), t))  # a total order: no hash-seed luck


def write(kb: KnowledgeBase, corpus_dir: Path) -> Path:
    """Write the answers file (deterministic: the same knowledge base gives the same bytes)."""
    lines = []
    for i, text in enumerate(texts(kb), start=1):
        entry_id = f"answer-{i:04d}"
        lines.append(json.dumps({"id": entry_id, "audience": AUDIENCES[i % 3], "text": text, "crisis": False,
                                 "topics": [], "quadrant": "getting-advice", "kind": ANSWER_KIND, "split": split_for(entry_id)},
                                ensure_ascii=False))
    path = corpus_dir / FILE_NAME
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
