"""`run_bot.py train --compare`: candidate learned readers side by side on the validation split.

Each candidate is fitted on the train split and judged on validation alone
(without the lexicon), on what the choice rests on: crises found at a fixed
false-alarm rate, main topic, grouping, time to read one message, and the
size of what it must load.
"""
from __future__ import annotations

import time
from dataclasses import asdict

import numpy as np

from bot.knowledge import KnowledgeBase
from bot.learn import corpus as corpus_mod
from bot.learn.model import CORPUS_DIR, LearnedReader, Settings
from bot.learn.train import FEATURES, fit, model_text
from bot.schema import GROUPINGS

CANDIDATES = {
    "word+char n-grams, logistic (chosen)": FEATURES,
    "word n-grams only, logistic": {**FEATURES, "char_ngrams": [0, 0]},
    "character n-grams only, logistic": {**FEATURES, "word_ngrams": [0, 0]},
}
FALSE_ALARMS = 0.025


def run(kb: KnowledgeBase, log=print) -> int:
    data = corpus_mod.load(kb.root / CORPUS_DIR, frozenset(kb.topics))
    train, validation = data.split("train"), [e for e in data.split("validation") if e.topics]
    topics = sorted(kb.topics)
    texts = [model_text(e.text, kb.spellings) for e in validation]
    audiences = [e.audience for e in validation]
    crisis = np.array([e.crisis for e in validation])
    log(f"train {len(train)}, validation {len(validation)} ({int(crisis.sum())} crises); "
        f"recall at {FALSE_ALARMS:.1%} false alarms, the reader alone")
    for name, features in CANDIDATES.items():
        started = time.perf_counter()
        arrays = fit(train, kb.spellings, topics, features=features)
        fitted = time.perf_counter() - started
        header = {"features": features, "audiences": ["young_person", "parent", "professional"],
                  "topics": topics, "groupings": list(GROUPINGS),
                  "settings": asdict(Settings.neutral())}
        reader = LearnedReader(arrays, header)
        started = time.perf_counter()
        readings = [reader.read(t, a) for t, a in zip(texts, audiences)]
        per_message = (time.perf_counter() - started) / len(texts) * 1000
        p = np.array([r.crisis for r in readings])
        calm_p = np.sort(p[~crisis])[::-1]
        cut = calm_p[int(len(calm_p) * FALSE_ALARMS)] if len(calm_p) else 1.0
        recall = float((p[crisis] > cut).mean())
        top1 = np.mean([max(r.topics, key=r.topics.get) in e.topics for r, e in zip(readings, validation)])
        grouping = np.mean([max(r.groupings, key=r.groupings.get) == e.quadrant for r, e in zip(readings, validation)])
        size = sum(a.nbytes for a in arrays.values()) / 1e6
        log(f"- {name}: crisis recall {recall:.3f}, topic top-1 {top1:.3f}, grouping {grouping:.3f}; "
            f"{per_message:.2f} ms a message, fitted in {fitted:.0f}s, {size:.1f} MB of arrays")
    return 0
