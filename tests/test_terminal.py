"""The terminal chat: numbered buttons, typed labels, free text, and scripted input."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.adapters import terminal
from bot.dialogue import Button, Reply

ROOT = Path(__file__).resolve().parents[1]


def test_numbers_and_labels_pick_buttons():
    reply = Reply("Pick", ((Button("Yes", "chk:yes"), Button("No", "chk:no")),))
    assert terminal.to_input("2", reply).action == "chk:no"
    assert terminal.to_input("  YES ", reply).action == "chk:yes"
    assert terminal.to_input("7", reply).kind == "text"
    assert terminal.to_input("maybe", reply).text == "maybe"


def test_render_numbers_buttons():
    text = terminal.render(Reply("Pick", ((Button("Yes", "a"),), (Button("No", "b"),))))
    assert text == "Pick\n  [1] Yes\n  [2] No"


def test_scripted_conversation_in_process(conversation):
    source = io.StringIO("1\n14\nhuddersfield\ni feel anxious all the time\nquite a lot\n")
    out = io.StringIO()
    assert terminal.run(conversation, source, out) == 0
    printed = out.getvalue()
    assert "> quite a lot" in printed and "ChEWS" in printed and "Did this help?" in printed


def test_piped_run_bot_chat_whole_conversation():
    script = "2\n5 to 10\nDewsbury\nhe wont go to school and gets really angry\n3\n2\n/crisis\n/quit\n"
    done = subprocess.run([sys.executable, "run_bot.py", "chat"], input=script, capture_output=True,
                          text=True, cwd=ROOT, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "How old is your child?" in done.stdout
    assert "Here is who can help" in done.stdout
    assert "116 123" in done.stdout


def test_a_number_at_the_age_question_is_an_age_not_a_button(conversation):
    from bot.dialogue import State, UserInput

    state = conversation.step(State(), UserInput.pressed("aud:parent")).state
    asked = conversation.step(State(), UserInput.pressed("aud:parent")).replies[-1]
    given = terminal.to_input("3", asked)
    assert given.kind == "text"
    answered = conversation.step(state, given).state
    assert answered.age == 3 and answered.age_band == "under-5"
