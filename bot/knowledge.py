"""Load the YAML knowledge base, validate it whole, and build read-only indexes.

Every problem found is reported with the file, the entry and the reason, and
loading fails if there is any: a bot that might give a wrong phone number to a
frightened child must not start.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml
from pydantic import BaseModel, ValidationError

from bot import schema
from bot.schema import GROUPINGS, Contact, Service, Text

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"
STALE_AFTER = dt.timedelta(days=365)


class _Values(dict):
    """Fill-ins for a sentence; a name the sentence does not use is simply ignored."""

    def __missing__(self, key: str) -> str:
        raise KeyError(f"message needs a value for {{{key}}}")


class KnowledgeError(Exception):
    """The knowledge base is invalid; `problems` lists every reason found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("knowledge base is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Area:
    info: schema.AreaInfo
    services: tuple[Service, ...]
    source: str

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class KnowledgeBase:
    areas: Mapping[str, Area]
    national: tuple[Service, ...]
    services: Mapping[str, Service]
    contacts: Mapping[str, Contact]
    topics: Mapping[str, schema.Topic]
    topic_groups: tuple[schema.TopicGroup, ...]
    thrive: schema.ThriveFile
    crisis: schema.CrisisFile
    messages: Mapping[str, Text]
    circumstances: Mapping[str, schema.Circumstance] = field(default_factory=dict)
    elsewhere: tuple[str, ...] = ()
    places: schema.PlacesFile | None = None  # where people say they live, at any question
    indicators: Mapping[str, schema.Indicator] = field(default_factory=dict)
    topic_fallback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    spellings: Mapping[str, str] = field(default_factory=dict)
    service_file: Mapping[str, str] = field(default_factory=dict)
    contact_file: Mapping[str, str] = field(default_factory=dict)
    root: Path | None = None  # the directory it was loaded from (the corpus and trained reader live there too)

    def say(self, key: str, audience: str | None = None, **values: Any) -> str:
        """The sentence stored under `key` for this audience, with values filled in."""
        text = self.messages[key].for_audience(audience)
        return text.format_map(_Values(values)) if "{" in text else text

    def grouping(self, grouping_id: str) -> schema.GroupingInfo:
        return next(g for g in self.thrive.groupings if g.id == grouping_id)

    def services_for_area(self, area_id: str | None) -> tuple[Service, ...]:
        """Local services first (when the area is known), then national ones."""
        local = self.areas[area_id].services if area_id in self.areas else ()
        return tuple(local) + self.national

    def choice(self, kind: str, choice_id: str) -> schema.Choice | None:
        return next((c for c in getattr(self.thrive, kind) if c.id == choice_id), None)


def _read_yaml(path: Path, root: Path, problems: list[str]) -> Any:
    name = _display(path, root)
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: cannot read the file: {exc}")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problems.append(f"{name}{where}: not valid YAML: {getattr(exc, 'problem', exc)}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{name}: must hold a mapping of keys at the top, not {type(data).__name__}")
        return None
    return data


def _display(path: Path, root: Path) -> str:
    try:
        return str(Path(root.name) / path.relative_to(root))
    except ValueError:
        return str(path)


def _entry_name(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into "services[3] 'chews': ages.min"."""
    node, where, rest = data, [], list(loc)
    while rest:
        key = rest.pop(0)
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            label = f"{where.pop() if where else ''}[{key}]"
            if isinstance(node, dict) and node.get("id"):
                label += f" '{node['id']}'"
            where.append(label)
            return ": ".join(where) + (": " + ".".join(map(str, rest)) if rest else "")
        where.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return ".".join(where)


def _validate(model: type[BaseModel], data: Any, name: str, problems: list[str]) -> Any:
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = _entry_name(data, tuple(err["loc"])) or "(top)"
            problems.append(f"{name}: {where}: {err['msg']}")
        return None


def load(directory: Path | str = DEFAULT_DIR) -> KnowledgeBase:
    """Read and validate every file under `directory`; raise KnowledgeError if any is wrong."""
    root = Path(directory)
    problems: list[str] = []
    if not root.is_dir():
        raise KnowledgeError([f"{root}: knowledge directory not found"])

    def read(rel: str, model: type[BaseModel]) -> Any:
        path = root / rel
        if not path.exists():
            problems.append(f"{_display(path, root)}: file is missing")
            return None
        return _validate(model, _read_yaml(path, root, problems), _display(path, root), problems)

    thrive = read("thrive.yaml", schema.ThriveFile)
    topics_file = read("topics.yaml", schema.TopicsFile)
    crisis = read("crisis.yaml", schema.CrisisFile)
    messages = read("messages.yaml", schema.MessagesFile)
    national = read("national.yaml", schema.NationalFile)
    circumstances = read("circumstances.yaml", schema.CircumstancesFile)
    places = read("places.yaml", schema.PlacesFile)
    indicators = read("indicators.yaml", schema.IndicatorsFile)
    area_files = sorted((root / "areas").glob("*.yaml")) if (root / "areas").is_dir() else []
    if not area_files:
        problems.append(f"{_display(root / 'areas', root)}: no area files (areas/<area>.yaml)")
    areas = {
        _display(p, root): _validate(schema.AreaFile, _read_yaml(p, root, problems), _display(p, root), problems)
        for p in area_files
    }
    if problems:
        raise KnowledgeError(problems)

    kb = _assemble(thrive, topics_file, crisis, messages, national, areas, problems)
    kb = replace(kb, circumstances=MappingProxyType({c.id: c for c in circumstances.circumstances}),
                 elsewhere=tuple(places.elsewhere), places=places,
                 indicators=MappingProxyType({i.code: i for i in indicators.indicators}), root=root)
    _check_references(kb, problems)
    if problems:
        raise KnowledgeError(problems)
    return kb


def _assemble(thrive, topics_file, crisis, messages, national, areas, problems) -> KnowledgeBase:
    services: dict[str, Service] = {}
    contacts: dict[str, Contact] = {}
    service_file: dict[str, str] = {}
    contact_file: dict[str, str] = {}

    def add(file: str, file_services, file_contacts) -> None:
        for contact in file_contacts:
            if contact.id in contacts:
                problems.append(f"{file}: contact '{contact.id}': id already used in {contact_file[contact.id]}")
            contacts[contact.id], contact_file[contact.id] = contact, file
        for service in file_services:
            if service.id in services:
                problems.append(f"{file}: service '{service.id}': id already used in {service_file[service.id]}")
            services[service.id], service_file[service.id] = service, file

    add("knowledge/national.yaml", national.services, national.contacts)
    area_map: dict[str, Area] = {}
    for file, area_file in areas.items():
        add(file, area_file.services, area_file.contacts)
        if area_file.area.id in area_map:
            problems.append(f"{file}: area '{area_file.area.id}': defined twice")
        area_map[area_file.area.id] = Area(area_file.area, tuple(area_file.services), file)
    return KnowledgeBase(
        areas=MappingProxyType(area_map),
        national=tuple(national.services),
        services=MappingProxyType(services),
        contacts=MappingProxyType(contacts),
        topics=MappingProxyType({t.id: t for t in topics_file.topics}),
        topic_groups=tuple(topics_file.groups),
        thrive=thrive,
        crisis=crisis,
        messages=MappingProxyType(dict(messages.messages)),
        topic_fallback=MappingProxyType({k: tuple(v) for k, v in topics_file.fallback.items()}),
        spellings=MappingProxyType(dict(topics_file.spellings)),
        service_file=MappingProxyType(service_file),
        contact_file=MappingProxyType(contact_file),
    )


def _check_references(kb: KnowledgeBase, problems: list[str]) -> None:
    _check_thrive_and_topics(kb, problems)
    for followup in kb.thrive.followups:
        if followup.message not in kb.messages:
            problems.append(f"thrive.yaml: followup '{followup.id}': message '{followup.message}' is not in messages.yaml")
    for service_id, service in kb.services.items():
        where = f"{kb.service_file[service_id]}: service '{service_id}'"
        for topic in service.topics:
            if topic not in kb.topics and topic != "all":
                problems.append(f"{where}: topics: unknown topic '{topic}'")
        for contact in service.contacts:
            if contact not in kb.contacts:
                problems.append(f"{where}: contacts: unknown contact '{contact}'")
        for circumstance in service.circumstances:
            if circumstance not in kb.circumstances:
                problems.append(f"{where}: circumstances: unknown circumstance '{circumstance}'")
        for needed in service.only_for:
            if needed not in kb.topics and needed not in kb.circumstances:
                problems.append(f"{where}: only_for: '{needed}' is neither a topic nor a circumstance")
        if service.access.via and service.access.via not in kb.services:
            problems.append(f"{where}: access.via: unknown service '{service.access.via}'")
        if service.access.via == service_id:
            problems.append(f"{where}: access.via: a service cannot be its own way in")
    for topic in kb.crisis.always_ask:
        if topic not in kb.topics:
            problems.append(f"crisis.yaml: always_ask: unknown topic '{topic}'")
    for circumstance in kb.circumstances.values():
        for contact in circumstance.crisis_contacts:
            if contact not in kb.contacts:
                problems.append(f"circumstances.yaml: circumstance '{circumstance.id}': crisis_contacts: "
                                f"unknown contact '{contact}'")
        for field_name in ("crisis_outro", "help_coming"):
            key = getattr(circumstance, field_name)
            if key and key not in kb.messages:
                problems.append(f"circumstances.yaml: circumstance '{circumstance.id}': {field_name}: "
                                f"no message '{key}' in messages.yaml")
        if circumstance.safety_question and circumstance.safety_question not in kb.messages:
            problems.append(f"circumstances.yaml: circumstance '{circumstance.id}': safety_question: "
                            f"no message '{circumstance.safety_question}' in messages.yaml")
    for area in kb.areas.values():
        where = f"{area.source}: area '{area.id}'"
        local = {s.id for s in area.services}
        for key in ("front_door", "safeguarding_door"):
            value = getattr(area.info, key)
            if value and value not in local:
                problems.append(f"{where}: {key}: '{value}' is not a service in this file")
        for contact in area.info.crisis_contacts:
            if contact not in kb.contacts:
                problems.append(f"{where}: crisis_contacts: unknown contact '{contact}'")
        _check_coverage(kb, area, problems)
    for contact in kb.crisis.contacts:
        if contact != "area" and contact not in kb.contacts:
            problems.append(f"knowledge/crisis.yaml: contacts: unknown contact '{contact}'")


def _check_thrive_and_topics(kb: KnowledgeBase, problems: list[str]) -> None:
    found = [g.id for g in kb.thrive.groupings]
    if sorted(found) != sorted(GROUPINGS):
        problems.append(f"knowledge/thrive.yaml: groupings: must be exactly {', '.join(GROUPINGS)}")
    grouped: set[str] = set()
    for group in kb.topic_groups:
        for topic in group.topics:
            if topic not in kb.topics:
                problems.append(f"knowledge/topics.yaml: groups '{group.id}': unknown topic '{topic}'")
            grouped.add(topic)
    for audience, fallback in kb.topic_fallback.items():
        for topic in fallback:
            if topic not in kb.topics:
                problems.append(f"knowledge/topics.yaml: fallback '{audience}': unknown topic '{topic}'")
    for kind in ("phrases", "ambiguous"):
        for topic in getattr(kb.crisis, kind):
            if topic not in kb.topics:
                problems.append(f"knowledge/crisis.yaml: {kind}: unknown topic '{topic}'")
    for number, combo in enumerate(kb.crisis.combos):
        if combo.topic not in kb.topics:
            problems.append(f"knowledge/crisis.yaml: combos[{number}] ({', '.join(combo.all)}): unknown topic '{combo.topic}'")
    for grouping in kb.thrive.cues:
        if grouping not in GROUPINGS:
            problems.append(f"knowledge/thrive.yaml: cues: unknown grouping '{grouping}'")
    for topic in kb.topics:
        if topic not in grouped:
            problems.append(f"knowledge/topics.yaml: topic '{topic}': is in no group, so no button reaches it")


def _check_coverage(kb: KnowledgeBase, area: Area, problems: list[str]) -> None:
    """Every topic must reach at least one service in every grouping, in every area."""
    available = kb.services_for_area(area.id)
    for topic in kb.topics:
        for grouping in GROUPINGS:
            if not any(
                grouping in s.groupings and (topic in s.topics or "all" in s.topics) for s in available
            ):
                problems.append(
                    f"{area.source}: area '{area.id}': no service for topic '{topic}' in grouping '{grouping}'"
                )


def stale_contacts(kb: KnowledgeBase, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """Contacts a person should re-check: (file, contact id, reason)."""
    today = today or dt.date.today()
    found = []
    for contact_id, contact in sorted(kb.contacts.items()):
        prov = contact.provenance
        reasons = []
        if prov.checked is None:
            reasons.append("never checked against its source")
        elif today - prov.checked > STALE_AFTER:
            reasons.append(f"last checked {prov.checked.isoformat()}, over 12 months ago")
        if prov.confidence == "low":
            reasons.append("low confidence")
        if reasons:
            found.append((kb.contact_file[contact_id], contact_id, "; ".join(reasons)))
    return found
