"""The conversation core: odd input, crisis from anywhere, privacy, and never failing."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogue import State, UserInput
from flows import crisis, journey
from tests.chat import Chat

CRISIS_TEXT = "i want to end my life"
CHILDLINE = "0800 1111"
URGENT_NUMBERS = ("999", "111", "116 123", CHILDLINE, "85258")


def _at_topic_step(conversation) -> Chat:
    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a young person")
    chat.say("15")
    chat.press("Kirklees (for example Huddersfield, Dewsbury)")
    assert chat.state.step == "topics"
    return chat


def test_start_offers_audiences_and_urgent_help(conversation):
    chat = Chat(conversation)
    chat.start()
    assert {"I'm a young person", "I'm a parent or carer", "I work with children", "Urgent help now"} <= set(chat.labels)


def test_unsupported_input_gets_a_kind_answer_and_the_question_again(conversation):
    chat = _at_topic_step(conversation)
    chat.send(UserInput.unsupported("sticker"))
    assert "only read words" in chat.text and chat.state.step == "topics"
    assert chat.labels  # the question is asked again, with its buttons


def test_huge_message_is_read_and_answered(conversation):
    chat = _at_topic_step(conversation)
    chat.say("i feel so anxious " * 5000)
    assert chat.state.topics[0] == "anxiety" and chat.state.step == "severity"


def test_crisis_at_the_end_of_a_long_message_is_not_missed(conversation):
    chat = _at_topic_step(conversation)
    chat.say("blah " * 700 + CRISIS_TEXT)
    assert chat.state.step == "crisis"


def test_odd_unicode_is_handled(conversation):
    chat = _at_topic_step(conversation)
    for text in ("😢😢😢", "\u200b\u200b", "ａｎｘｉｏｕｓ", "I feel sad\u0000", "مرحبا", "ｉ ｗａｎｔ ｔｏ ｄｉｅ"):
        chat.say(text)
        assert chat.replies
    assert chat.state.step == "crisis"  # full-width letters are still read


def test_typed_button_words_press_the_button(conversation):
    chat = Chat(conversation)
    chat.start()
    chat.say("i'm a parent or carer")
    assert chat.state.audience == "parent"


def test_old_button_still_fills_its_question(conversation):
    chat = _at_topic_step(conversation)
    chat.send(UserInput.pressed("age:11-13"))
    assert chat.state.age_band == "11-13" and chat.state.step == "topics"


def test_unknown_button_is_not_an_error(conversation):
    chat = _at_topic_step(conversation)
    chat.send(UserInput.pressed("svc:no-such-service"))
    assert "earlier message" in chat.text and chat.state.step == "topics"


def test_ambiguous_words_get_one_direct_question(conversation):
    chat = _at_topic_step(conversation)
    chat.say("honestly whats the point of anything")
    if chat.state.step != "crisis_check":  # the lexicon may treat it as crisis outright
        assert chat.state.step == "crisis"
        return
    assert set(chat.labels) == {"Yes", "No"}
    chat.press("No")
    assert chat.state.step in ("topics", "severity")
    chat.say("yes")  # not an answer to anything now: no crash
    assert chat.replies


def test_yes_to_the_question_shows_urgent_help(conversation):
    chat = _at_topic_step(conversation)
    chat.send(UserInput.pressed("chk:yes"))
    assert all(n in chat.replies[0].text for n in URGENT_NUMBERS)


def test_choosing_the_suicidal_thoughts_button_shows_urgent_help_first(conversation):
    chat = _at_topic_step(conversation)
    chat.press("Hurting myself or wanting to die")
    chat.press("Thoughts of wanting to die")
    assert chat.state.step == "crisis" and "999" in chat.replies[0].text


def test_a_failing_step_still_answers_with_urgent_help(conversation, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")
    chat = _at_topic_step(conversation)
    monkeypatch.setattr(journey, "on_text", explode)
    chat.say("my exams are stressing me out")
    assert "went wrong" in chat.text and "999" in chat.text and "85258" in chat.text


def test_outside_kirklees_crisis_reply_has_no_local_line(conversation):
    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a young person")
    chat.say("15")
    chat.press("Somewhere else")
    chat.say(CRISIS_TEXT)
    assert "0300 304 5555" not in chat.text and "116 123" in chat.text


def test_state_round_trips_through_json(conversation):
    chat = _at_topic_step(conversation)
    chat.say("i get panic attacks")
    data = json.loads(json.dumps(chat.state.to_dict()))
    assert State.from_dict(data) == chat.state


def test_events_hold_no_personal_data(conversation):
    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a parent or carer")
    chat.say("my daughter Keeley Hargreaves is 13, call me on 07700 900123")
    chat.say("we live at 14 Acacia Avenue, Huddersfield HD1 2AB")
    chat.say("Keeley won't eat and I'm so worried, email me at mum@example.com")
    chat.press("A few months")
    chat.press("Quite a lot")
    chat.press("Yes, it helped")
    dumped = json.dumps([e.__dict__ for e in chat.events] + [chat.state.to_dict()]).lower()
    for secret in ("keeley", "hargreaves", "07700", "900123", "acacia", "hd1", "mum@example", "example.com"):
        assert secret not in dumped
    journey_event = next(e for e in chat.events if e.kind == "journey")
    assert journey_event.fields["topics"][0] == "eating" and journey_event.fields["age_band"] == "11-13"


def test_every_button_fits_telegram_callback_data(conversation):
    chat = Chat(conversation)
    outcome = chat.start()
    seen = set()
    for label in ("I work with children", "GP or health worker", "14 or 15",
                  "Kirklees (for example Huddersfield, Dewsbury)", "Emotional health",
                  "Worry, stress or panic", "Soon: getting worse", "Not really", "See all services",
                  "Getting help"):
        outcome = chat.press(label)
        seen |= {b.action for r in outcome.replies for b in r.all_buttons()}
    assert seen and all(len(a.encode()) <= 64 for a in seen)


_inputs = st.one_of(
    st.text(max_size=300).map(UserInput.typed),
    st.sampled_from(["aud:young_person", "aud:parent", "aud:professional", "age:14-15", "area:kirklees",
                     "area:elsewhere", "grp:feelings", "top:anxiety", "top:self-harm", "sev:lot", "dur:long",
                     "urg:today", "role:gp", "fb:no", "more", "browse", "sg:getting-help", "svc:kooth",
                     "resume", "restart", "chk:no", "back", "done", "urgent", "nonsense:x"]).map(UserInput.pressed),
    st.sampled_from(["/start", "/help", "/services", "/privacy", "/nope", "14", "huddersfield",
                     "i cant sleep", "Quite a lot"]).map(UserInput.typed),
    st.just(UserInput.unsupported("photo")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_inputs, max_size=12))
def test_crisis_words_lead_with_urgent_help_from_any_state(conversation, inputs):
    chat = Chat(conversation)
    chat.start()
    for given_input in inputs:
        chat.send(given_input)
        assert chat.replies, f"no reply to {given_input}"
    chat.say(CRISIS_TEXT)
    first = chat.replies[0].text
    adult = chat.state.audience == "young_person" and (chat.state.age or 0) >= crisis.ADULT_FROM
    wanted = [n for n in URGENT_NUMBERS if not (adult and n == CHILDLINE)]  # Childline is for children
    assert chat.state.step == "crisis" and all(n in first for n in wanted)


def test_typing_after_urgent_help_carries_on_where_they_were(conversation):
    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a parent or carer")
    chat.press("Urgent help now")
    chat.say("7")
    assert chat.state.step == "area" and chat.state.age == 7


def test_not_sure_where_is_not_taken_as_somewhere_else(conversation):
    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a young person")
    chat.say("15")
    chat.say("not sure")
    assert chat.state.step == "area" and chat.state.area is None
    chat.say("somewhere else")
    assert chat.state.area == "elsewhere"
