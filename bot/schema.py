"""The shape of every knowledge-base file, as pydantic models.

Each model forbids unknown keys so that a typo in YAML ("ages: {mn: 5}") is an
error at start-up, not a silently missing fact.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AUDIENCES = ("young_person", "parent", "professional")
GROUPINGS = (
    "thriving",
    "getting-advice",
    "getting-help",
    "getting-more-help",
    "getting-risk-support",
)
Audience = Literal["young_person", "parent", "professional"]
Grouping = Literal[
    "thriving", "getting-advice", "getting-help", "getting-more-help", "getting-risk-support"
]
Referrer = Literal["self", "parent", "school", "gp", "professional", "social_worker"]
Confidence = Literal["high", "medium", "low"]
ContactKind = Literal["phone", "text", "web", "email", "address"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
_LINES = re.compile(r"^\d+(-\d+)?(, ?\d+(-\d+)?)*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(Strict):
    """Words that may differ per audience; `default` is used when one is missing."""

    default: str | None = None
    young_person: str | None = None
    parent: str | None = None
    professional: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, value: object) -> object:
        return {"default": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        if not any((self.default, self.young_person, self.parent, self.professional)):
            raise ValueError("needs at least one non-empty text")
        return self

    def for_audience(self, audience: str | None) -> str:
        chosen = getattr(self, audience, None) if audience in AUDIENCES else None
        return chosen or self.default or self.young_person or self.parent or self.professional or ""


class SeedRef(Strict):
    """A fact from one of the seed documents: file and line numbers."""

    file: str
    lines: str

    @field_validator("lines", mode="before")
    @classmethod
    def _lines(cls, value: object) -> str:
        text = str(value).replace("–", "-").replace("L", "")
        if not _LINES.match(text):
            raise ValueError(f"lines must look like '355' or '355-386, 862', got {value!r}")
        return text


class Provenance(Strict):
    """Where a contact detail comes from and how sure we are of it."""

    source: str
    page_date: dt.date | None = None
    checked: dt.date | None = None
    confidence: Confidence
    note: str | None = None


class Contact(Strict):
    id: str = Field(pattern=_ID)
    kind: ContactKind
    value: str
    label: Text
    hours: str | None = None
    provenance: Provenance

    @model_validator(mode="after")
    def _format(self) -> Contact:
        digits = re.sub(r"[ ]", "", self.value)
        if self.kind == "phone" and not _valid_uk_phone(digits):
            raise ValueError(f"phone {self.value!r} is not a UK number we recognise")
        if self.kind == "text" and not (digits.isdigit() and (len(digits) == 5 or _valid_uk_phone(digits))):
            raise ValueError(f"text number {self.value!r} must be a 5-digit short code or a UK mobile")
        if self.kind == "web" and (" " in self.value or "." not in self.value):
            raise ValueError(f"web address {self.value!r} looks wrong")
        if self.kind == "email" and not re.match(r"^[^@\s]+@[^@\s]+\.[a-z]+$", self.value):
            raise ValueError(f"email {self.value!r} looks wrong")
        return self


def _valid_uk_phone(digits: str) -> bool:
    if digits in ("999", "111", "112"):
        return True
    if re.fullmatch(r"116\d{3}", digits):
        return True
    if re.fullmatch(r"080[08]\d{4}", digits):  # short freephone numbers such as Childline's
        return True
    return bool(re.fullmatch(r"0\d{9,10}", digits))


class Ages(Strict):
    """The ages a service takes, from a source; or `unknown` with the reason none is given.

    A service of unknown ages is taken to be a children's service (both plans are
    children and young people's plans): it is never offered to an adult.
    """

    min: int | None = Field(default=None, ge=0, le=99)
    max: int | None = Field(default=None, ge=0, le=99)
    unknown: str | None = None  # why no ages are known ("the 2019 plan gives none")

    @model_validator(mode="after")
    def _order(self) -> Ages:
        if self.unknown:
            if self.min is not None or self.max is not None:
                raise ValueError("either min and max, or unknown with a reason, not both")
            return self
        if self.min is None or self.max is None:
            raise ValueError("needs min and max, or unknown: <why no ages are known>")
        if self.min > self.max:
            raise ValueError(f"min age {self.min} is above max age {self.max}")
        return self


class Hours(Strict):
    """When a service answers. `weekly` spans may cross midnight ("20:00-08:00")."""

    always: bool = False
    weekly: dict[Day, list[str]] = Field(default_factory=dict)
    # On bank holidays: shut, the usual weekly hours, or not known (the bot then says so).
    bank_holidays: Literal["closed", "normal", "unknown"] = "unknown"
    text: Text | None = None

    @field_validator("weekly")
    @classmethod
    def _spans(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, spans in value.items():
            for span in spans:
                if not _SPAN.match(span):
                    raise ValueError(f"{day}: {span!r} is not like '09:00-17:00'")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Hours:
        if self.always and self.weekly:
            raise ValueError("give either always: true or weekly spans, not both")
        if not (self.always or self.weekly or self.text):
            raise ValueError("say something: always, weekly or text")
        return self


class Waiting(Strict):
    text: Text
    as_of: str = Field(pattern=r"^\d{4}(-\d{2})?$")
    source: SeedRef


class Access(Strict):
    """How to get in: who may ask, and through which door."""

    referrers: list[Referrer] = Field(min_length=1)
    via: str | None = None
    how: Text
    what_to_include: str | None = None
    next_steps: Text | None = None


class Service(Strict):
    id: str = Field(pattern=_ID)
    name: str
    short_name: str | None = None  # for "More about" buttons; by default the name before any bracket
    summary: Text | None = None  # one line for the results on a phone; by default the description's first sentence
    aliases: list[str] = Field(default_factory=list)
    provider: str | None = None
    description: Text
    ages: Ages  # every service says the ages it takes, or why they are unknown
    groupings: list[Grouping] = Field(min_length=1)
    topics: list[str] = Field(min_length=1)
    access: Access
    hours: Hours | None = None
    waiting: list[Waiting] = Field(default_factory=list)
    while_waiting: Text | None = None
    contacts: list[str] = Field(default_factory=list)
    circumstances: list[str] = Field(default_factory=list)
    # Recommended only when the need or situation includes one of these topic or
    # circumstance ids (the learning disability team is not for every sleep problem).
    only_for: list[str] = Field(default_factory=list)
    emergency: bool = False
    not_for_emergencies: bool = False
    # A route for adults: offered to a parent about their own mental health, and to
    # anyone over the top age of children's services (GP, NHS talking therapies).
    for_adults: bool = False
    planned: bool = False  # only planned in the source: shown when browsing, never recommended
    status_note: Text | None = None
    sources: list[SeedRef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _provenance(self) -> Service:
        if not self.sources and not self.contacts:
            raise ValueError("needs seed sources or contacts with provenance: nothing may be unsourced")
        if self.emergency and self.not_for_emergencies:
            raise ValueError("cannot be both emergency and not_for_emergencies")
        return self


class AreaInfo(Strict):
    id: str = Field(pattern=_ID)
    name: str
    places: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list, max_length=3)  # towns named on the area button
    # Postcode districts (first half, "WF13") wholly in the area, and those only partly in it:
    # a partly-in district makes the bot ask which area, rather than guess.
    postcodes: list[str] = Field(default_factory=list)
    shared_postcodes: list[str] = Field(default_factory=list)
    front_door: str
    safeguarding_door: str | None = None
    crisis_contacts: list[str] = Field(default_factory=list)


    @field_validator("postcodes", "shared_postcodes")
    @classmethod
    def _districts(cls, value: list[str]) -> list[str]:
        for district in value:
            if not re.fullmatch(r"[A-Z]{1,2}\d{1,2}", district):
                raise ValueError(f"{district!r} is not a postcode district like 'WF13'")
        return value


class AreaFile(Strict):
    area: AreaInfo
    contacts: list[Contact] = Field(default_factory=list)
    services: list[Service] = Field(min_length=1)


class NationalFile(Strict):
    contacts: list[Contact] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)


class GroupingInfo(Strict):
    id: Grouping
    name: Text
    description: Text


class Choice(Strict):
    """A button a flow offers, with what choosing it means."""

    id: str = Field(pattern=_ID)
    label: Text
    grouping: Grouping | None = None
    min: int | None = None
    max: int | None = None
    referrer: Referrer | None = None
    audiences: list[Audience] = Field(default_factory=lambda: list(AUDIENCES))
    # Words people type for this choice instead of pressing it ("really bad", "every day").
    phrases: list[str] = Field(default_factory=list)


class OwnNeed(Strict):
    """Signs that a parent speaks of their own mental health (flows/whose_need.py)."""
    self_words: list[str] = Field(min_length=1)  # "i", "im", "ive": the speaker as subject
    feelings: list[str] = Field(min_length=1)  # word stems: "depress", "anxi", "coping"
    others: list[str] = Field(min_length=1)  # words that make the feeling someone else's: "she", "he", "son"
    phrases: list[str] = Field(default_factory=list)  # whole phrases: "its me really", "help for me"
    feelings_topics: list[str] = Field(min_length=1)  # needs a baby cannot have: the parent's
    baby_until: int = 1  # a child younger than this (in years) is a baby
    # Words of someone with a baby of their own ("put him in his cot", "since i gave birth"): a
    # parent speaking, even after a vague first answer was taken for a young person's.
    new_parent: list[str] = Field(default_factory=list)
    not_new_parent: list[str] = Field(default_factory=list)  # "my baby brother": someone else's baby
    topic: str = "parent-mental-health"
    perinatal_topic: str = "perinatal"


class Followup(Strict):
    """A question people ask besides their need ("what happens at 18?"), answered in words."""
    id: str = Field(pattern=_ID)
    phrases: list[str] = Field(min_length=1)  # any of these in the message asks it
    message: str  # the key of the answer in messages.yaml
    # Or asked in two parts a few words apart: who ("my mum") and what ("finding out").
    near: Near | None = None
    only_after_urgent_help: bool = False  # answered only while urgent help is on screen
    # Answered only once one of these situations is told ("ring the police?" is about a missing
    # child only when one is missing; otherwise it is the call-the-police answer).
    only_when: list[str] = Field(default_factory=list)


class ThirdPersonChild(Strict):
    words: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)


class ResultQuestion(Strict):
    """A question about the services just suggested ("how long is the wait?"), answered from
    their cards (flows/result_questions.py): `answer` names the part of a card that answers it."""
    id: str = Field(pattern=_ID)
    phrases: list[str] = Field(min_length=1)
    answer: Literal["wait", "while_waiting", "how", "sooner", "self_refer", "specific", "what_is", "safeguarding"]


class ThriveFile(Strict):
    groupings: list[GroupingInfo] = Field(min_length=5, max_length=5)
    severity: list[Choice] = Field(min_length=2)
    duration: list[Choice] = Field(min_length=2)
    urgency: list[Choice] = Field(min_length=2)
    age_bands: list[Choice] = Field(min_length=2)
    roles: list[Choice] = Field(min_length=1)
    lasting_need: Grouping = "getting-more-help"
    cues: dict[Grouping, list[str]] = Field(default_factory=dict)
    # Words people type for who they are, instead of pressing ("im a kid", "mum", "teacher").
    audience_phrases: dict[Audience, list[str]] = Field(default_factory=dict)
    # Yes and no in words, for the safety question and "anything else?" ("no thats it", "yeah").
    answers: dict[Literal["yes", "no"], list[str]] = Field(default_factory=dict)
    # After urgent help is shown, these mean "I'm safe, carry on" ("im ok now", "were safe").
    safe_words: list[str] = Field(default_factory=list)
    # Typed on their own, these mean the Urgent help button ("emergency", "sos").
    safe_statements: list[str] = Field(default_factory=list)
    third_person_child: ThirdPersonChild | None = None
    urgent_words: list[str] = Field(default_factory=list)
    # At the age question these mean a baby or a pregnancy (age 0): "newborn", "not born yet".
    infant_words: list[str] = Field(default_factory=list)
    # Words around an answer that add nothing to it ("hes", "about", "and a half", "we live in"):
    # what is left after them is read again for risk, so a long answer still can be a crisis.
    answer_filler: list[str] = Field(default_factory=list)
    own_need: OwnNeed
    # After the results, a message opening or ending with these adds to the same need
    # ("also his dad moved out", "...if thats relevant"): the results are shown again with it.
    adding_words: list[str] = Field(default_factory=list)
    # Questions asked besides the need, at any step: answered, then the journey goes on.
    followups: list[Followup] = Field(default_factory=list)
    result_questions: list[ResultQuestion] = Field(default_factory=list)


class TopicGroup(Strict):
    id: str = Field(pattern=_ID)
    label: Text
    topics: list[str] = Field(min_length=1)


class Topic(Strict):
    id: str = Field(pattern=_ID)
    label: Text
    about: Text  # the need inside a sentence: "who can help with {about}" ("grief after a death")
    phrases: list[str] = Field(min_length=1)
    # Words that name the topic only in passing ("at school", "my mum"): they count less.
    weak_phrases: list[str] = Field(default_factory=list)
    # Phrases that mean this topic only when one audience types them
    # (a parent's "my anxiety" is their own mental health, a young person's is not).
    audience_phrases: dict[Audience, list[str]] = Field(default_factory=dict)
    # Yes and no in words, for the safety question and "anything else?" ("no thats it", "yeah").
    answers: dict[Literal["yes", "no"], list[str]] = Field(default_factory=dict)
    # After urgent help is shown, these mean "I'm safe, carry on" ("im ok now", "were safe").
    safe_words: list[str] = Field(default_factory=list)
    # Typed on their own, these mean the Urgent help button ("emergency", "sos").
    urgent_words: list[str] = Field(default_factory=list)
    # How much a match counts against other topics: a specific situation (a new baby,
    # coming out) usually decides the route more than a general feeling does.
    weight: float = Field(default=1.0, gt=0, le=3)
    grouping: Grouping = "getting-help"
    # Its own pathway leads whatever the severity said ("a little" with voices is still the early
    # intervention team's; an autism question is the assessment pathway's): the grouping is at
    # least this topic's.
    pathway_first: bool = False
    crisis: bool = False
    # Said by a parent, the need is the parent's own (a new mother's mood, a father's
    # depression): services for the parent, not the child's age or children's services.
    parents_own: bool = False
    # Words about getting help (how to refer, the wait), not what is wrong: told beside a need
    # ("passive thoughts ... who do I refer to?"), the need leads and this comes after it.
    route: bool = False


class TopicsFile(Strict):
    groups: list[TopicGroup] = Field(min_length=1)
    topics: list[Topic] = Field(min_length=1)
    fallback: dict[Audience, list[str]] = Field(default_factory=dict)
    spellings: dict[str, str] = Field(default_factory=dict)


class CrisisCombo(Strict):
    """Risk that no single phrase shows, only two or more ideas together
    ("cut" + "tonight", "voices" + "telling me to" + "hurt")."""

    topic: str
    all: list[str] = Field(min_length=1)
    none: list[str] = Field(default_factory=list)  # concepts that stop the combo ("by accident")
    verdict: Literal["yes", "ask"] = "yes"


class QualifiedThoughts(Strict):
    """How heavy thoughts are, said in the words of an assessment ("passive", "no plan or intent",
    "denies intent"): a crisis phrase in such a message is asked about, not assumed. Not when the
    message also names one of the `unless` concepts (something taken, an injury, a weapon)."""

    markers: list[str] = Field(default_factory=list)  # after the phrase ("..., no plan or intent")
    before: list[str] = Field(default_factory=list)  # just before it ("passive thoughts of ...")
    unless: list[str] = Field(default_factory=list)


class CrisisFile(Strict):
    """Words that mean someone may be at risk now, and words that only look like it.

    `phrases` and `ambiguous` map a topic id to the phrases that suggest it, so a
    crisis match also says what the need is.
    """

    phrases: dict[str, list[str]] = Field(min_length=1)
    ambiguous: dict[str, list[str]] = Field(default_factory=dict)
    # Topics whose "ask" phrases the learned reader may never let go: a parent's
    # thoughts of harming their baby are asked about, however calm the words.
    always_ask: list[str] = Field(default_factory=list)
    not_crisis: list[str] = Field(default_factory=list)
    # A message made only of these words ("today please", "ok thanks") carries no evidence of
    # risk for the learned reader, however often they appear in crises it learnt from.
    says_nothing: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)
    past_markers: list[str] = Field(default_factory=list)
    recent_markers: list[str] = Field(default_factory=list)
    # Signs that past risk is over ("clean for a year", "doing well now"): with a past
    # marker and no recent one, the bot does not even ask.
    recovery_markers: list[str] = Field(default_factory=list)
    qualified: QualifiedThoughts = Field(default_factory=lambda: QualifiedThoughts())
    # Talking about risk in general (training, awareness, "how do I talk to her about"):
    # near these words a crisis phrase alone is not a crisis.
    talking_about: list[str] = Field(default_factory=list)
    # Joking or gamer-slang context ("kms when he loses at Fortnite"): near these
    # a crisis phrase makes the bot ask rather than assume.
    softeners: list[str] = Field(default_factory=list)
    # Named lists of phrases ("selfharm_act", "right_now"...) used by `combos`.
    # "recent" and "past" name recent_markers and past_markers unless defined here.
    concepts: dict[str, list[str]] = Field(default_factory=dict)
    combos: list[CrisisCombo] = Field(default_factory=list)
    # What the journey already knows, read as a concept in every later message: a need
    # (learning-disability: ld_context) or an age up to `young_child_to` (young_child), so
    # "banging his head every night" two messages after "he has a learning disability" is read
    # as it would be in one message.
    context_topics: dict[str, str] = Field(default_factory=dict)
    young_child_to: int | None = None
    # The words that matter most ("suicide", "self harm", "kill myself"): read as
    # meant with a letter dropped, doubled or swapped, or a space misplaced.
    typo_tolerant: list[str] = Field(default_factory=list)
    contacts: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _combo_concepts(self) -> CrisisFile:
        known = set(self.concepts) | {"recent", "past"}
        for topic, concept in self.context_topics.items():
            if concept not in known:
                raise ValueError(f"context_topics: {topic}: unknown concept '{concept}'")
        if self.young_child_to is not None and "young_child" not in known:
            raise ValueError("young_child_to: no concept 'young_child'")
        for number, combo in enumerate(self.combos):
            unknown = [c for c in combo.all + combo.none if c not in known]
            if unknown:
                raise ValueError(f"combos[{number}]: unknown concept(s) {', '.join(unknown)}")
        unknown = [c for c in self.qualified.unless if c not in known]
        if unknown:
            raise ValueError(f"qualified.unless: unknown concept(s) {', '.join(unknown)}")
        return self


class Near(Strict):
    """A situation told in two parts a few words apart: who ("my stepdad", "mums boyfriend")
    and what they did ("grabbed", "pinned me", "goes mental at"), in either order."""

    who: list[str] = Field(min_length=1)
    did: list[str] = Field(min_length=1)
    within: int = Field(default=8, ge=1, le=30)  # words between the end of one and the start of the other


class Circumstance(Strict):
    """A situation that makes some services the right door (looked after, care leaver...)."""

    id: str = Field(pattern=_ID)
    label: Text
    phrases: list[str] = Field(min_length=1)
    near: Near | None = None
    # Naming it brings this safety question (a key in messages.yaml) when nothing
    # else did: abuse at home is asked about even without a word like "scared".
    safety_question: str | None = None
    # Words that say it is happening now ("right now", "downstairs", "im hiding"): urgent help at
    # once instead of the safety question.
    urgent_when: list[str] = Field(default_factory=list)
    # The area's own door for it comes first in the results, whatever the need
    # (abuse at home: the children's social care front door).
    area_door: Literal["front_door", "safeguarding_door"] | None = None
    # Only when it is going on now: "he used to hit my mum, he's gone now" is a
    # past frightening event (trauma help), not a safeguarding situation today.
    present_only: bool = False
    # The urgent-help reply fitted to it: extra contact ids after the emergency
    # line, and its own closing words (a message key) instead of the general ones.
    crisis_contacts: list[str] = Field(default_factory=list)
    crisis_outro: str | None = None
    # What to do while help is on its way, once they say 999 is called (a message key): never
    # "call 999 now" again to someone who has.
    help_coming: str | None = None
    # A body in danger now (bleeding, tablets taken, a weapon, someone not waking): until they say
    # they are safe, every reply is what to do now, and answers to the journey's questions are
    # only kept, never followed by the next question.
    emergency: bool = False


class CircumstancesFile(Strict):
    circumstances: list[Circumstance] = Field(default_factory=list)


class Indicator(Strict):
    """A plan indicator that report figures inform, with where the plan states it."""

    code: str = Field(pattern=r"^[A-Za-z0-9.]+$")
    text: str
    source: str
    kind: Literal["D", "C", "S"]


class IndicatorsFile(Strict):
    indicators: list[Indicator] = Field(min_length=1)


class PlacesFile(Strict):
    """Places outside every area, so "I live in Leeds" is understood as somewhere else."""

    elsewhere: list[str] = Field(default_factory=list)
    # Words that say where someone lives, typed at any question ("actually I live in
    # Wakefield"), and words that take a place back ("not Kirklees").
    living: list[str] = Field(default_factory=list)
    # Of those, the words that say a home (not "from", "near"): the place just after them is
    # where someone lives, whatever other place the message names ("college in wakefield but i
    # live in leeds").
    home: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)
    # Postcode areas (the letters of "BD5", "LS6") wholly outside every area the bot knows.
    elsewhere_postcodes: list[str] = Field(default_factory=list)
    # At the area question, words that decline to say ("rather not say"): national options.
    not_saying: list[str] = Field(default_factory=list)
    # Place names that are also people's names or words ("Stanley", "Walton"): in a longer
    # message they say where someone lives only with words that say so ("we live in Stanley").
    also_names: list[str] = Field(default_factory=list)


class MessagesFile(Strict):
    messages: dict[str, Text]
