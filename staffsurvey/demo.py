"""The staff survey's demo data, added by ``manage.py seed_demo`` (declared in apps.py).

Invented answers only, no people:

* the demo leader's school: a survey last year and one closed last month, so results, the
  previous survey and areas to act on show; and one open now, whose link, QR code and
  poster the leader can share (and answer, in a private window, with no account);
* six other member schools: a closed survey each, so the partnership median shows.

Safe to run again: surveys already there are left alone.
"""

import random
from datetime import timedelta

from django.utils import timezone

from .framework import framework_current
from .models import Item, Response, ResponseAnswer, StaffGroup, Survey, SurveyHistory

COMMENTS = [
    "Protected time for marking and planning.",
    "Fewer emails after 6pm.",
    "A quiet space to eat lunch.",
    "Clearer notice before changes to the timetable.",
    "More chances to talk with my line manager.",
]


def seed_demo(*, partnership, members, leader_school) -> None:
    others = [s for s in members if s != leader_school]
    framework = framework_current()
    items = list(Item.objects.filter(area__framework=framework).select_related("area"))
    rng = random.Random(20261130)  # the same demo every time
    today = timezone.localdate()
    plan = [
        (
            leader_school,
            today - timedelta(days=380),
            16,
            3.3,
            "Staff wellbeing survey, last year",
        ),
        (leader_school, today - timedelta(days=40), 21, 3.6, "Staff wellbeing survey, autumn"),
    ]
    plan += [
        (school, today - timedelta(days=30 + n), 8 + n * 2, 3.2 + n * 0.12, "Staff survey")
        for n, school in enumerate(others[:6])
    ]
    for school, opens_on, count, mood, title in plan:
        if Survey.objects.filter(school=school, opens_on=opens_on).exists():
            continue
        survey = Survey.objects.create(
            school=school,
            framework=framework,
            title=title,
            opens_on=opens_on,
            closes_on=opens_on + timedelta(days=14),
            status=Survey.Status.CLOSED,
            closed_at=timezone.now(),
            staff_count=count + 6,
        )
        SurveyHistory.objects.create(survey=survey, from_status="", to_status="open")
        SurveyHistory.objects.create(survey=survey, from_status="open", to_status="closed")
        groups = [StaffGroup.TEACHING] * (count // 2) + [StaffGroup.SUPPORT] * (count // 3)
        groups += [StaffGroup.LEADERSHIP, StaffGroup.NOT_STATED] * count
        for group in groups[:count]:
            response = Response.objects.create(
                survey=survey,
                staff_group=group,
                submitted_on=opens_on + timedelta(days=rng.randrange(14)),
                comment=rng.choice(COMMENTS) if rng.random() < 0.3 else "",
            )
            ResponseAnswer.objects.bulk_create(
                ResponseAnswer(
                    response=response,
                    item=item,
                    value=max(
                        1,
                        min(
                            5,
                            round(
                                rng.gauss(mood - (0.8 if item.area.key == "demands" else 0), 0.9)
                            ),
                        ),
                    ),
                )
                for item in items
            )
    open_school = leader_school
    if not Survey.objects.filter(school=open_school, status="open").exists():
        survey = Survey.objects.create(
            school=open_school,
            framework=framework,
            title="Staff wellbeing survey",
            opens_on=today,
            closes_on=today + timedelta(days=14),
        )
        SurveyHistory.objects.create(survey=survey, from_status="", to_status="open")
