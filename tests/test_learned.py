"""The learned reader, and the two readers together.

Every message here is written for these tests: none comes from the corpus, the
evaluation set or the blind batches used to measure the reader.
"""
from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest

from bot.classify import BATCH, run as classify_run
from bot.cli import main as cli_main
from bot.conversation import Conversation
from bot.dialogue import State
from bot.knowledge import load
from bot.learn import ModelError, corpus, train
from bot.learn.model import CORPUS_DIR, MODEL_PATH, LearnedReader
from bot.understand import Understander
from tests.chat import Chat
from tests.test_understand import CRISIS, NOT_CRISIS


@pytest.fixture(scope="module")
def both() -> Understander:
    return Understander(load())


@pytest.fixture(scope="module")
def lexicon() -> Understander:
    return Understander(load(), reader=None)


@pytest.fixture
def knowledge_copy(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(load().root, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


# --- the file and its data ---------------------------------------------------------

def test_the_committed_model_matches_its_data(both):
    kb = both.kb
    assert both.reader is not None
    assert both.reader.header["data_hash"] == corpus.data_hash(kb.root / CORPUS_DIR, kb.spellings)


def test_a_model_that_does_not_match_its_data_fails_with_a_clear_error(knowledge_copy, capsys):
    some_file = sorted((knowledge_copy / CORPUS_DIR).glob("*.jsonl"))[0]
    with some_file.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "extra-1", "audience": "parent", "text": "a new message", "crisis": False,
                            "topics": ["wellbeing"], "quadrant": "thriving", "split": "train"}) + "\n")
    kb = load(knowledge_copy)
    with pytest.raises(ModelError, match="does not match its data.*run_bot.py train"):
        Understander(kb)
    assert cli_main(["--knowledge", str(knowledge_copy), "check"]) == 1
    assert "does not match its data" in capsys.readouterr().out
    assert cli_main(["--knowledge", str(knowledge_copy), "classify"]) == 1  # refuses to start


def test_a_changed_slang_list_also_refuses_the_model(knowledge_copy):
    topics = knowledge_copy / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("  u: you\n", "  u: you\n  zzq: bored\n", 1),
                      encoding="utf-8")
    with pytest.raises(ModelError, match="does not match its data"):
        Understander(load(knowledge_copy))


def test_a_missing_or_broken_model_file_fails_with_a_clear_error(knowledge_copy):
    path = knowledge_copy / MODEL_PATH
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot read the learned reader"):
        Understander(load(knowledge_copy))
    path.unlink()
    with pytest.raises(ModelError, match="missing.*run_bot.py train"):
        Understander(load(knowledge_copy))


def test_corpus_errors_name_the_file_the_line_the_entry_and_the_reason(knowledge_copy):
    bad = knowledge_copy / CORPUS_DIR / "zz-broken.jsonl"
    bad.write_text("\n".join([
        json.dumps({"id": "b-1", "audience": "parent", "text": "ok", "crisis": True, "topics": ["anxiety"],
                    "quadrant": "getting-help", "split": "train"}),
        json.dumps({"id": "b-2", "audience": "parent", "text": "ok", "crisis": False, "topics": ["nope"],
                    "quadrant": "getting-help", "split": "train"}),
        "{not json",
    ]) + "\n", encoding="utf-8")
    with pytest.raises(corpus.CorpusError) as caught:
        corpus.load(knowledge_copy / CORPUS_DIR, frozenset(load().topics))
    problems = "\n".join(caught.value.problems)
    assert "zz-broken.jsonl:1: entry 'b-1'" in problems and "a crisis has quadrant" in problems
    assert "zz-broken.jsonl:2: entry 'b-2': topics: unknown topic 'nope'" in problems
    assert "zz-broken.jsonl:3: not valid JSON" in problems


def test_training_is_reproducible_and_records_the_data_hash(knowledge_copy, tmp_path):
    corpus_dir = knowledge_copy / CORPUS_DIR
    for path in corpus_dir.glob("*.jsonl"):  # a small corpus keeps the test quick
        path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:120]), encoding="utf-8")
    kb = load(knowledge_copy)
    first = train.build(kb, knowledge_copy, tmp_path / "one.npz", log=lambda *_: None)
    second = train.build(kb, knowledge_copy, tmp_path / "two.npz", log=lambda *_: None)
    with np.load(first) as a, np.load(second) as b:
        assert a.files == b.files
        for name in a.files:
            assert np.array_equal(a[name], b[name]), name
        header = json.loads(str(a["header"]))
    assert header["data_hash"] == corpus.data_hash(corpus_dir, kb.spellings)
    (knowledge_copy / MODEL_PATH).write_bytes(first.read_bytes())
    reader = LearnedReader.load(knowledge_copy, kb.spellings)  # what it wrote, it can load
    assert 0.0 <= reader.read("i feel fine", "parent").crisis <= 1.0


def test_the_generated_answers_file_is_the_same_under_any_hash_seed(tmp_path):
    # Python salts string hashes per process; a set iterated in another order must not
    # change the file, or the corpus hash (and so the model) would differ run to run.
    import subprocess
    import sys

    script = ("import sys, pathlib; from bot.knowledge import load; from bot.learn import answers; "
              "sys.stdout.write(answers.write(load(), pathlib.Path(sys.argv[1])).read_text())")
    outputs = set()
    for seed in ("1", "6", "7"):  # seeds that gave three different orders before the fix
        target = tmp_path / seed
        target.mkdir()
        done = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


# --- typos in the words that matter ------------------------------------------------------

def _slips(word: str) -> list[str]:
    """Every one-letter slip of `word`: a letter dropped, doubled, or two swapped."""
    out = set()
    for i, ch in enumerate(word):
        if ch.isalpha():
            out.add(word[:i] + word[i + 1:])
            out.add(word[:i] + ch + word[i:])
        if i + 1 < len(word) and ch != word[i + 1] and " " not in word[i:i + 2]:
            out.add(word[:i] + word[i + 1] + ch + word[i + 2:])
    out.discard(word)
    # A slip that makes an everyday word ("ill myself", "self arm") is read as typed, on purpose.
    return sorted(w for w in out if not ({"ill", "arm", "elf", "ham"} & set(w.split())))


TYPO_FRAMES = {
    "suicide": "been thinking about {} every night",
    "suicidal": "i feel {} tonight",
    "overdose": "i took an {} an hour ago",
    "self harm": "i {} every day this week",
    "kill myself": "i want to {}",
}


@pytest.mark.parametrize("word, slip", [(w, s) for w in TYPO_FRAMES for s in _slips(w)])
def test_a_slip_in_a_key_word_is_read_as_meant(lexicon, word, slip):
    text = TYPO_FRAMES[word].format(slip)
    assert lexicon.read(text, "young_person").crisis == "yes", (slip, lexicon.tokens(text))


@pytest.mark.parametrize("text", ["selfharm again last night", "i want to killmyself", "thinking of sucidie",
                                  "slef harming again today", "i took an overdsoe"])
def test_joined_split_and_double_slips(lexicon, text):
    assert lexicon.read(text, "young_person").crisis == "yes", lexicon.tokens(text)


@pytest.mark.parametrize("text, kept", [
    ("i was ill myself last week", "ill"), ("some self care tips please", "care"),
    ("the library book is overdue", "overdue"), ("she is very self aware", "aware"),
])
def test_everyday_words_are_not_read_as_key_words(lexicon, text, kept):
    assert kept in lexicon.tokens(text)


# --- the two readers together ---------------------------------------------------------

UNLISTED_CRISES = [
    ("young_person", "left a letter for my mum under her pillow explaining everything. she wont find it till tomorrow"),
    ("young_person", "gave my dog to my auntie and told her to look after him for good, its better this way"),
    ("parent", "found my sons search history, how long it takes to drown and how deep the reservoir is"),
    ("young_person", "just want to be with my grandad again. he's been gone a year and i know how to get to him"),
    ("young_person", "swallowed a load of my sisters pills idk what they were, feeling proper dizzy"),
    ("parent", "my 15yo drank some of the bleach from under the sink about 20 mins ago"),
    ("young_person", "💊💊💊⚰️ tonight"),
    ("young_person", "im on the top floor of the car park in town and im going to jump"),
    ("professional", "Y8 pupil says an older lad from snapchat is picking her up from the park at 10pm tonight"),
    ("young_person", "locked myself in the bathroom with a razor blade, mum is banging on the door"),
]


@pytest.mark.parametrize("audience, text", UNLISTED_CRISES)
def test_crises_in_words_nobody_listed_get_urgent_help_or_the_question(both, audience, text):
    assert both.read(text, audience).crisis != "no", text


def test_the_learned_reader_asks_about_what_the_lexicon_misses(both, lexicon):
    # Crises in words nobody listed: the lexicon alone lets some go; with the reader every one
    # gets at least the safety question, whose "yes" brings urgent help at once.
    missed = [(a, t) for a, t in UNLISTED_CRISES if lexicon.read(t, a).crisis == "no"]
    assert missed, "the lexicon now knows them all: write harder ones"
    assert [t for a, t in missed if both.read(t, a).crisis == "no"] == []


def test_every_lexicon_crisis_is_still_a_crisis(both):
    assert [t for t in CRISIS if both.read(t).crisis != "yes"] == []


def test_figures_of_speech_and_everyday_near_misses_rarely_get_urgent_help(both):
    # The lexicon's own adversarial list of everyday near misses ("took a paracetamol
    # for my period pains", "im stood on the bus going home"). The lexicon alone
    # alarms on none; the reader, which knows words but not the world, on 9 to 13%
    # as the corpus grew (13.3% with 18,356 messages, December 2026, when two
    # batches of plain-worded crises lifted it and a second writer's short
    # everyday messages brought it back down). This guard keeps it from getting worse.
    alarmed = [t for t in NOT_CRISIS if both.read(t).crisis == "yes"]
    assert len(alarmed) <= 0.14 * len(NOT_CRISIS), alarmed


@pytest.mark.parametrize("audience, text", [
    ("parent", "what does unalive mean? my son keeps saying it"),
    ("professional", "What is the threshold for an urgent CAMHS referral for self-harm?"),
])
def test_questions_about_words_and_procedures_stay_calm(both, lexicon, audience, text):
    assert lexicon.read(text, audience).crisis == "yes"  # the lexicon alone would alarm
    assert both.read(text, audience).crisis != "yes"


@pytest.mark.parametrize("text", ["how many paracetamol would it take to not wake up?",
                                  "is it normal that i want to kill myself every night?",
                                  "which bridge in huddersfield is high enough to jump off?"])
def test_risky_questions_still_get_urgent_help(both, text):
    assert both.read(text, "young_person").crisis == "yes"


def _settings(**changes):
    from dataclasses import replace

    from bot.learn.model import Settings

    return replace(Settings.neutral(), yes_threshold=0.6, short_yes_threshold=0.7, ask_threshold=0.3,
                   question_veto=0.05, lexicon_veto=0.03, lexicon_floor=0.2, **changes)


def test_a_lexicon_crisis_the_reader_is_sure_is_calm_becomes_the_question_never_nothing():
    from bot.learn.combine import combine_verdict

    s = _settings()
    # A lexicon "yes" stands unless the reader is sure it is calm...
    assert combine_verdict(s, "yes", 0.10, True, False, True) == "yes"
    # ...and then the person is asked, not told it is an emergency, nor ignored,
    assert combine_verdict(s, "yes", 0.01, True, False, True) == "ask"
    assert combine_verdict(s, "yes", 0.01, True, False, False) == "ask"
    # except in one or two words, where the reader has too little to go on,
    assert combine_verdict(s, "yes", 0.0, False, False, True) == "yes"
    # and a question about words or procedures whose risk is not the writer's own.
    assert combine_verdict(s, "yes", 0.01, True, True, False) == "no"
    assert combine_verdict(s, "yes", 0.01, True, True, True) == "ask"
    # The reader alone asks, however sure, in a reply mid-way ("she's at her dads tonight" scored
    # 0.99) or when anything is denied; urgent help alone only when all but certain in a telling.
    assert combine_verdict(s, "no", 0.65, True, False, False) == "ask"
    assert combine_verdict(s, "no", 0.999, True, False, False) == "ask"
    assert combine_verdict(s, "no", 0.999, True, False, False, telling=True) == "yes"
    assert combine_verdict(s, "no", 0.999, True, False, False, telling=True, negation=True) == "ask"
    assert combine_verdict(s, "no", 0.9, True, False, False, telling=True) == "ask"
    assert combine_verdict(s, "ask", 0.65, True, False, False) == "yes"  # the lexicon's evidence and the reader's
    assert combine_verdict(s, "no", 0.65, False, False, False) == "no"  # "took pills" needs the short bar
    assert combine_verdict(s, "no", 0.75, False, False, False) == "ask"
    assert combine_verdict(s, "no", 0.35, True, False, False, telling=True) == "ask"
    # A reply mid-way ("just had his birthday", "how long would they take to see her") is too
    # short for the reader's usual bar: it asks alone only from READER_ALONE_SHORT_ASK.
    assert combine_verdict(s, "no", 0.35, True, False, False) == "no"
    assert combine_verdict(s, "ask", 0.1, True, False, False) == "no"  # under the floor: let go


def test_a_topic_nobody_named_never_becomes_a_need(both, lexicon):
    from flows.slots import matched_topics

    for reader in (both, lexicon):
        heard = reader.read("i keep getting panic attacks and my heart races like mad", "young_person")
        assert len(heard.topics) >= 3  # ranked for the buttons and for classify...
        assert matched_topics(heard) == ("anxiety",), heard.topics  # ...but only the named need is taken


@pytest.mark.parametrize("text", ["14", "im 15", "Huddersfield", "WF12", "Wakefield", "yes", "no", "ok thanks",
                                  "hello again", "and again", "Start again"])
def test_answers_to_the_bots_questions_stay_calm(both, text):
    assert both.read(text, "young_person").crisis == "no", text


def test_rankings_are_mixed_and_a_grouping_is_risk_support_only_in_crisis(both):
    got = both.read("cant sleep at all and i hate school, been weeks", "young_person")
    assert {"sleep", "school"} & set(got.topics[:2]) and got.crisis == "no"
    assert got.grouping != "getting-risk-support"
    assert len(got.topics) >= 3


def test_classify_batches_keep_order_and_errors(both):
    lines = []
    for i in range(BATCH + 40):
        if i % 50 == 7:
            lines.append("not json")
        elif i % 50 == 9:
            lines.append(json.dumps({"id": i}))
        else:
            lines.append(json.dumps({"id": i, "text": f"worried about exams {i}", "audience": "young_person"}))
    out, err = io.StringIO(), io.StringIO()
    classify_run(both, io.StringIO("\n".join(lines) + "\n"), out, err)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    expected_ids = [i for i in range(BATCH + 40) if i % 50 != 7]
    assert [a["id"] for a in answers] == expected_ids
    assert all(("error" in a) == (a["id"] % 50 == 9) for a in answers)
    assert err.getvalue().count("not valid JSON") == len([i for i in range(BATCH + 40) if i % 50 == 7])


# --- risk across messages --------------------------------------------------------------

def test_carried_risk_builds_over_messages_and_calm_messages_do_not(both):
    s = both.reader.settings
    heard = both.read("i have been sorting out my things", "young_person")
    middling = type(heard)("no", heard.topics, heard.grouping, heard.matched, risk=s.ask_threshold - 0.01)
    carried, ask = both.carry_risk(0.0, middling)
    assert not ask  # one middling message alone is not enough
    asked = False
    for _ in range(10):
        carried, ask = both.carry_risk(carried, middling)
        asked = asked or ask
    assert asked
    calm = type(heard)("no", heard.topics, heard.grouping, heard.matched, risk=0.02)
    carried = 0.0
    for _ in range(20):
        carried, ask = both.carry_risk(carried, calm)
        assert not ask


def test_warning_signs_spread_over_a_journey_bring_the_question():
    conversation = Conversation(load())
    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a young person")
    chat.say("15")
    chat.press("Kirklees (for example Huddersfield, Dewsbury)")
    said = ["been giving my stuff away to my mates this week, my games and my hoodies",
            "sorted out my room and deleted most of my photos",
            "thanks for listening, you've been good to me, i wont need any of this after friday"]
    steps = []
    for text in said:
        chat.say(text)
        steps.append(chat.state.step)
        assert isinstance(chat.state.risk, float)
        if chat.state.step in ("crisis_check", "crisis"):
            break
    assert steps[-1] in ("crisis_check", "crisis"), steps
    assert chat.state.risk == 0.0  # asked: counting starts afresh


def test_state_keeps_a_number_not_the_words():
    data = State(risk=0.42).to_dict()
    assert data["risk"] == 0.42 and State.from_dict(data).risk == 0.42
    assert not any(isinstance(v, str) and " " in v for v in data.values())


@pytest.mark.parametrize("text", ["today please", "today", "asap please", "ok thanks", "as soon as possible"])
def test_words_with_no_risk_in_them_are_no_evidence(both, text):
    """The reader learnt "today" inside many crises; alone, it is an answer to "how soon?"."""
    assert both.read(text, "professional").crisis == "no"
