"""The text-matching building blocks: normalising, phrase matching, spelling fixes."""
from __future__ import annotations

import pytest

from bot.knowledge import load
from bot.textmatch import COMMON_WORDS, Match, PhraseIndex, SpellingFixer, normalise
from bot.understand import Understander


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(load())


# --- normalise ----------------------------------------------------------------------

def test_normalise_drops_apostrophes_case_and_accents():
    assert normalise("I DON'T know, it’s Café time!") == ["i", "dont", "know", "its", "cafe", "time"]


def test_normalise_expands_slang_to_several_words():
    assert normalise("im scared rn", {"im": "i am", "rn": "right now"}) == ["i", "am", "scared", "right", "now"]


def test_normalise_shortens_stretched_letters_and_splits_numbers_from_words():
    assert normalise("soooo tireddddd") == ["soo", "tiredd"]
    assert normalise("my 15yo wakes at 3am") == ["my", "15", "yo", "wakes", "at", "3", "am"]


def test_normalise_keeps_star_for_phrase_prefixes_and_drops_emoji():
    assert normalise("suicid* 😭") == ["suicid*"]
    assert normalise("") == []


# --- PhraseIndex ----------------------------------------------------------------------

def _index(*phrases: str) -> PhraseIndex:
    return PhraseIndex((p, p) for p in phrases)


def test_in_order_match_with_up_to_two_gap_words():
    index = _index("cant sleep")
    assert [m.key for m in index.find("i cant really ever sleep".split())] == ["cant sleep"]
    assert index.find("i cant really ever properly sleep".split()) == []
    assert index.find("sleep cant".split()) == []


def test_match_positions_and_size():
    (m,) = _index("want to die").find("i really want to die".split())
    assert m == Match("want to die", "want to die", 2, 5, 3)


def test_prefix_tokens_match_word_starts():
    index = _index("suicid*", "self injur*")
    keys = [m.key for m in index.find("suicidal thoughts and self injuring".split())]
    assert keys == ["suicid*", "self injur*"]


def test_a_lone_star_matches_any_one_word():
    index = _index("cut * hair")
    assert index.find("i cut my hair".split())
    assert not index.find("i cut myself".split())


def test_one_phrase_can_match_many_times_and_duplicates_are_ignored():
    index = PhraseIndex([("a", "sad"), ("a", "sad"), ("b", "sad")])
    assert len(index) == 2
    assert sorted(m.key for m in index.find("sad sad".split())) == ["a", "a", "b", "b"]


def test_phrases_are_normalised_with_the_same_spellings():
    index = PhraseIndex([("k", "kms")], {"kms": "kill myself"})
    assert index.find(normalise("i wanna kms", {"kms": "kill myself"}))


# --- SpellingFixer --------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixer() -> SpellingFixer:
    return SpellingFixer(["anxiety", "suicidal", "overdose", "killing", "dying", "depressed", "learning"])


@pytest.mark.parametrize("typo, fixed", [
    ("anxeity", "anxiety"), ("suicidle", "suicidal"), ("overdoes", "overdose"),
    ("depresed", "depressed"), ("lerning", "learning"),
])
def test_close_misspellings_are_fixed(fixer, typo, fixed):
    assert fixer.fix(typo) == fixed


@pytest.mark.parametrize("word", ["kissing", "dyeing", "sad", "cat", "2day", "hello"])
def test_real_words_short_words_and_non_letters_are_left_alone(fixer, word):
    assert fixer.fix(word) == word


def test_common_words_include_the_risky_neighbours():
    assert {"kissing", "dyeing", "stone"} <= COMMON_WORDS


def test_fixer_corrects_whole_token_lists(fixer):
    assert fixer(["feel", "suicidle"]) == ["feel", "suicidal"]


# --- the real lexicon ---------------------------------------------------------------

def test_lexicon_misspellings_reach_their_topics(understander):
    assert understander.read("i have really bad anxeity").topics[0] == "anxiety"
    assert understander.read("im being bullyed at skool").topics[0] == "bullying"


def test_knowledge_base_phrases_all_normalise_to_something(understander):
    kb = understander.kb
    for topic in kb.topics.values():
        for phrase in topic.phrases + topic.weak_phrases:
            assert normalise(phrase, kb.spellings), (topic.id, phrase)
