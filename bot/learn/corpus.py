"""The labelled corpus the learned reader is trained on: load, validate, hash.

The corpus is JSON lines under `knowledge/corpus/` (one file per batch, see its
README card). Every line is validated like the YAML: an error names the file,
the line, the entry id and the reason, and loading fails with all of them.

`data_hash` is what ties a trained model to the data it came from: it covers
every corpus file and the slang expansions in `topics.yaml` (they shape the
text the model reads), so a model trained on other data cannot be loaded.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from bot.schema import Audience, Grouping

SPLITS = ("train", "validation")
RISK_GROUPING = "getting-risk-support"
ANSWER_KIND = "answer"  # "14", "Dewsbury", a button's words: calm, and about no topic
# Replies mid-conversation may name no need either: "sorry hes 17 not 16", "ok ta", "does the
# leeds referral transfer?", "my mum cant know" (replies-mid-conversation.jsonl). Always calm.
REPLY_KINDS = frozenset({ANSWER_KIND, "correction", "logistics", "context", "acknowledgement",
                         "consent-and-privacy", "feelings-about-services"})

class CorpusError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))

class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    audience: Audience
    text: str
    crisis: bool
    topics: tuple[str, ...]
    quadrant: Grouping
    kind: str = "ordinary"
    split: Literal["train", "validation"]

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value

    @model_validator(mode="after")
    def _crisis_means_risk_support(self) -> Example:
        # Not the other way: risk support is also for ongoing risk that is not a crisis today.
        if self.crisis and self.quadrant != RISK_GROUPING:
            raise ValueError("a crisis has quadrant getting-risk-support")
        if not self.topics and (self.kind not in REPLY_KINDS or self.crisis):
            raise ValueError("topics: at least one topic (only calm answers and replies to the bot have none)")
        return self

@dataclass(frozen=True)
class Corpus:
    examples: tuple[Example, ...]
    files: tuple[Path, ...]

    def split(self, name: str) -> list[Example]:
        return [e for e in self.examples if e.split == name]

def split_for(entry_id: str) -> str:
    """The fixed split: validation when the SHA-256 of the id is divisible by 5 (about 20%)."""
    return "validation" if int(hashlib.sha256(entry_id.encode()).hexdigest(), 16) % 5 == 0 else "train"


def corpus_files(directory: Path) -> tuple[Path, ...]:
    return tuple(sorted(directory.glob("*.jsonl")))

def load(directory: Path, topic_ids: set[str] | frozenset[str]) -> Corpus:
    """Read and validate every `*.jsonl` file in `directory`."""
    files = corpus_files(directory)
    problems: list[str] = []
    if not files:
        raise CorpusError([f"{directory}: no corpus files (*.jsonl)"])
    examples: list[Example] = []
    seen: dict[str, str] = {}
    for path in files:
        where_file = f"{directory.name}/{path.name}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{where_file}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not valid JSON: {exc.msg}")
                continue
            entry = raw.get("id", "?") if isinstance(raw, dict) else "?"
            try:
                example = Example.model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors():
                    field = ".".join(str(p) for p in err["loc"]) or "entry"
                    problems.append(f"{where}: entry '{entry}': {field}: {err['msg']}")
                continue
            unknown = [t for t in example.topics if t not in topic_ids]
            if unknown:
                problems.append(f"{where}: entry '{entry}': topics: unknown topic {unknown[0]!r}")
                continue
            if example.id in seen:
                problems.append(f"{where}: entry '{entry}': id already used in {seen[example.id]}")
                continue
            seen[example.id] = where
            examples.append(example)
    if problems:
        raise CorpusError(problems)
    return Corpus(tuple(examples), files)

def data_hash(directory: Path, spellings: Mapping[str, str]) -> str:
    """SHA-256 over the corpus files (names and bytes) and the slang expansions."""
    digest = hashlib.sha256()
    for path in corpus_files(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(sorted(spellings.items()), ensure_ascii=False).encode())
    return digest.hexdigest()

def label_counts(examples: list[Example]) -> dict[str, dict[str, int]]:
    """Counts for the corpus card: audience, crisis, grouping, first topic and kind."""
    counts: dict[str, dict[str, int]] = {k: {} for k in ("audience", "crisis", "grouping", "topic", "kind")}
    for e in examples:
        for key, value in (("audience", e.audience), ("crisis", str(e.crisis).lower()),
                           ("grouping", e.quadrant), ("topic", e.topics[0] if e.topics else "(none)"), ("kind", e.kind)):
            counts[key][value] = counts[key].get(value, 0) + 1
    return {k: dict(sorted(v.items(), key=lambda kv: -kv[1])) for k, v in counts.items()}
