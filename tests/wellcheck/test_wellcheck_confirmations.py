"""Issue 14 for the Well Check: check your answers before submitting, numbers typed with a
decimal comma, deleting an action (after a confirmation), the report's page footer."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from factories import submitted_check
from pypdf import PdfReader
from wellcheck_helpers import answer_all

from wellcheck import services
from wellcheck.models import Action, ActionUpdate, DataAnswer, DataQuestion, Question, WellCheck
from wellcheck.views import parse_number
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def well_check(school, leader):
    return services.wellcheck_start(actor=leader, school=school)


def _url(name, wc, *args):
    return reverse(f"wellcheck:{name}", args=[wc.school.urn, wc.academic_year, *args])


# --- check your answers --------------------------------------------------------------------


def test_check_your_answers_lists_every_answer_with_a_change_link_and_submits_nothing(
    as_user, leader, well_check
):
    answer_all(well_check, leader, "strong")
    question = Question.objects.filter(pillar__framework=well_check.framework).first()
    services.answer_save(
        actor=leader,
        well_check=well_check,
        question=question,
        rating="limited",
        comment="Only in Key Stage 2 so far.",
        expected_version=1,
    )
    data_question = DataQuestion.objects.get(
        framework=well_check.framework, key="staff_absence_days"
    )
    services.data_answer_save(
        actor=leader, well_check=well_check, question=data_question, value=Decimal("6.5")
    )
    client = as_user(leader)
    assert (
        'href="' + _url("submit", well_check) + '"'
        in client.get(_url("check", well_check)).content.decode()
    )

    page = client.get(_url("submit", well_check))

    assert page.status_code == 200
    html = page.content.decode()
    questions = Question.objects.filter(pillar__framework=well_check.framework)
    for q in questions.select_related("pillar"):
        assert escape(q.text) in html
        assert f"{_url('pillar', well_check, q.pillar.key)}#question-{q.pk}" in html
    assert html.count(">Change<") == questions.count() + well_check.framework.data_questions.count()
    assert "Limited" in html and "Only in Key Stage 2 so far." in html
    assert f"6.5 {data_question.unit}" in html
    assert f"{_url('data', well_check)}#question-d{data_question.pk}" in html
    assert "Submit the Well Check" in html
    well_check.refresh_from_db()
    assert well_check.status == WellCheck.Status.IN_PROGRESS  # looking submits nothing

    response = client.post(_url("submit", well_check))
    assert response.url == _url("results", well_check)
    well_check.refresh_from_db()
    assert well_check.status == WellCheck.Status.SUBMITTED


def test_check_your_answers_shows_what_is_missing_and_offers_no_submit(as_user, leader, well_check):
    answer_all(well_check, leader, except_keys=("mw_active_travel",))
    html = as_user(leader).get(_url("submit", well_check)).content.decode()
    assert "1 question still to answer" in html
    assert "Not answered" in html and ">Answer<" in html
    assert "Submit the Well Check</button>" not in html


def test_check_your_answers_trio(as_user, leader, colleague, outsider, well_check):
    url = _url("submit", well_check)
    assert as_user(leader).get(url).status_code == 200
    assert as_user(colleague).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


def test_a_submitted_check_sends_check_your_answers_back_to_the_check(as_user, school, leader):
    wc = submitted_check(school, leader)
    response = as_user(leader).get(_url("submit", wc))
    assert response.status_code == 302 and response.url == _url("check", wc)


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, value",
    [
        ("6,5", Decimal("6.5")),
        ("6.5", Decimal("6.5")),
        (" 12,25 ", Decimal("12.25")),
        ("1,200,000", Decimal("1200000")),
        ("1,234.5", Decimal("1234.5")),
        ("120", Decimal("120")),
    ],
)
def test_numbers_are_read_as_typed(typed, value):
    assert parse_number(typed.strip()) == (value, None)


@pytest.mark.parametrize("typed", ["1,500", "6,5,2", "6,5.2", "six", "NaN", "Infinity", ""])
def test_numbers_that_could_be_misread_are_refused(typed):
    value, error = parse_number(typed)
    assert value is None and error


def test_a_decimal_comma_is_saved_as_the_decimal_it_means(as_user, leader, well_check):
    question = DataQuestion.objects.get(framework=well_check.framework, key="staff_absence_days")
    response = as_user(leader).post(_url("data", well_check), {f"value_{question.pk}": "6,5"})
    assert response.status_code == 302
    assert DataAnswer.objects.get(question=question).value == Decimal("6.5")
    page = as_user(leader).get(_url("data", well_check)).content.decode()
    assert 'value="6.5"' in page


def test_the_htmx_autosave_says_what_a_decimal_comma_was_saved_as(as_user, leader, well_check):
    question = DataQuestion.objects.get(framework=well_check.framework, key="staff_absence_days")
    response = as_user(leader).post(
        _url("data_answer", well_check, question.pk),
        {f"value_{question.pk}": "6,5"},
        HTTP_HX_REQUEST="true",
    )
    assert f"Saved as 6.5 {question.unit}" in response.content.decode()
    assert DataAnswer.objects.get(question=question).value == Decimal("6.5")


def test_an_ambiguous_comma_is_refused_and_kept_on_the_page(as_user, leader, well_check):
    question = DataQuestion.objects.get(framework=well_check.framework, key="staff_absence_days")
    response = as_user(leader).post(_url("data", well_check), {f"value_{question.pk}": "1,500"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "could mean 1500 or 1.5" in html
    assert 'value="1,500"' in html  # what was typed stays
    assert not DataAnswer.objects.filter(question=question).exists()


# --- deleting an action --------------------------------------------------------------------


@pytest.fixture
def action(school, leader):
    wc = submitted_check(school, leader)
    action = services.action_create(
        actor=leader,
        well_check=wc,
        pillar=wc.framework.pillars.first(),
        title="Daily mile for every class",
        success_measure="Every class runs it four days a week",
        due_date=timezone.localdate() + timedelta(days=90),
    )
    services.action_progress_add(
        actor=leader, action=action, note="Started in Year 3", on=timezone.localdate()
    )
    return action


def _delete_url(action):
    return _url("action_delete", action.well_check, action.pk)


def test_deleting_an_action_asks_first_and_says_what_will_happen(as_user, leader, action):
    client = as_user(leader)
    edit = client.get(_url("action", action.well_check, action.pk)).content.decode()
    assert _delete_url(action) in edit

    page = client.get(_delete_url(action))

    html = page.content.decode()
    assert "Delete “Daily mile for every class”?" in html
    assert "with its 1 progress update" in html and "This cannot be undone" in html
    assert Action.objects.filter(pk=action.pk).exists()

    response = client.post(_delete_url(action))

    assert response.url == _url("plan", action.well_check)
    assert not Action.objects.filter(pk=action.pk).exists()
    assert not ActionUpdate.objects.filter(action_id=action.pk).exists()
    event = AuditEvent.objects.get(action="action.deleted")
    assert event.data["title"] == "Daily mile for every class"
    assert event.sentence == "Deleted an action from the plan: “Daily mile for every class”."


def test_delete_action_trio(as_user, colleague, outsider, leader, action):
    url = _delete_url(action)
    for person, status in [(colleague, 403), (outsider, 404)]:
        assert as_user(person).get(url).status_code == status
        assert as_user(person).post(url).status_code == status
    assert Action.objects.filter(pk=action.pk).exists()


# --- the report's footer -------------------------------------------------------------------


def test_the_report_footer_separates_the_year_from_the_school(school, leader):
    from wellcheck.documents import render_wellcheck_report

    wc = submitted_check(school, leader)
    for i in range(30):  # a plan long enough for a second page, where the footer shows
        Action.objects.create(
            well_check=wc,
            pillar=wc.framework.pillars.all()[i % 4],
            title=f"Action number {i} with a long enough title to take a line",
            success_measure="A measure " * 10,
            due_date=timezone.localdate(),
        )

    class Document:
        subject = wc

    _, pdf = render_wellcheck_report(Document())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    later = reader.pages[1].extract_text()
    assert f"Well Check {wc.year_label}: {school.name}" in later
    assert f"{wc.year_label}{school.name}" not in later
