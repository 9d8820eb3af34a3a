"""A school leader starts, answers (plain POST and htmx), is told about conflicts,
submits only when complete; submission locks the check."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wellcheck_helpers import answer_all, this_year

from wellcheck.models import Answer, DataAnswer, DataQuestion, Question, WellCheck
from wellcheck.services import WellCheckError, answer_save, wellcheck_start
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def well_check(school, leader):
    return wellcheck_start(actor=leader, school=school)


def _pillar_url(wc, key):
    return reverse("wellcheck:pillar", args=[wc.school.urn, wc.academic_year, key])


def test_start_creates_one_check_for_this_academic_year(as_user, school, leader):
    client = as_user(leader)
    response = client.post(reverse("wellcheck:start", args=[school.urn]))
    well_check = WellCheck.objects.get()
    assert well_check.academic_year == this_year()
    assert response.url == reverse("wellcheck:check", args=[school.urn, this_year()])
    client.post(reverse("wellcheck:start", args=[school.urn]))
    assert WellCheck.objects.count() == 1
    assert AuditEvent.objects.filter(action="wellcheck.started").count() == 1


def test_academic_year_runs_september_to_august():
    from datetime import date

    from wellcheck.models import academic_year_of

    assert academic_year_of(date(2026, 8, 31)) == 2025
    assert academic_year_of(date(2026, 9, 1)) == 2026


def test_the_school_panel_offers_start_then_continue(as_user, school, leader):
    page = as_user(leader).get(school.get_absolute_url()).content.decode()
    assert "Start the Well Check" in page
    wellcheck_start(actor=leader, school=school)
    page = as_user(leader).get(school.get_absolute_url()).content.decode()
    assert "Continue" in page and "Well Culture: 0 of 7" in page


def test_plain_save_keeps_every_answer_of_the_pillar(as_user, leader, well_check):
    questions = list(
        Question.objects.filter(pillar__key="move_well", pillar__framework=well_check.framework)
    )
    data = {f"rating_{q.pk}": "strong" for q in questions[:3]}
    data[f"comment_{questions[0].pk}"] = "Two hours for every class since September."
    response = as_user(leader).post(_pillar_url(well_check, "move_well"), data)
    assert response.status_code == 302
    answers = {a.question_id: a for a in Answer.objects.filter(well_check=well_check)}
    assert set(answers) == {q.pk for q in questions[:3]}
    assert answers[questions[0].pk].comment == "Two hours for every class since September."
    # Leaving and returning loses nothing.
    page = as_user(leader).get(_pillar_url(well_check, "move_well")).content.decode()
    assert "Two hours for every class since September." in page
    assert f'id="q{questions[0].pk}-strong" value="strong" checked' in page


def test_htmx_saves_one_answer_and_returns_the_saved_state(as_user, leader, well_check):
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    url = reverse(
        "wellcheck:answer", args=[well_check.school.urn, well_check.academic_year, question.pk]
    )
    response = as_user(leader).post(
        url,
        {f"rating_{question.pk}": "limited", f"version_{question.pk}": "0"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Saved" in body
    assert f'id="version-{question.pk}" value="1"' in body
    assert "1 of 7" in body  # the progress sidebar updates too
    assert Answer.objects.get(question=question).rating == "limited"


def test_a_colleagues_change_is_never_silently_overwritten(
    as_user, client, school, leader, well_check
):
    from factories import UserFactory, grant

    deputy = UserFactory(full_name="Dee Deputy")
    grant(deputy, "school_leader", school=school)
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    # Both loaded the page while the question was unanswered (version 0); the deputy saves first.
    answer_save(
        actor=deputy,
        well_check=well_check,
        question=question,
        rating="strong",
        comment="Deputy's view",
        expected_version=0,
    )
    response = as_user(leader).post(
        _pillar_url(well_check, question.pillar.key),
        {
            f"rating_{question.pk}": "limited",
            f"comment_{question.pk}": "Leader's view",
            f"version_{question.pk}": "0",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dee Deputy changed this answer" in page and "Deputy&#x27;s view" in page
    assert "Leader&#x27;s view" in page  # mine is still on the page, not lost
    assert Answer.objects.get(question=question).comment == "Deputy's view"

    # The leader chooses to keep their own answer.
    as_user(leader).post(
        _pillar_url(well_check, question.pillar.key),
        {
            f"rating_{question.pk}": "limited",
            f"comment_{question.pk}": "Leader's view",
            f"version_{question.pk}": "0",
            "keep_mine": str(question.pk),
        },
    )
    answer = Answer.objects.get(question=question)
    assert (answer.rating, answer.comment, answer.version) == ("limited", "Leader's view", 2)


def test_choosing_their_answer_keeps_theirs(as_user, school, leader, well_check):
    from factories import UserFactory, grant

    deputy = UserFactory()
    grant(deputy, "school_leader", school=school)
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    answer_save(
        actor=deputy, well_check=well_check, question=question, rating="strong", expected_version=0
    )
    as_user(leader).post(
        _pillar_url(well_check, question.pillar.key),
        {
            f"rating_{question.pk}": "limited",
            f"version_{question.pk}": "0",
            "use_theirs": str(question.pk),
        },
    )
    assert Answer.objects.get(question=question).rating == "strong"


def test_htmx_conflict_shows_their_answer(as_user, school, leader, well_check):
    from factories import UserFactory, grant

    deputy = UserFactory(full_name="Dee Deputy")
    grant(deputy, "school_leader", school=school)
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    answer_save(
        actor=deputy, well_check=well_check, question=question, rating="good", expected_version=0
    )
    url = reverse("wellcheck:answer", args=[school.urn, well_check.academic_year, question.pk])
    response = as_user(leader).post(
        url,
        {f"rating_{question.pk}": "strong", f"version_{question.pk}": "0"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Dee Deputy changed this answer" in body and "Keep my answer" in body
    assert Answer.objects.get(question=question).rating == "good"


def test_the_same_answer_from_two_people_is_not_a_conflict(school, leader, well_check):
    from factories import UserFactory, grant

    deputy = UserFactory()
    grant(deputy, "school_leader", school=school)
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    answer_save(
        actor=deputy, well_check=well_check, question=question, rating="good", expected_version=0
    )
    answer = answer_save(
        actor=leader, well_check=well_check, question=question, rating="good", expected_version=0
    )
    assert answer.version == 1


def test_data_questions_check_numbers_and_bounds(as_user, leader, well_check):
    pe = DataQuestion.objects.get(framework=well_check.framework, key="pe_minutes")
    share = DataQuestion.objects.get(framework=well_check.framework, key="active_travel_share")
    url = reverse("wellcheck:data", args=[well_check.school.urn, well_check.academic_year])
    response = as_user(leader).post(url, {f"value_{pe.pk}": "lots", f"value_{share.pk}": "140"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a number, for example 120 or 45.5." in page
    assert "Enter a number from 0 to 100 %." in page
    assert 'value="lots"' in page and 'value="140"' in page  # what was typed is kept
    assert not DataAnswer.objects.exists()
    response = as_user(leader).post(url, {f"value_{pe.pk}": "120.5"})
    assert "Enter a whole number." in response.content.decode()
    as_user(leader).post(url, {f"value_{pe.pk}": "120", f"value_{share.pk}": "42.5"})
    assert DataAnswer.objects.get(question=share).value == Decimal("42.5")


def test_submit_is_refused_until_every_question_is_answered(as_user, school, leader, well_check):
    answer_all(well_check, leader, except_keys=("lv_food",))
    check_url = reverse("wellcheck:check", args=[school.urn, well_check.academic_year])
    page = as_user(leader).get(check_url).content.decode()
    assert "Still to answer before you can submit (1)" in page
    assert "#question-" in page  # links to the missing question
    response = as_user(leader).post(
        reverse("wellcheck:submit", args=[school.urn, well_check.academic_year]), follow=True
    )
    assert "1 still to answer" in response.content.decode()
    well_check.refresh_from_db()
    assert well_check.status == WellCheck.Status.IN_PROGRESS


def test_submit_locks_the_check_and_records_who_and_when(as_user, school, leader, well_check):
    answer_all(well_check, leader)
    response = as_user(leader).post(
        reverse("wellcheck:submit", args=[school.urn, well_check.academic_year])
    )
    assert response.url == reverse("wellcheck:results", args=[school.urn, well_check.academic_year])
    well_check.refresh_from_db()
    assert well_check.is_submitted and well_check.submitted_by == leader and well_check.submitted_at
    assert well_check.history.last().to_status == "submitted"
    assert AuditEvent.objects.filter(
        action="wellcheck.submitted", object_id=str(well_check.pk)
    ).exists()
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    with pytest.raises(WellCheckError):
        answer_save(
            actor=leader,
            well_check=well_check,
            question=question,
            rating="strong",
            expected_version=1,
        )
    page = as_user(leader).get(_pillar_url(well_check, question.pillar.key)).content.decode()
    assert 'type="radio"' not in page  # read-only


def test_viewers_read_but_cannot_answer(as_user, school, colleague, governor, well_check):
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    for person in (colleague, governor):
        client = as_user(person)
        assert client.get(_pillar_url(well_check, question.pillar.key)).status_code == 200
        response = client.post(
            _pillar_url(well_check, question.pillar.key), {f"rating_{question.pk}": "good"}
        )
        assert response.status_code == 403
    assert not Answer.objects.exists()


def test_earlier_years_stay_readable(as_user, school, leader):
    from factories import submitted_check

    earlier = submitted_check(school, leader, year=this_year() - 1)
    page = as_user(leader).get(reverse("wellcheck:overview", args=[school.urn])).content.decode()
    assert earlier.year_label in page
    assert (
        as_user(leader)
        .get(reverse("wellcheck:results", args=[school.urn, earlier.academic_year]))
        .status_code
        == 200
    )


def test_a_comment_without_a_rating_is_kept_and_flagged_not_dropped(as_user, leader, well_check):
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    response = as_user(leader).post(
        _pillar_url(well_check, question.pillar.key),
        {f"comment_{question.pk}": "We run a daily mile", f"version_{question.pk}": "0"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a rating to save this comment" in page
    assert "We run a daily mile" in page
    assert not Answer.objects.exists()
