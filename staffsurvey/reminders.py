"""The survey's reminders and notices (declared in ``apps.py``), sent by the periodic scan.

* halfway through the window, staff who were emailed the survey get one reminder with the
  survey's open link (their own links are not kept, so it cannot be resent);
* the school's leaders are told once when the survey reaches its threshold;
* after the closing date the scan closes the survey and tells the leaders once.
"""

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from partnership.selectors import leader_emails_by_school
from wellschools.models import EmailMessage
from wellschools.reminders import reminder_send

from .models import Survey
from .services import SurveyError, survey_close


def _leaders(school_id: int) -> list[str]:
    return leader_emails_by_school(school_ids=[school_id]).get(school_id, [])


def _invited(survey: Survey) -> list[str]:
    # The platform's outbox is the only place the addresses are: used to send again.
    return list(
        EmailMessage.objects.filter(
            kind="staffsurvey_invitation",
            object_type=Survey._meta.label_lower,
            object_id=str(survey.pk),
        )
        .values_list("recipient", flat=True)
        .distinct()
    )


def remind_survey_halfway() -> int:
    today = timezone.localdate()
    sent = 0
    surveys = Survey.objects.filter(
        status=Survey.Status.OPEN, invitations_sent__gt=0, opens_on__lte=today, closes_on__gte=today
    ).select_related("school")
    for survey in surveys:
        if survey.halfway_on > today:
            continue
        for email in _invited(survey):
            sent += reminder_send(
                kind="staffsurvey_halfway",
                key=str(survey.pk),
                recipient=email,
                template="staffsurvey_halfway",
                context={"survey": survey, "school": survey.school, "url": survey.public_url()},
                about=survey,
            )
    return sent


def notify_survey_threshold() -> int:
    sent = 0
    surveys = (
        Survey.objects.filter(status=Survey.Status.OPEN)
        .annotate(n=Count("responses"))
        .select_related("school")
    )
    for survey in surveys:
        if survey.n < survey.threshold:
            continue
        url = settings.SITE_URL.rstrip("/") + survey.get_absolute_url()
        for email in _leaders(survey.school_id):
            sent += reminder_send(
                kind="staffsurvey_threshold",
                key=str(survey.pk),
                recipient=email,
                template="staffsurvey_threshold",
                context={"survey": survey, "school": survey.school, "url": url},
                about=survey,
            )
    return sent


def close_ended_surveys() -> int:
    today = timezone.localdate()
    sent = 0
    for survey in Survey.objects.filter(status=Survey.Status.OPEN, closes_on__lt=today):
        try:
            survey = survey_close(actor=None, survey=survey)
        except SurveyError:
            continue  # closed a moment ago by its leader or another scan
        url = settings.SITE_URL.rstrip("/") + reverse(
            "staffsurvey:results", args=[survey.school.urn, survey.pk]
        )
        for email in _leaders(survey.school_id):
            sent += reminder_send(
                kind="staffsurvey_closed",
                key=str(survey.pk),
                recipient=email,
                template="staffsurvey_closed",
                context={
                    "survey": survey,
                    "school": survey.school,
                    "url": url,
                    "responses": survey.responses.count(),
                },
                about=survey,
            )
    return sent
