"""Pick 1-3 services for a need, a THRIVE grouping, an age and an area.

A service is eligible when it works in the grouping and the area and takes the
person's age. Among those, services made for the need beat the general doors
(topics: [all]), local beats national, and a service the person can contact
themselves beats one they must be referred to.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import KnowledgeBase
from bot.schema import GROUPINGS, Service

MAX_SERVICES = 3
MIN_SERVICES = 2  # fewer than this, and the results are topped up from near groupings
RISK = "getting-risk-support"
ADULT_AGE = 18  # the top of children's services: from here, the adult routes
# Why nothing local was made for this need (for the demand log's gap counts).
GAP_NO_LOCAL = "no-local-service"
GAP_OUT_OF_AREA = "out-of-area"
GAP_AGE = "outside-age-limits"
GAP_REASONS = (GAP_NO_LOCAL, GAP_OUT_OF_AREA, GAP_AGE)
_SELF_REFERRER = {"young_person": "self", "parent": "parent"}


@dataclass(frozen=True)
class Person:
    audience: str | None
    age_min: int | None
    age_max: int | None
    area: str | None
    referrer: str | None = None
    circumstances: tuple[str, ...] = ()
    own_need: bool = False  # a parent asking about their own mental health: the person is the parent


@dataclass(frozen=True)
class Recommendation:
    services: tuple[Service, ...]
    gap: bool  # nothing made for this need locally: only general doors or national lines
    gap_reason: str | None = None  # one of GAP_REASONS when gap is true


class Recommender:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        # Per area: services in area order, built once.
        self._by_area = {area: kb.services_for_area(area) for area in (*kb.areas, None)}
        self._local_ids = {area: frozenset(s.id for s in kb.areas[area].services) for area in kb.areas}

    def recommend(self, topics: tuple[str, ...], grouping: str, person: Person) -> Recommendation:
        pool = [s for s in self._by_area.get(person.area if person.area in self.kb.areas else None, ())
                if not s.planned and self._fits(s, person, topics) and _meant_for(s, topics, person)]
        if grouping == RISK:
            pool = [s for s in pool if not s.not_for_emergencies]
        chosen = self._best(pool, topics, (grouping,), person)
        if not any(self._specific(s, topics, person) for s in chosen) and grouping != RISK:
            # Look one grouping either side for something made for this need.
            near = _neighbours(grouping)
            extra = [s for s in self._best(pool, topics, near, person) if self._specific(s, topics, person)]
            chosen = _unique(extra[:1] + list(chosen))[:MAX_SERVICES]
        if len(chosen) < MIN_SERVICES and grouping != RISK:
            chosen = self._topped_up(chosen, pool, topics, grouping, person)
        if person.audience == "young_person" and grouping != RISK:
            # One door they can open themselves, today: someone to talk to (a service with opening
            # hours: Kooth, Childline, Night OWLS), not only pages to read ("someone who gets it",
            # blind conversations, December 2026). A service that is already the way in to a
            # chosen one does not count: its number is on that card already.
            via = {s.access.via for s in chosen}
            chosen = self._with_one(chosen, pool, topics, (grouping,), person,
                                    lambda s: _direct(s) and s.hours is not None and s.id not in via)
        if person.age_min is not None and person.age_min >= ADULT_AGE and grouping != RISK:
            # From 18, one adult route at least (NHS talking therapies, a GP): a children's service
            # that still takes an 18-year-old is a bridge, and the adult door is where help goes on.
            chosen = self._with_one(chosen, pool, topics, GROUPINGS[:-1], person, lambda s: s.for_adults,
                                    anywhere=True)
        doors = self._area_doors(person)
        if doors:  # the area's own door for the situation (abuse at home: safeguarding) leads
            chosen = _unique(doors + [s for s in chosen if s not in doors])[:MAX_SERVICES]
        local_ids = self._local_ids.get(person.area, frozenset())
        if person.area not in self.kb.areas:
            gap = True
        elif grouping == RISK:
            gap = False  # in a crisis the emergency lines are the right answer, not a missing service
        elif doors:
            gap = False  # the area's own door for the situation is the right answer
        else:
            # A local service made for any of the needs named is not a gap ("trauma" first, and a
            # local service for "family" chosen: the message must not say there is nothing local).
            gap = not any((self._specific(s, topics, person) or set(topics) & set(s.topics)) and s.id in local_ids
                          for s in chosen)
        first_need_unmet = not any(self._specific(s, topics, person) and s.id in local_ids for s in chosen)
        if first_need_unmet and person.audience == "young_person" and grouping != RISK:
            # Nothing local made for a young person's need (being trans, a grief): one national line
            # they can use tonight without anyone's say-so (Kooth, Childline) is among the doors.
            chosen = self._with_one(chosen, pool, topics, _neighbours(grouping) + (grouping,), person,
                                    lambda s: _direct(s) and s.id not in local_ids, calm=True)
        return Recommendation(chosen, gap, self._gap_reason(topics, person) if gap else None)

    def _with_one(self, chosen: tuple[Service, ...], pool: list[Service], topics: tuple[str, ...],
                  groupings: tuple[str, ...], person: Person, wanted, anywhere: bool = False,
                  calm: bool = False) -> tuple[Service, ...]:
        """At least one door of a kind among the chosen (`wanted`); if none, the best of that kind
        in these groupings takes the last place (`calm`: never an emergency line; `anywhere`:
        failing that, any of that kind that is not an emergency line)."""
        if any(wanted(s) for s in chosen):
            return chosen
        found = [s for s in self._best(pool, topics, groupings, person, limit=len(pool))
                 if wanted(s) and not (calm and s.emergency)]
        if not found and anywhere:
            found = [s for s in pool if wanted(s) and not s.emergency]
        return _unique(list(chosen[: MAX_SERVICES - 1]) + found[:1]) if found else chosen

    def _topped_up(self, chosen: tuple[Service, ...], pool: list[Service], topics: tuple[str, ...],
                   grouping: str, person: Person) -> tuple[Service, ...]:
        """Never one door alone: add what is made for the need one grouping either side, then the
        general doors (a GP, Childline, the area's way in) of any grouping short of crisis.

        A grouping is a guess from a few answers; an empty or single answer fails the person more
        than a near one does (a trans teenager outside the areas was told nothing could be found).
        """
        near = _neighbours(grouping)
        made_for = [s for s in self._best(pool, topics, near, person, limit=len(pool)) if self._specific(s, topics, person)]
        general = self._best(pool, topics, near + (grouping,), person, limit=len(pool))
        anywhere = self._best(pool, topics, GROUPINGS[:-1], person, limit=len(pool))
        return _unique(list(chosen) + made_for + list(general) + list(anywhere))[:MIN_SERVICES]

    def _area_doors(self, person: Person) -> list[Service]:
        area = self.kb.areas.get(person.area or "")
        if area is None:
            return []
        keys = [c.area_door for name in person.circumstances if (c := self.kb.circumstances.get(name)) and c.area_door]
        ids = [getattr(area.info, key) for key in dict.fromkeys(keys)]
        # A children's door is for children: a 21-year-old living with abuse gets the adult routes.
        return [self.kb.services[i] for i in ids if i and takes_age(self.kb.services[i], person)]

    def _gap_reason(self, topics: tuple[str, ...], person: Person) -> str:
        """Out of area; or local services made for the need exist but none takes this age; or none exist."""
        if person.area not in self.kb.areas:
            return GAP_OUT_OF_AREA
        made_for = [s for s in self.kb.areas[person.area].services
                    if not s.planned and _meant_for(s, topics, person) and self._specific(s, topics, person)]
        if made_for and not any(takes_age(s, person) for s in made_for):
            return GAP_AGE
        return GAP_NO_LOCAL

    def _best(self, pool: list[Service], topics: tuple[str, ...], groupings: tuple[str, ...], person: Person,
              limit: int = MAX_SERVICES) -> tuple[Service, ...]:
        # A service for the person's situation (abuse at home, in care) fits at any grouping:
        # the situation, not how much it affects them, makes it the right door.
        # For a child, though, their own lines (Childline, the safeguarding door) come before a
        # service for adult victims, which keeps to its groupings.
        situation = set(person.circumstances)
        child = person.audience == "young_person" and (person.age_min is None or person.age_min < ADULT_AGE)
        fitting = [s for s in pool if any(g in s.groupings for g in groupings)
                   or (situation & set(s.circumstances) and not (child and s.for_adults))]
        scored = sorted(
            ((self._score(s, topics, person, groupings), i, s) for i, s in enumerate(fitting)),
            key=lambda item: (-item[0], item[1]),
        )
        return tuple(s for score, _, s in scored if score > 0)[:limit]

    def _score(self, service: Service, topics: tuple[str, ...], person: Person, groupings: tuple[str, ...]) -> float:
        score = 0.0
        for rank, topic in enumerate(topics[:3]):
            if topic in service.topics:
                score += 4.0 / (rank + 1)
        if "all" in service.topics:
            score += 1.0
        if set(service.circumstances) & set(person.circumstances):
            score += 5.0
        if score == 0:
            return 0.0
        if service.id in self._local_ids.get(person.area, ()):
            score += 0.5
        referrer = person.referrer or _SELF_REFERRER.get(person.audience or "")
        if referrer and referrer in service.access.referrers:
            score += 0.5
        if RISK in groupings and service.emergency:
            score += 3.0
        elif RISK not in groupings and RISK in service.groupings:
            score -= 1.0  # keep crisis teams and lines for crisis (they are shown then anyway): never first otherwise
        return score

    @staticmethod
    def _specific(service: Service, topics: tuple[str, ...], person: Person) -> bool:
        made_for_need = bool(topics) and topics[0] in service.topics
        return made_for_need or bool(set(service.circumstances) & set(person.circumstances))

    def _fits(self, service: Service, person: Person, topics: tuple[str, ...]) -> bool:
        """Right for this person: for a parent's own need, a route for adults or a service made
        for that need (not a child's service that also names it); otherwise the age."""
        if person.own_need:
            return service.for_adults or (bool(topics) and topics[0] in service.topics)
        return takes_age(service, person)


def takes_age(service: Service, person: Person) -> bool:
    """The service takes someone of this person's age (unknown ages: a children's service)."""
    if person.age_min is None or person.age_max is None:
        return True
    if service.ages is None or service.ages.unknown:  # taken to be a children's service: never offered to an adult
        return service.for_adults or person.age_min < ADULT_AGE
    return service.ages.min <= person.age_max and person.age_min <= service.ages.max


def _meant_for(service: Service, topics: tuple[str, ...], person: Person) -> bool:
    return not service.only_for or bool(set(service.only_for) & (set(topics) | set(person.circumstances)))


def _direct(service: Service) -> bool:
    return "self" in service.access.referrers and service.access.via is None


def _unique(services: list[Service]) -> tuple[Service, ...]:
    seen: dict[str, Service] = {}
    for service in services:
        seen.setdefault(service.id, service)
    return tuple(seen.values())


def _neighbours(grouping: str) -> tuple[str, ...]:
    i = GROUPINGS.index(grouping)
    return tuple(GROUPINGS[j] for j in (i - 1, i + 1) if 0 <= j < len(GROUPINGS) - 1)
