"""`run_bot.py classify`: JSON lines in, one verdict line out per input, in order."""
from __future__ import annotations

import json
from typing import IO

from bot.understand import Understander


def classify_line(understander: Understander, line: str) -> str | None:
    """The answer line for one input line, or None for a blank line."""
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
    result = understander.read(text, audience)
    return json.dumps(
        {
            "id": item_id,
            "crisis": result.is_crisis,
            "ask": result.crisis == "ask",
            "topics": list(result.topics),
            "quadrant": result.grouping,
        }
    )


class BadLine(ValueError):
    def __init__(self, item_id: object, reason: str):
        self.item_id, self.reason = item_id, reason
        super().__init__(reason)


def run(understander: Understander, source: IO[str], out: IO[str], err: IO[str]) -> int:
    for number, line in enumerate(source, start=1):
        try:
            answer = classify_line(understander, line)
        except BadLine as bad:
            if bad.item_id is None:
                print(f"line {number}: {bad.reason}", file=err)
            else:
                out.write(json.dumps({"id": bad.item_id, "error": bad.reason}) + "\n")
            continue
        if answer is not None:
            out.write(answer + "\n")
    out.flush()
    return 0
