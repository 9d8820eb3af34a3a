"""Helpers for network tests (imported by module name; tests/ dirs are not packages)."""

import factories
from factories import MembershipFactory, SchoolFactory, UserFactory, grant

from network import services
from network.models import ContactOptIn, PracticeStory
from partnership.permissions import forget_access
from wellcheck.models import Pillar, Question
from wellcheck.selectors import framework_current


def pillar(key: str) -> Pillar:
    return framework_current().pillars.get(key=key)


def question(pillar_key: str, index: int = 0) -> Question:
    return list(pillar(pillar_key).questions.order_by("order", "pk"))[index]


def member_school(partnership, name: str, leader_email: str):
    school = SchoolFactory(name=name)
    MembershipFactory(partnership=partnership, school=school)
    leader = UserFactory(email=leader_email, full_name=f"Leader of {name}")
    grant(leader, "school_leader", school=school)
    return school, leader


def opt_in(school, *pillar_keys):
    for key in pillar_keys:
        ContactOptIn.objects.get_or_create(school=school, pillar_key=key)


def story(
    school, leader, *, title="Daily mile", pillar_key="move_well", questions=(), publish_by=None
) -> PracticeStory:
    forget_access(leader)
    created = services.story_create(
        actor=leader,
        school=school,
        title=title,
        what_we_did="Every class walks or runs a mile a day.",
        for_whom="All pupils",
        impact="Calmer afternoons.",
        cost="Nothing",
        who_to_ask="Our PE lead",
        phase="primary",
        pillars=[pillar(pillar_key)],
        questions=list(questions),
    )
    if publish_by is not None:
        services.story_submit(actor=leader, story=created)
        services.story_publish(actor=publish_by, story=created)
        created.refresh_from_db()
    return created


def submitted_check(school, *, ratings=None, year=None, submit=True):
    """The shared ``factories.submitted_check``; ``submit=False`` leaves the same answers
    in a check still in progress."""
    if submit:
        return factories.submitted_check(school, year=year, ratings=ratings)
    from wellcheck.models import Answer

    check = factories.WellCheckFactory(school=school, **({"academic_year": year} if year else {}))
    Answer.objects.bulk_create(
        Answer(well_check=check, question=q, rating=(ratings or {}).get(q.pillar.key, "good"))
        for q in Question.objects.filter(pillar__framework=check.framework).select_related("pillar")
    )
    return check


def strong_school(partnership):
    """A third member school of the partnership, with its leader."""
    return member_school(partnership, "Thames Strong Primary", "strong.leader@example.org")
