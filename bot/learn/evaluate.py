"""`run_bot.py evaluate FILE...`: the figures the quality bars name, for any labelled set.

For message sets (JSON lines with id, audience, text, crisis, topics, quadrant):
crisis recall, false crisis, crises that get neither urgent help nor the
question, calm messages that get either, topic top-1/top-3, grouping; the
corpus's own validation split with `--validation`. For conversation sets
(lines with "messages" and "crisis_by_end"): how many risky conversations
brought urgent help or the question by their end, and how many calm ones did,
reading each message in turn with the risk carried across the journey.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from bot.understand import Understander


def message_figures(understander: Understander, items: list[dict]) -> dict[str, float]:
    results = understander.read_many([i["text"] for i in items], [i.get("audience") for i in items])
    crises = [r for r, i in zip(results, items) if i["crisis"]]
    calm = [r for r, i in zip(results, items) if not i["crisis"]]
    n = max(len(items), 1)

    def share(rows, test):
        return round(sum(map(test, rows)) / max(len(rows), 1), 3)

    return {
        "messages": len(items), "crises": len(crises),
        "crisis_recall": share(crises, lambda r: r.crisis == "yes"),
        "false_crisis": share(calm, lambda r: r.crisis == "yes"),
        "crises_untouched": sum(r.crisis == "no" for r in crises),
        "crises_touched": share(crises, lambda r: r.crisis != "no"),
        "calm_touched": share(calm, lambda r: r.crisis != "no"),
        "topic_top1": round(sum(bool(r.topics) and r.topics[0] in i["topics"] for r, i in zip(results, items)) / n, 3),
        "topic_top3": round(sum(bool(set(r.topics[:3]) & set(i["topics"])) for r, i in zip(results, items)) / n, 3),
        "grouping": round(sum(r.grouping == i["quadrant"] for r, i in zip(results, items)) / n, 3),
    }


def conversation_figures(understander: Understander, items: list[dict]) -> dict[str, float]:
    caught = {True: 0, False: 0}
    totals = {True: 0, False: 0}
    for item in items:
        carried, flagged = 0.0, False
        for text in item["messages"]:
            heard = understander.read(text, item.get("audience"))
            carried, warrants = understander.carry_risk(carried, heard)
            if heard.crisis != "no" or warrants:
                flagged = True
                carried = 0.0
        key = bool(item["crisis_by_end"])
        totals[key] += 1
        caught[key] += flagged
    return {
        "conversations": len(items),
        "risky_brought_help_or_question": f"{caught[True]}/{totals[True]}",
        "calm_brought_help_or_question": f"{caught[False]}/{totals[False]}",
    }


def run(understander: Understander, paths: list[str], validation: bool, out: IO[str]) -> int:
    if validation:
        from bot.learn import corpus as corpus_mod
        from bot.learn.model import CORPUS_DIR

        kb = understander.kb
        data = corpus_mod.load(kb.root / CORPUS_DIR, frozenset(kb.topics))
        # Answers to the bot's questions carry no topic: they count for crisis only.
        items = [e.model_dump() for e in data.split("validation") if e.topics]
        out.write(f"corpus validation split: {json.dumps(message_figures(understander, items))}\n")
    for path in paths:
        lines = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        if lines and "messages" in lines[0]:
            figures = conversation_figures(understander, lines)
        else:
            figures = message_figures(understander, lines)
        out.write(f"{path}: {json.dumps(figures)}\n")
    return 0
