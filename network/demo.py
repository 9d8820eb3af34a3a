"""The network's demo data (each app seeds its own): opt-ins of schools that are Strong
somewhere, published and submitted practice stories, an offer and a Wellbeing Leads
network whose meeting is the partnership's launch event. Safe to run again."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from events.models import Event
from partnership.models import Membership, Partnership, Role
from wellcheck.models import Answer, Rating, WellCheck
from wellschools.models import User
from wellschools.workflow import history_note

from .models import (
    ContactOptIn,
    Network,
    NetworkMeeting,
    NetworkMember,
    Offer,
    PracticeStory,
    PracticeStoryHistory,
)

STORIES = {
    "move_well": (
        "A daily mile for every class",
        "Every class runs or walks a mile at a time the teacher chooses, every day.",
        "All pupils, Reception to Year 6",
        "Pupils settle faster after the mile; staff report calmer afternoons.",
        "Nothing but a marked route round the field",
        "Our PE lead",
    ),
    "lead_well": (
        "Staff wellbeing check-ins",
        "A five-minute check-in each half term between every member of staff and a trained "
        "colleague, with a simple follow-up plan.",
        "All staff",
        "Staff absence fell and the staff survey shows more people feel listened to.",
        "Two hours of training per check-in colleague",
        "Our deputy head",
    ),
    "live_well": (
        "Year 6 community volunteers",
        "Year 6 pupils volunteer for an hour a fortnight at the care home next door.",
        "Year 6, about 30 pupils",
        "Pupils talk about their community with pride; the care home asked for more visits.",
        "Staff time for one supervising adult",
        "Our Year 6 lead",
    ),
}


@transaction.atomic
def seed_demo(*, partnership: Partnership, members=None, leader_school=None) -> None:
    """Added by ``manage.py seed_demo`` (declared in apps.py), after the Well Check's and
    the events' demo data."""
    if PracticeStory.objects.filter(partnership=partnership).exists():
        return
    coordinator = User.objects.filter(
        roles__kind=Role.Kind.COORDINATOR, roles__partnership=partnership
    ).first()
    members = Membership.objects.filter(partnership=partnership, status="active")
    strong = (
        Answer.objects.filter(
            rating=Rating.STRONG,
            well_check__status=WellCheck.Status.SUBMITTED,
            well_check__school__in=members.values("school"),
        )
        .select_related("question__pillar", "well_check__school")
        .order_by("well_check__school__name", "question__pillar__order")
    )
    seen_schools: dict[int, object] = {}
    for answer in strong:
        school = answer.well_check.school
        ContactOptIn.objects.get_or_create(school=school, pillar_key=answer.question.pillar.key)
        seen_schools.setdefault(school.pk, answer)
    now = timezone.now()
    by_pillar: dict[str, object] = {}
    for answer in strong:
        if answer.question.pillar.key in STORIES:
            by_pillar.setdefault(answer.question.pillar.key, answer)
    for index, (pillar_key, answer) in enumerate(
        (k, by_pillar[k]) for k in STORIES if k in by_pillar
    ):
        title, did, whom, impact, cost, ask = STORIES[pillar_key]
        published = index < 2
        story = PracticeStory.objects.create(
            partnership=partnership,
            school=answer.well_check.school,
            title=title,
            what_we_did=did,
            for_whom=whom,
            impact=impact,
            cost=cost,
            who_to_ask=ask,
            status="published" if published else "submitted",
            submitted_at=now,
            published_at=now if published else None,
        )
        story.pillars.set([answer.question.pillar])
        story.questions.set([answer.question])
        history_note(story, actor=None, created=True, comment="Written")
        PracticeStoryHistory.objects.create(story=story, from_status="draft", to_status="submitted")
        if published:
            PracticeStoryHistory.objects.create(
                story=story, from_status="submitted", to_status="published", actor=coordinator
            )
    Offer.objects.create(
        partnership=partnership,
        title="Free playground leader training",
        provider="Example County Sports Partnership",
        description="Two sessions training Year 5 and 6 pupils to lead playground games.",
        pillar_keys=["move_well", "live_well"],
        phases=["primary"],
        url="https://example.org/playground-leaders",
        closes_on=timezone.localdate() + timedelta(days=60),
        created_by=coordinator,
    )
    network, _ = Network.objects.get_or_create(
        partnership=partnership,
        name="Wellbeing Leads",
        defaults={"description": "Wellbeing leads of member schools: termly meetings."},
    )
    leader = User.objects.filter(email="leader@example.org").first()
    if leader:
        NetworkMember.objects.get_or_create(network=network, user=leader)
    launch = Event.objects.filter(partnership=partnership).order_by("starts_at").first()
    if launch:
        NetworkMeeting.objects.get_or_create(network=network, event=launch)
