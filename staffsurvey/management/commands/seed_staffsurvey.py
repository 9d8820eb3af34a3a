"""Demo staff surveys (run after ``seed_demo``): invented answers only, no people.

* the demo leader's school: a survey last year and one closed last month, so results, the
  previous survey and areas to act on show (and the leader can start a new one);
* six other member schools: a closed survey each, so the partnership median shows;
* one more member school: a survey open now, whose public link is printed to try answering.
Safe to run again: schools that already have surveys are left alone."""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partnership.models import Membership, Partnership, Role
from staffsurvey.framework import framework_current
from staffsurvey.models import Item, Response, ResponseAnswer, StaffGroup, Survey, SurveyHistory

COMMENTS = [
    "Protected time for marking and planning.",
    "Fewer emails after 6pm.",
    "A quiet space to eat lunch.",
    "Clearer notice before changes to the timetable.",
    "More chances to talk with my line manager.",
]


class Command(BaseCommand):
    help = "Load demo staff surveys for the demo partnership (after seed_demo)."

    @transaction.atomic
    def handle(self, *args, **options):
        partnership = Partnership.objects.filter(slug="oxfordshire").first()
        if partnership is None:
            self.stdout.write("No demo partnership: run seed_demo first.")
            return
        members = [
            m.school
            for m in Membership.objects.filter(partnership=partnership, status="active")
            .select_related("school")
            .order_by("school__urn")
        ]
        leader_role = (
            Role.objects.filter(user__email="leader@example.org", kind="school_leader")
            .select_related("school")
            .first()
        )
        leader_school = leader_role.school if leader_role else members[0]
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
        made = 0
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
                                    rng.gauss(
                                        mood - (0.8 if item.area.key == "demands" else 0), 0.9
                                    )
                                ),
                            ),
                        ),
                    )
                    for item in items
                )
            made += 1
        open_school = others[6] if len(others) > 6 else None
        if open_school and not Survey.objects.filter(school=open_school, status="open").exists():
            survey = Survey.objects.create(
                school=open_school,
                framework=framework,
                title="Staff wellbeing survey",
                opens_on=today,
                closes_on=today + timedelta(days=14),
            )
            SurveyHistory.objects.create(survey=survey, from_status="", to_status="open")
            made += 1
        opened = Survey.objects.filter(status="open", school__in=members).first()
        self.stdout.write(self.style.SUCCESS(f"Demo staff surveys: {made} added."))
        if opened:
            self.stdout.write(f"  Try answering (no sign-in): {opened.public_url()}")
