"""`run_bot.py classify`: JSON lines in, one verdict line out per input, in order."""
from __future__ import annotations

import json
from typing import IO

from bot.understand import Understander, Understanding


BATCH = 256  # lines read together, so the learned reader multiplies a batch at once


def parse_line(line: str) -> tuple[object, str, str | None] | None:
    """(id, text, audience) for one input line, None for a blank line; BadLine if it is wrong."""
    if not line.strip():
        return None
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(None, f"not valid JSON: {exc.msg}") from None
    if not isinstance(item, dict):
        raise BadLine(None, "each line must be a JSON object")
    item_id = item.get("id")
    text, audience = item.get("text"), item.get("audience")
    if not isinstance(text, str):
        raise BadLine(item_id, "'text' must be a string")
    if audience is not None and not isinstance(audience, str):
        raise BadLine(item_id, "'audience' must be a string")
    return item_id, text, audience


def answer(item_id: object, result: Understanding) -> str:
    return json.dumps({
        "id": item_id,
        "crisis": result.is_crisis,
        "ask": result.crisis == "ask",
        "topics": list(result.topics),
        "quadrant": result.grouping,
    })


class BadLine(ValueError):
    def __init__(self, item_id: object, reason: str):
        self.item_id, self.reason = item_id, reason
        super().__init__(reason)


def run(understander: Understander, source: IO[str], out: IO[str], err: IO[str]) -> int:
    """Answers in input order; a bad line gets an error line (or a note on stderr) and the rest go on."""
    pending: list[tuple[int, str]] = []
    for number, line in enumerate(source, start=1):
        pending.append((number, line))
        if len(pending) >= BATCH:
            _answer_batch(understander, pending, out, err)
            pending = []
    _answer_batch(understander, pending, out, err)
    out.flush()
    return 0


def _answer_batch(understander: Understander, lines: list[tuple[int, str]], out: IO[str], err: IO[str]) -> None:
    slots: list[str | tuple[object, str, str | None] | None] = []
    for number, line in lines:
        try:
            slots.append(parse_line(line))
        except BadLine as bad:
            if bad.item_id is None:
                print(f"line {number}: {bad.reason}", file=err)
                slots.append(None)
            else:
                slots.append(json.dumps({"id": bad.item_id, "error": bad.reason}))
    items = [s for s in slots if isinstance(s, tuple)]
    results = iter(understander.read_many([t for _, t, _ in items], [a for _, _, a in items]))
    for slot in slots:
        if isinstance(slot, tuple):
            out.write(answer(slot[0], next(results)) + "\n")
        elif slot is not None:
            out.write(slot + "\n")
