"""Races that matter, on PostgreSQL with separate connections: one single-use link sent
from two browsers at once counts once; answers sent as the leader closes either land
before the close or are refused, never after."""

import pytest
from concurrency import run_together
from survey_helpers import full_answers, make_survey

from staffsurvey import services
from staffsurvey.models import Response, Survey, SurveyDraft, SurveyLink

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _ready_draft(survey, link_hash=""):
    _key, draft = services.draft_start(survey=survey, link_hash=link_hash)
    SurveyDraft.objects.filter(pk=draft.pk).update(
        staff_group="teaching", answers=full_answers(survey)
    )
    draft.refresh_from_db()
    return draft


def test_one_link_from_two_browsers_at_once_counts_once(school, leader):
    survey = make_survey(school, leader)
    SurveyLink.objects.create(survey=survey, token_hash=services.hash_token("shared-token"))
    link_hash = services.hash_token("shared-token")
    first, second = _ready_draft(survey, link_hash), _ready_draft(survey, link_hash)
    outcomes = run_together(
        lambda: services.response_submit(draft=first),
        lambda: services.response_submit(draft=second),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, services.SurveyError) and "already been used" in error.message
    assert Response.objects.count() == 1
    assert SurveyLink.objects.get().used
    assert SurveyDraft.objects.count() == 1  # the loser's answers are still there


def test_many_people_answering_at_once_all_count(school, leader):
    survey = make_survey(school, leader)
    drafts = [_ready_draft(survey) for _ in range(6)]
    outcomes = run_together(*[lambda d=d: services.response_submit(draft=d) for d in drafts])
    assert [kind for kind, _ in outcomes] == ["ok"] * 6, outcomes
    assert Response.objects.count() == 6


def test_answers_sent_as_the_leader_closes_never_land_after_the_close(school, leader):
    survey = make_survey(school, leader)
    drafts = [_ready_draft(survey) for _ in range(3)]
    outcomes = run_together(
        lambda: services.survey_close(actor=leader, survey=survey),
        *[lambda d=d: services.response_submit(draft=d) for d in drafts],
    )
    assert outcomes[0][0] == "ok", outcomes
    survey = Survey.objects.get(pk=survey.pk)
    landed = Response.objects.filter(survey=survey).count()
    refused = [v for k, v in outcomes[1:] if k == "error"]
    assert landed + len(refused) == 3
    assert all(isinstance(e, services.SurveyError) for e in refused)
    # A response that landed took the survey's lock before the close and deleted its own
    # draft; the close then deleted the drafts of everyone it refused.
    assert not SurveyDraft.objects.exists()
    assert survey.status == "closed"
