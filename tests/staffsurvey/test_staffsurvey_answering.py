"""Answering with no account: one group per screen, answers kept, check, send, thanks —
and the bad input of the issue (closed, reused link, missing and out-of-range values)."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from survey_helpers import answer, end, make_survey

from staffsurvey import services
from staffsurvey.models import Response, ResponseAnswer, SurveyDraft, SurveyLink
from staffsurvey.public_views import COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(school, leader):
    return make_survey(school, leader)


def _steps(survey):
    return len(list(survey.framework.areas.all())) + 2


def _fill(client, survey, *, value="4", group="support", comment="More time to plan together"):
    code = survey.public_code
    response = client.post(reverse("staffsurvey_public:start", args=[code]))
    assert response.status_code == 302
    client.post(reverse("staffsurvey_public:step", args=[code, 1]), {"staff_group": group})
    for number, area in enumerate(survey.framework.areas.all(), start=2):
        data = {f"item_{item.pk}": value for item in area.items.all()}
        response = client.post(reverse("staffsurvey_public:step", args=[code, number]), data)
        assert response.status_code == 302, response.content[:500]
    client.post(
        reverse("staffsurvey_public:step", args=[code, _steps(survey)]), {"comment": comment}
    )


def test_a_person_answers_every_screen_checks_and_sends(client, survey):
    _fill(client, survey)
    check = client.get(reverse("staffsurvey_public:check", args=[survey.public_code]))
    assert check.status_code == 200
    assert "Support staff" in check.content.decode()
    assert "More time to plan together" in check.content.decode()
    sent = client.post(reverse("staffsurvey_public:check", args=[survey.public_code]))
    assert sent.status_code == 302
    assert sent["Location"] == reverse("staffsurvey_public:thanks", args=[survey.public_code])
    response = Response.objects.get(survey=survey)
    assert response.staff_group == "support"
    assert response.comment == "More time to plan together"
    assert ResponseAnswer.objects.filter(response=response).count() == sum(
        a.items.count() for a in survey.framework.areas.all()
    )
    assert set(ResponseAnswer.objects.values_list("value", flat=True)) == {4}
    assert not SurveyDraft.objects.exists()  # the draft goes with the sending
    thanks = client.get(sent["Location"])
    assert "Thank you" in thanks.content.decode()


def test_answers_are_kept_when_the_page_reloads(client, survey):
    code = survey.public_code
    client.post(reverse("staffsurvey_public:start", args=[code]))
    client.post(reverse("staffsurvey_public:step", args=[code, 1]), {"staff_group": "teaching"})
    area = survey.framework.areas.first()
    items = list(area.items.all())
    client.post(
        reverse("staffsurvey_public:step", args=[code, 2]),
        {f"item_{i.pk}": "2" for i in items},
    )
    page = client.get(reverse("staffsurvey_public:step", args=[code, 2])).content.decode()
    for item in items:
        assert re.search(rf'id="id_item_{item.pk}_1" value="2" checked', page)
    # The start page offers to carry on, and the cookie holds only an opaque key.
    start = client.get(reverse("staffsurvey_public:start", args=[code])).content.decode()
    assert "Continue where you left off" in start
    key = client.cookies[COOKIE].value
    assert not SurveyDraft.objects.filter(key_hash=key).exists()
    assert SurveyDraft.objects.filter(key_hash=services.hash_token(key)).exists()


def test_a_missing_answer_is_a_clear_error_and_keeps_the_others(client, survey):
    code = survey.public_code
    client.post(reverse("staffsurvey_public:start", args=[code]))
    area = survey.framework.areas.first()
    items = list(area.items.all())
    data = {f"item_{i.pk}": "5" for i in items[1:]}
    response = client.post(reverse("staffsurvey_public:step", args=[code, 2]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose an answer for this statement." in page
    assert f'href="#id_item_{items[0].pk}_0"' in page
    draft = SurveyDraft.objects.get(survey=survey)
    assert {draft.answers[str(i.pk)] for i in items[1:]} == {5}


def test_an_out_of_range_value_is_refused_next_to_the_field(client, survey):
    code = survey.public_code
    client.post(reverse("staffsurvey_public:start", args=[code]))
    area = survey.framework.areas.first()
    items = list(area.items.all())
    data = {f"item_{i.pk}": "4" for i in items}
    data[f"item_{items[0].pk}"] = "9"
    response = client.post(reverse("staffsurvey_public:step", args=[code, 2]), data)
    assert response.status_code == 400
    assert "Choose one of the five answers." in response.content.decode()
    response = client.post(reverse("staffsurvey_public:step", args=[code, 1]), {"staff_group": "x"})
    assert "Choose one of the groups listed." in response.content.decode()


def test_sending_with_screens_unanswered_says_what_is_missing(client, survey):
    code = survey.public_code
    client.post(reverse("staffsurvey_public:start", args=[code]))
    client.post(reverse("staffsurvey_public:step", args=[code, 1]), {"staff_group": "teaching"})
    response = client.post(reverse("staffsurvey_public:check", args=[code]))
    assert response.status_code == 400
    assert "not answered yet" in response.content.decode()
    assert not Response.objects.exists()
    assert SurveyDraft.objects.get().staff_group == "teaching"


def test_answering_after_the_close_date_is_refused_plainly(client, survey, leader):
    _fill(client, survey)
    services.survey_close(actor=leader, survey=survey)
    response = client.post(reverse("staffsurvey_public:check", args=[survey.public_code]))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert not Response.objects.exists()


def test_the_service_refuses_a_draft_once_the_window_has_passed(survey):
    from datetime import timedelta

    from django.utils import timezone

    _key, draft = services.draft_start(survey=survey)
    with pytest.raises(services.SurveyError, match="closed"):
        services.response_submit(draft=draft, today=timezone.localdate() + timedelta(days=30))
    assert SurveyDraft.objects.filter(pk=draft.pk).exists()


def test_an_unknown_survey_says_so_plainly(client):
    response = client.get(reverse("staffsurvey_public:start", args=["no-such-code"]))
    assert response.status_code == 404
    assert "We cannot find this survey" in response.content.decode()


def test_a_survey_not_open_yet_says_when_it_opens(client, school, leader):
    from datetime import timedelta

    from django.utils import timezone

    later = make_survey(
        school,
        leader,
        opens_on=timezone.localdate() + timedelta(days=3),
        closes_on=timezone.localdate() + timedelta(days=10),
    )
    page = client.get(reverse("staffsurvey_public:start", args=[later.public_code]))
    assert "not open yet" in page.content.decode()


def _invite(client, as_user, leader, survey, emails, on_commit):
    client = as_user(leader)
    url = reverse("staffsurvey:invite", args=[survey.school.urn, survey.pk])
    check = client.post(url, {"emails": "\n".join(emails)})
    assert check.status_code == 200 and "Check before sending" in check.content.decode()
    assert not mail.outbox
    with on_commit():
        done = client.post(url, {"emails": ", ".join(emails), "confirm": "True"})
    assert done.status_code == 302
    client.logout()
    return client


def test_an_emailed_link_works_once(client, as_user, leader, survey, on_commit):
    _invite(client, as_user, leader, survey, ["a@example.org", "b@example.org"], on_commit)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    link = re.search(r"http://testserver(/s/\S+/i/\S+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 302
    _fill(client, survey)
    assert (
        client.post(reverse("staffsurvey_public:check", args=[survey.public_code])).status_code
        == 302
    )
    assert SurveyLink.objects.filter(used=True).count() == 1
    # The same link again, from another browser: refused plainly.
    client.cookies.clear()
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    survey.refresh_from_db()
    assert survey.invitations_sent == 2


def test_a_link_used_in_another_tab_meanwhile_is_refused_and_the_draft_kept(survey):
    token = "t" * 32
    SurveyLink.objects.create(survey=survey, token_hash=services.hash_token(token))
    link_hash = services.link_check(survey=survey, token=token)
    answer(survey, link_hash=link_hash)
    with pytest.raises(services.SurveyError, match="already been used"):
        answer(survey, link_hash=link_hash)
    assert Response.objects.count() == 1
    assert SurveyDraft.objects.count() == 1  # the second person's answers are still there


def test_sending_is_rate_limited_per_client_without_storing_it(
    client, survey, settings, monkeypatch
):
    from django.core.cache import cache
    from django.utils import timezone

    fixed = timezone.now().replace(second=0)  # both sends in the same minute
    monkeypatch.setattr(services.timezone, "now", lambda: fixed)
    settings.STAFFSURVEY_SUBMISSIONS_PER_MINUTE = 1
    cache.clear()
    _fill(client, survey)
    assert (
        client.post(reverse("staffsurvey_public:check", args=[survey.public_code])).status_code
        == 302
    )
    client.cookies.clear()
    _fill(client, survey)
    limited = client.post(reverse("staffsurvey_public:check", args=[survey.public_code]))
    assert limited.status_code == 429
    assert "Your answers are saved" in limited.content.decode()
    assert Response.objects.count() == 1
    assert SurveyDraft.objects.count() == 1
    # The cache counts a keyed hash of the address; the address itself appears nowhere.
    key = services.rate_key(survey=survey, client="127.0.0.1", now=fixed)
    assert cache.get(key) == 2
    assert "127.0.0.1" not in key


def test_after_closing_the_drafts_are_deleted(survey):
    services.draft_start(survey=survey)
    end(survey)
    assert not SurveyDraft.objects.exists()
