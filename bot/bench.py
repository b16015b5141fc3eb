"""`run_bot.py bench [classify|engine] --messages N`: speed figures on one core.

The messages are made here from templates (never from the evaluation set):
worries, slang, misspellings, professionals' shorthand, crisis wording and
figures of speech, short and long, so the timing covers every path of the
reader. `classify` times `Understander.read()` alone; `engine` times a whole
conversation step (`Conversation.step`) at a mid-journey state, after /start
and choosing "young person".
"""
from __future__ import annotations

import random
import statistics
import time
from typing import Callable

from bot.knowledge import KnowledgeBase

_OPENERS = ["", "hi ", "ok so ", "idk ", "sorry ", "tbh ", "hiya, ", "Hello. ", "ngl ", "um "]
_WHO = ["i", "my son", "my daughter", "my lad", "our kid", "my mate", "my 14 year old", "a Y9 pupil",
        "YP (15)", "my stepdaughter", "my little brother", "a student on my caseload"]
_NEEDS = [
    "cant sleep and hate school", "keeps having panic attacks before exams", "is mardy all the time",
    "wont leave their room", "has been really low for weeks", "gets bullied on snapchat",
    "is waiting for an autism assessment", "might have adhd, cant sit still", "hears voices at night",
    "is cutting again", "self harmed years ago but is doing ok now", "says they want to die",
    "has been skipping meals and lost weight", "keeps checking the door is locked",
    "is questioning their gender", "is vaping and smoking weed every day", "looks after mum who has MS",
    "is turning 18 and moving to adult services", "just had a baby and feels nothing",
    "has no friends and feels ugly", "is doing fine, want tips to stay well",
    "is on the camhs waiting list and heard nothing", "lost their nan last month",
    "has flashbacks since the crash", "is being groomed by an older man online",
    "is really anxious and mithered about everything", "is sufering with anxeity", "feels suicidle",
    "took an overdoes last night", "has nowt to look forward to", "gets angry and punches walls",
]
_TAILS = ["", ".", "?", " what do i do", " who do i contact", " any tips?", " lol", " 😭", " please help",
          " for months now", " since september", " its every day", ". maths is killing me tho",
          ". referral route?", " and my phone died", " x"]


def messages(n: int, seed: int = 7) -> list[str]:
    """`n` varied chat messages built from the templates above (reproducible)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(_OPENERS), rng.choice(_WHO), " ", rng.choice(_NEEDS)]
        if rng.random() < 0.35:
            parts += [" and ", rng.choice(_NEEDS)]
        parts.append(rng.choice(_TAILS))
        text = "".join(parts)
        if rng.random() < 0.2:
            text = text.upper() if rng.random() < 0.3 else text.lower()
        out.append(text)
    return out


def _time(call: Callable[[str], object], texts: list[str]) -> tuple[float, list[float]]:
    for text in texts[: min(len(texts), 200)]:  # warm up: imports, caches
        call(text)
    times = []
    clock = time.perf_counter
    start = clock()
    for text in texts:
        t0 = clock()
        call(text)
        times.append(clock() - t0)
    return clock() - start, times


def _report(what: str, unit: str, total: float, times: list[float]) -> None:
    times_ms = sorted(t * 1000 for t in times)
    p50 = statistics.median(times_ms)
    p99 = times_ms[min(len(times_ms) - 1, int(len(times_ms) * 0.99))]
    print(f"{what}: {len(times)} {unit} in {total:.3f}s on one core: {len(times) / total:,.0f} {unit}/s; "
          f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {times_ms[-1]:.3f} ms per {unit[:-1]}")


def run(kb: KnowledgeBase, what: str = "classify", n: int = 10000) -> int:
    n = max(1, n)
    texts = messages(n)
    if what == "classify":
        from bot.understand import Understander

        started = time.perf_counter()
        understander = Understander(kb)
        startup = time.perf_counter() - started
        print(f"start-up: {startup:.3f}s to build the lexicon index and load the learned reader "
              f"({'loaded' if understander.reader else 'none'})")
        total, times = _time(lambda t: understander.read(t, "young_person"), texts)
        _report("classify, one message at a time", "messages", total, times)
        started = time.perf_counter()
        audiences = ["young_person"] * len(texts)
        for i in range(0, len(texts), 256):  # as `run_bot.py classify` reads its input
            understander.read_many(texts[i:i + 256], audiences[i:i + 256])
        batched = time.perf_counter() - started
        print(f"classify, batches of 256 as the classify command reads: {len(texts) / batched:,.0f} messages/s; "
              f"with start-up: {len(texts) / (batched + startup):,.0f} messages/s")
        _memory()
        return 0
    if what == "engine":
        from bot.conversation import Conversation
        from bot.dialogue import UserInput

        started = time.perf_counter()
        conversation = Conversation(kb)
        print(f"start-up: {time.perf_counter() - started:.3f}s to build the conversation with every reader loaded")
        state = _young_person_state(conversation)
        total, times = _time(lambda t: conversation.step(state, UserInput.typed(t)), texts)
        _report(f"engine (step '{state.step}')", "steps", total, times)
        _memory()
        return 0
    print(f"unknown benchmark {what!r}: choose classify or engine")
    return 2


def _memory() -> None:
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: peak resident {peak_mb:.0f} MB")


def _young_person_state(conversation):
    """The state after /start and pressing the young-person button."""
    from bot.dialogue import UserInput

    outcome = conversation.start()
    buttons = [b for reply in outcome.replies for b in reply.all_buttons()]
    chosen = next((b for b in buttons if "young" in b.action), buttons[0] if buttons else None)
    if chosen is None:
        return outcome.state
    return conversation.step(outcome.state, UserInput.pressed(chosen.action)).state
