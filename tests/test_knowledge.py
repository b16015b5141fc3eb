"""The knowledge base loads, says where every fact comes from, and refuses bad files."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot import knowledge
from bot.cli import main as cli_main
from bot.schema import GROUPINGS

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"


def test_loads_with_every_grouping_and_area(kb):
    assert set(kb.areas) == {"kirklees", "wakefield"}
    assert {g.id for g in kb.thrive.groupings} == set(GROUPINGS)
    assert {"kirklees-spoc", "kirklees-chews", "kirklees-insight", "kooth", "childline"} <= set(kb.services)


def test_every_topic_in_the_eval_taxonomy_exists(kb):
    topics_md = SHARED / "eval" / "topics.md"
    if not topics_md.exists():
        pytest.skip("shared eval files not beside the repo")
    ids = set(re.findall(r"^\| ([a-z-]+) \|", topics_md.read_text(), re.M)) - {"id"}
    assert ids == set(kb.topics)


def _sourced_numbers(kb) -> dict[str, dict]:
    """knowledge/sources.yaml: numbers found in public pages after the research file was written."""
    path = kb.root / "sources.yaml"
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    return {re.sub(r"\s", "", str(e["number"])): e for e in entries}


def test_every_found_number_records_where_when_and_how_sure(kb):
    for number, entry in _sourced_numbers(kb).items():
        assert str(entry.get("address", "")).startswith("http"), number
        assert entry.get("page_date"), number  # a date, or "undated"
        assert str(entry.get("found")) >= "2026-01-01", number
        assert entry.get("confidence") in ("high", "medium", "low"), number
        assert entry.get("quote"), number


def test_no_phone_number_is_invented(kb):
    """Every phone or text number must appear in research/contacts.md or in knowledge/sources.yaml."""
    contacts_md = SHARED / "research" / "contacts.md"
    if not contacts_md.exists():
        pytest.skip("shared research files not beside the repo")
    known = re.sub(r"\s", "", contacts_md.read_text())
    found = _sourced_numbers(kb)
    for contact in kb.contacts.values():
        if contact.kind in ("phone", "text"):
            number = re.sub(r"\s", "", contact.value)
            assert number in known or number in found, contact.id


def test_no_number_hides_in_the_words(kb):
    """Sentences may only mention numbers that are contacts in the knowledge base."""
    numbers = {re.sub(r"\s", "", c.value) for c in kb.contacts.values() if c.kind in ("phone", "text")}
    texts = [t.for_audience(a) for t in kb.messages.values() for a in ("young_person", "parent", "professional")]
    for found in re.findall(r"\b0\d[\d ]{6,12}\d\b", " ".join(texts)):
        assert re.sub(r"\s", "", found) in numbers, found


def test_seed_citations_point_inside_the_seed_files(kb):
    if not SEEDS.exists():
        pytest.skip("seed files not beside the repo")
    sizes = {p.name: sum(1 for _ in p.open(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    for service in kb.services.values():
        refs = list(service.sources) + [w.source for w in service.waiting]
        for ref in refs:
            name = Path(ref.file).name
            assert name in sizes, f"{service.id}: unknown seed file {ref.file}"
            for number in re.findall(r"\d+", ref.lines):
                assert 1 <= int(number) <= sizes[name], f"{service.id}: line {number} outside {name}"


def test_services_without_seed_facts_have_contact_provenance(kb):
    for service in kb.services.values():
        assert service.sources or all(kb.contacts[c].provenance.source for c in service.contacts)


def test_waiting_times_are_dated(kb):
    for service in kb.services.values():
        for wait in service.waiting:
            assert wait.as_of[:4] in wait.text.for_audience("young_person"), service.id


def test_stale_contacts_are_listed():
    kb = knowledge.load()
    today = dt.date(2026, 11, 23)
    listed = {cid for _, cid, _ in knowledge.stale_contacts(kb, today)}
    low = {cid for cid, c in kb.contacts.items() if c.provenance.confidence == "low"}
    unchecked = {cid for cid, c in kb.contacts.items() if c.provenance.checked is None}
    assert low | unchecked <= listed


# --- broken knowledge bases ---------------------------------------------------

@pytest.fixture
def broken(tmp_path):
    """A copy of the knowledge base to break."""
    target = tmp_path / "knowledge"
    shutil.copytree(knowledge.DEFAULT_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(directory: Path) -> str:
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.load(directory)
    return "\n".join(caught.value.problems)


def _service(data, service_id):
    return next(s for s in data["services"] if s["id"] == service_id)


def test_bad_yaml_names_file_and_line(broken):
    (broken / "thrive.yaml").write_text("groupings:\n  - id: thriving\n   name: [unclosed\n")
    problems = _problems(broken)
    assert "thrive.yaml" in problems and "line" in problems


def test_unknown_key_names_file_entry_and_key(broken):
    _edit(broken / "areas" / "kirklees.yaml", lambda d: _service(d, "kirklees-chews").update(opening="9-5"))
    problems = _problems(broken)
    assert "kirklees.yaml" in problems and "'kirklees-chews'" in problems and "opening" in problems


def test_bad_age_range_is_refused(broken):
    _edit(broken / "areas" / "kirklees.yaml", lambda d: _service(d, "kirklees-chews").update(ages={"min": 19, "max": 5}))
    assert "min age 19 is above max age 5" in _problems(broken)


def test_bad_phone_number_is_refused(broken):
    def change(data):
        next(c for c in data["contacts"] if c["id"] == "samaritans-phone")["value"] = "12345"
    _edit(broken / "national.yaml", change)
    problems = _problems(broken)
    assert "national.yaml" in problems and "samaritans-phone" in problems and "12345" in problems


def test_bad_hours_are_refused(broken):
    _edit(broken / "national.yaml", lambda d: _service(d, "kooth").update(hours={"weekly": {"mon": ["noon-10pm"]}}))
    assert "noon-10pm" in _problems(broken)


def test_unknown_references_are_refused(broken):
    def change(data):
        chews = _service(data, "kirklees-chews")
        chews["topics"] = ["anxiety", "moodiness"]
        chews["contacts"] = ["no-such-contact"]
        chews["access"]["via"] = "no-such-service"
    _edit(broken / "areas" / "kirklees.yaml", change)
    problems = _problems(broken)
    assert "unknown topic 'moodiness'" in problems
    assert "unknown contact 'no-such-contact'" in problems
    assert "unknown service 'no-such-service'" in problems


def test_a_topic_with_no_service_in_a_grouping_is_refused(broken):
    def change(data):
        data["topics"].append({"id": "new-need", "label": "New", "about": "a new need", "phrases": ["new need"]})
        data["groups"][0]["topics"].append("new-need")
    _edit(broken / "topics.yaml", change)
    _edit(broken / "areas" / "kirklees.yaml", lambda d: _service(d, "kirklees-spoc").update(topics=["anxiety"]))
    problems = _problems(broken)
    assert "no service for topic" in problems


def test_missing_file_is_refused(broken):
    (broken / "messages.yaml").unlink()
    assert "messages.yaml: file is missing" in _problems(broken)


def test_check_command_reports_valid_and_stale(capsys):
    assert cli_main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK:") and "re-check" in out and "kirklees-spoc-phone" in out


def test_check_command_fails_on_invalid(broken, capsys):
    (broken / "crisis.yaml").write_text("phrases: {}\n")
    assert cli_main(["--knowledge", str(broken), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID") and "crisis.yaml" in out


def test_chat_refuses_to_start_on_invalid(broken, capsys):
    (broken / "topics.yaml").write_text("topics: nope\n")
    assert cli_main(["--knowledge", str(broken), "chat"]) == 1
    assert "topics.yaml" in capsys.readouterr().err
