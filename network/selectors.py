"""Read side of the network: the library, growth areas, peer matches, offers, digests.
Every list is a fixed number of queries whatever the amount of data."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from events.models import Event
from partnership.models import Membership, Partnership, Role, School
from wellcheck.models import Answer, Pillar, Question, Rating, WellCheck
from wellcheck.selectors import framework_current

from .models import (
    ContactOptIn,
    ContactRequest,
    Network,
    NetworkItem,
    Offer,
    Phase,
    PracticeStory,
)

PEERS_PER_QUESTION = 3
GROWTH_RATINGS = (Rating.NOT_STARTED, Rating.LIMITED)


def _with_tags(stories: QuerySet[PracticeStory]) -> QuerySet[PracticeStory]:
    return stories.select_related("school").prefetch_related(
        Prefetch("pillars", queryset=Pillar.objects.order_by("order")),
        Prefetch("questions", queryset=Question.objects.select_related("pillar")),
    )


# --- the library -----------------------------------------------------------------------


def current_pillars() -> list[Pillar]:
    framework = framework_current()
    if framework is None:
        return []
    return list(
        framework.pillars.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
        ).order_by("order")
    )


def stories_published(
    *,
    partnership: Partnership,
    pillar_key: str = "",
    question_key: str = "",
    phase: str = "",
    text: str = "",
) -> QuerySet[PracticeStory]:
    """The partnership's published stories, filtered; tags by key so a story tagged on one
    framework version is found from another."""
    stories = PracticeStory.objects.filter(
        partnership=partnership, status=PracticeStory.Status.PUBLISHED
    )
    if pillar_key:
        stories = stories.filter(
            pk__in=PracticeStory.pillars.through.objects.filter(pillar__key=pillar_key).values(
                "practicestory_id"
            )
        )
    if question_key:
        # "<pillar key>.<question key>": question keys are unique within a pillar only.
        in_pillar, _, key = question_key.partition(".")
        stories = stories.filter(
            pk__in=PracticeStory.questions.through.objects.filter(
                question__pillar__key=in_pillar, question__key=key
            ).values("practicestory_id")
        )
    if phase:
        stories = stories.filter(phase__in=[phase, Phase.ANY])
    for word in text.split()[:8]:
        stories = stories.filter(
            Q(title__icontains=word)
            | Q(what_we_did__icontains=word)
            | Q(impact__icontains=word)
            | Q(for_whom__icontains=word)
            | Q(school__name__icontains=word)
        )
    return _with_tags(stories).order_by("-published_at", "-pk")


def stories_of_school(*, school: School) -> QuerySet[PracticeStory]:
    return _with_tags(PracticeStory.objects.filter(school=school)).order_by("-created_at", "-pk")


def moderation_queue(*, partnership: Partnership) -> QuerySet[PracticeStory]:
    return _with_tags(
        PracticeStory.objects.filter(partnership=partnership, status=PracticeStory.Status.SUBMITTED)
    ).order_by("submitted_at", "pk")


def story_history(story: PracticeStory):
    return story.history.select_related("actor").order_by("at", "pk")


def published_on_pillar(*, school: School, pillar_key: str) -> list[PracticeStory]:
    """The school's published stories on one pillar (for accreditation reviewers)."""
    return list(
        PracticeStory.objects.filter(
            school=school, status=PracticeStory.Status.PUBLISHED, pillars__key=pillar_key
        )
        .distinct()
        .order_by("-published_at", "-pk")
    )


# --- growth areas and peers --------------------------------------------------------------


def opted_in_pillars(*, school: School) -> set[str]:
    return set(ContactOptIn.objects.filter(school=school).values_list("pillar_key", flat=True))


def growth_areas(well_check: WellCheck) -> list[Question]:
    """Questions rated Not started or Limited, and questions the action plan works on."""
    if not well_check.is_submitted:
        ids = set()
    else:
        ids = set(
            Answer.objects.filter(well_check=well_check, rating__in=GROWTH_RATINGS).values_list(
                "question_id", flat=True
            )
        )
    ids |= set(well_check.actions.exclude(question=None).values_list("question_id", flat=True))
    return list(
        Question.objects.filter(pk__in=ids)
        .select_related("pillar")
        .order_by("pillar__order", "order", "pk")
    )


def latest_submitted_checks(school_ids) -> dict[int, int]:
    """{school id: id of its latest submitted Well Check}."""
    latest: dict[int, int] = {}
    for school_id, check_id in (
        WellCheck.objects.filter(school_id__in=school_ids, status=WellCheck.Status.SUBMITTED)
        .order_by("school_id", "-academic_year")
        .values_list("school_id", "pk")
    ):
        latest.setdefault(school_id, check_id)
    return latest


@dataclass
class Peer:
    school: School
    stories: list[PracticeStory] = field(default_factory=list)


@dataclass
class GrowthMatch:
    question: Question
    peers: list[Peer]


def peer_matches(
    *, school: School, partnership: Partnership, questions: list[Question]
) -> list[GrowthMatch]:
    """For each growth area, up to three other active member schools of the partnership
    that rated the same question (by key) Strong in their latest submitted Well Check and
    opted in on its pillar, with their published practice on it."""
    if not questions:
        return []
    pillar_keys = {q.pillar.key for q in questions}
    opted = {}
    for school_id, pillar_key in (
        ContactOptIn.objects.filter(
            pillar_key__in=pillar_keys,
            school__memberships__partnership=partnership,
            school__memberships__status=Membership.Status.ACTIVE,
        )
        .exclude(school=school)
        .values_list("school_id", "pillar_key")
    ):
        opted.setdefault(school_id, set()).add(pillar_key)
    latest = latest_submitted_checks(list(opted))
    strong: dict[tuple[str, str], list[int]] = {}
    for school_id, pillar_key, question_key in (
        Answer.objects.filter(
            well_check_id__in=list(latest.values()),
            rating=Rating.STRONG,
            question__key__in={q.key for q in questions},
        )
        .order_by("well_check__school__name", "well_check__school_id")
        .values_list("well_check__school_id", "question__pillar__key", "question__key")
    ):
        if pillar_key in opted.get(school_id, ()):
            strong.setdefault((pillar_key, question_key), []).append(school_id)
    chosen = {key: ids[:PEERS_PER_QUESTION] for key, ids in strong.items()}
    peer_ids = {pk for ids in chosen.values() for pk in ids}
    schools = School.objects.in_bulk(list(peer_ids))
    stories: dict[tuple[int, str, str], list[PracticeStory]] = {}
    for story in PracticeStory.objects.filter(
        school_id__in=peer_ids,
        partnership=partnership,
        status=PracticeStory.Status.PUBLISHED,
    ).prefetch_related(Prefetch("questions", queryset=Question.objects.select_related("pillar"))):
        for question in story.questions.all():
            key = (story.school_id, question.pillar.key, question.key)
            stories.setdefault(key, []).append(story)
    return [
        GrowthMatch(
            question=q,
            peers=[
                Peer(school=schools[pk], stories=stories.get((pk, q.pillar.key, q.key), []))
                for pk in chosen.get((q.pillar.key, q.key), [])
            ],
        )
        for q in questions
    ]


def is_strong_opted_in_peer(*, school: School, partnership: Partnership, question: Question):
    """Does this school qualify to be asked about this question? (Re-checked on sending.)"""
    if not ContactOptIn.objects.filter(school=school, pillar_key=question.pillar.key).exists():
        return False
    if not Membership.objects.filter(
        school=school, partnership=partnership, status=Membership.Status.ACTIVE
    ).exists():
        return False
    latest = latest_submitted_checks([school.pk]).get(school.pk)
    return Answer.objects.filter(
        well_check_id=latest,
        rating=Rating.STRONG,
        question__key=question.key,
        question__pillar__key=question.pillar.key,
    ).exists()


def latest_growth_for_school(school: School) -> list[Question]:
    """Growth areas of the school's latest submitted Well Check (for offers and digests)."""
    check_id = latest_submitted_checks([school.pk]).get(school.pk)
    if check_id is None:
        return []
    return growth_areas(WellCheck.objects.get(pk=check_id))


# --- messages --------------------------------------------------------------------------


def messages_of_school(*, school: School) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(
        Q(from_school=school) | Q(to_school=school)
    ).select_related("from_school", "to_school", "question")


# --- offers ----------------------------------------------------------------------------


def offers_open(*, partnership: Partnership, today: date | None = None) -> QuerySet[Offer]:
    today = today or timezone.localdate()
    return Offer.objects.filter(partnership=partnership, closes_on__gte=today)


def offers_for(
    *, partnership: Partnership, growth_pillar_keys: set[str], phase: str = ""
) -> list[tuple[Offer, bool]]:
    """Open offers, those on the school's growth pillars (and its phase) first."""
    offers = list(offers_open(partnership=partnership).order_by("closes_on", "pk"))

    def matches(offer: Offer) -> bool:
        on_growth = bool(set(offer.pillar_keys) & growth_pillar_keys)
        for_phase = not phase or not offer.phases or phase in offer.phases
        return on_growth and for_phase

    ranked = [(offer, matches(offer)) for offer in offers]
    ranked.sort(key=lambda pair: not pair[1])
    return ranked


def offers_all(*, partnership: Partnership) -> QuerySet[Offer]:
    return Offer.objects.filter(partnership=partnership).order_by("-closes_on", "pk")


# --- networks --------------------------------------------------------------------------


def networks_of(*, partnership: Partnership, user) -> list[tuple[Network, bool]]:
    networks = list(Network.objects.filter(partnership=partnership).order_by("name"))
    mine = set(
        Network.objects.filter(partnership=partnership, memberships__user=user).values_list(
            "pk", flat=True
        )
    )
    return [(n, n.pk in mine) for n in networks]


def network_meetings(network: Network, *, upcoming_only: bool = False) -> QuerySet[Event]:
    events = Event.objects.filter(
        pk__in=network.meeting_links.values("event_id"),
        status=Event.Status.PUBLISHED,
    )
    if upcoming_only:
        events = events.filter(ends_at__gte=timezone.now())
    return events.order_by("starts_at", "pk")


def network_items(network: Network) -> QuerySet[NetworkItem]:
    return network.items.select_related("author")


def network_members(network: Network):
    return network.memberships.select_related("user").order_by("user__full_name", "user__email")


def linkable_events(network: Network) -> QuerySet[Event]:
    return (
        Event.objects.filter(partnership=network.partnership)
        .exclude(status=Event.Status.CANCELLED)
        .exclude(pk__in=network.meeting_links.values("event_id"))
        .order_by("-starts_at")[:50]
    )


def partnership_people(partnership: Partnership):
    """People with a role in the partnership, for a coordinator adding someone to a network."""
    from wellschools.models import User

    members = Membership.objects.filter(partnership=partnership, status=Membership.Status.ACTIVE)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(roles__school_id__in=members.values("school_id"))
            | Q(roles__trust_id__in=members.values("school__trust_id"))
            | Q(roles__partnership=partnership)
        )
        .distinct()
        .order_by("full_name", "email")
    )


# --- the digest ------------------------------------------------------------------------


@dataclass
class Digest:
    stories: list[PracticeStory]
    offers: list[Offer]
    meetings: list[Event]

    @property
    def is_empty(self) -> bool:
        return not (self.stories or self.offers or self.meetings)


def digest_for(*, user, since: datetime) -> Digest:
    """What is new for this person since ``since``: published practice on their schools'
    growth areas, new offers, and their networks' coming meetings."""
    school_ids = list(
        Role.objects.filter(user=user, school__isnull=False).values_list("school_id", flat=True)
    )
    partnership_ids = set(
        Membership.objects.filter(
            school_id__in=school_ids, status=Membership.Status.ACTIVE
        ).values_list("partnership_id", flat=True)
    ) | set(
        Role.objects.filter(user=user, partnership__isnull=False).values_list(
            "partnership_id", flat=True
        )
    )
    latest = latest_submitted_checks(school_ids)
    growth = Q(pk__in=[])
    for pillar_key, question_key in (
        Answer.objects.filter(well_check_id__in=list(latest.values()), rating__in=GROWTH_RATINGS)
        .values_list("question__pillar__key", "question__key")
        .distinct()
    ):
        growth |= Q(questions__pillar__key=pillar_key, questions__key=question_key)
    stories = list(
        PracticeStory.objects.filter(
            growth,
            partnership_id__in=partnership_ids,
            status=PracticeStory.Status.PUBLISHED,
            published_at__gte=since,
        )
        .exclude(school_id__in=school_ids)
        .select_related("school")
        .distinct()
        .order_by("-published_at")[:10]
    )
    offers = list(
        Offer.objects.filter(
            partnership_id__in=partnership_ids,
            created_at__gte=since,
            closes_on__gte=timezone.localdate(),
        ).order_by("closes_on")[:10]
    )
    meetings = list(
        Event.objects.filter(
            pk__in=Network.meetings.through.objects.filter(network__memberships__user=user).values(
                "event_id"
            ),
            status=Event.Status.PUBLISHED,
            starts_at__gte=timezone.now(),
            starts_at__lte=timezone.now() + timezone.timedelta(days=35),
        ).order_by("starts_at")[:10]
    )
    return Digest(stories=stories, offers=offers, meetings=meetings)
