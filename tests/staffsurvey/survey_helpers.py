"""Helpers for staff survey tests (imported by module name; tests/ dirs are not packages)."""

from datetime import timedelta

from django.utils import timezone

from staffsurvey import services
from staffsurvey.models import Item, Survey, SurveyDraft


def make_survey(school, leader, *, days: int = 14, **kwargs) -> Survey:
    today = timezone.localdate()
    return services.survey_create(
        actor=leader,
        school=school,
        title=kwargs.pop("title", "Staff wellbeing survey, autumn"),
        opens_on=kwargs.pop("opens_on", today),
        closes_on=kwargs.pop("closes_on", today + timedelta(days=days)),
        **kwargs,
    )


def full_answers(survey: Survey, value=4, by_area: dict | None = None) -> dict[str, int]:
    answers = {}
    for item in Item.objects.filter(area__framework=survey.framework).select_related("area"):
        answers[str(item.pk)] = (by_area or {}).get(item.area.key, value)
    return answers


def answer(survey: Survey, *, group="teaching", value=4, by_area=None, comment="", link_hash=""):
    """One response sent through the same service the answering pages use."""
    _key, draft = services.draft_start(survey=survey, link_hash=link_hash)
    SurveyDraft.objects.filter(pk=draft.pk).update(
        staff_group=group, answers=full_answers(survey, value, by_area), comment=comment
    )
    draft.refresh_from_db()
    return services.response_submit(draft=draft)


def answer_many(survey: Survey, groups: dict[str, int], *, value=4, by_area=None) -> None:
    for group, count in groups.items():
        for _ in range(count):
            answer(survey, group=group, value=value, by_area=by_area)


def end(survey: Survey) -> Survey:
    """Close a survey as if its closing date had passed."""
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1),
        opens_on=timezone.localdate() - timedelta(days=15),
    )
    survey.refresh_from_db()
    return services.survey_close(actor=None, survey=survey)
