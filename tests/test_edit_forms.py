"""Every edit form in the project: GET the page, post the form back exactly as rendered
(tests/html_forms.py reads it as a browser would), and it must succeed and change nothing.

This is how "editing an action fails" was missed: the due date came back as 31/03/2027,
which <input type="date"> cannot show, so an unchanged form posted an empty date. To add a
new edit form, write a builder below that returns an ``EditForm`` and list it in
``EDIT_FORMS``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.utils import timezone
from html_forms import page_form

from accreditation import services as accreditation_services
from accreditation.models import Application, Evidence, PillarJudgement, PillarStatement
from accreditation.services.review import PillarReview
from events import services as event_services
from events.models import Attendee, Event
from events.services import AttendeeData
from partnership.models import Membership
from wellcheck import services as wellcheck_services
from wellcheck.models import Action, Answer, DataAnswer, Question, WellCheck
from wellschools.models import AuditEvent, EmailMessage

pytestmark = pytest.mark.django_db


@dataclass
class EditForm:
    client: Client
    url: str
    having: str  # the name of a control that tells the edit form from others on the page
    state: Callable[[], object]  # everything the form could change
    button: str | None = None  # a named submit button to press, when the form has several


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the Well Check ----------------------------------------------------------------------


def _well_check(school, leader, *, submitted: bool) -> WellCheck:
    well_check = wellcheck_services.wellcheck_start(actor=leader, school=school)
    for i, question in enumerate(
        Question.objects.filter(pillar__framework=well_check.framework).order_by("pk")
    ):
        wellcheck_services.answer_save(
            actor=leader,
            well_check=well_check,
            question=question,
            rating=["good", "strong", "limited"][i % 3],
            comment="Line one.\r\nLine two, with “quotes” & an ampersand." if i % 2 else "",
            expected_version=0,
        )
    for question, value in zip(
        well_check.framework.data_questions.order_by("order", "pk"),
        ["6.5", "120", "48", "4.2", "15"],
        strict=False,
    ):
        value = Decimal(value)
        if question.integer_only:
            value = value.to_integral_value()
        value = min(max(value, question.minimum), question.maximum)
        wellcheck_services.data_answer_save(
            actor=leader, well_check=well_check, question=question, value=value
        )
    if submitted:
        well_check = wellcheck_services.wellcheck_submit(actor=leader, well_check=well_check)
    return well_check


def action_edit(world) -> EditForm:
    school, leader, colleague = world["school"], world["leader"], world["colleague"]
    well_check = _well_check(school, leader, submitted=True)
    pillar = well_check.framework.pillars.order_by("order").first()
    action = wellcheck_services.action_create(
        actor=leader,
        well_check=well_check,
        pillar=pillar,
        title="Set up a pupil wellbeing council",
        success_measure="Minutes of termly meetings & actions taken",
        due_date=timezone.localdate().replace(month=3, day=31) + timedelta(days=365),
        owner=colleague,
        status=Action.Status.IN_PROGRESS,
    )
    fields = ["pillar_id", "title", "success_measure", "due_date", "status", "owner_id"]
    return EditForm(
        client=_client(leader),
        url=f"/schools/{school.urn}/wellcheck/{well_check.academic_year}/plan/{action.pk}/",
        having="title",
        state=lambda: (
            list(Action.objects.filter(pk=action.pk).values(*fields)),
            action.updates.count(),
        ),
    )


def wellcheck_pillar(world) -> EditForm:
    school, leader = world["school"], world["leader"]
    well_check = _well_check(school, leader, submitted=False)
    pillar = well_check.framework.pillars.order_by("order").first()
    return EditForm(
        client=_client(leader),
        url=f"/schools/{school.urn}/wellcheck/{well_check.academic_year}/pillars/{pillar.key}/",
        having=f"rating_{pillar.questions.order_by('order').first().pk}",
        state=lambda: list(
            Answer.objects.filter(well_check=well_check)
            .order_by("pk")
            .values_list("rating", "comment", "version", "updated_at")
        ),
    )


def wellcheck_data(world) -> EditForm:
    school, leader = world["school"], world["leader"]
    well_check = _well_check(school, leader, submitted=False)
    question = well_check.framework.data_questions.order_by("order").first()
    return EditForm(
        client=_client(leader),
        url=f"/schools/{school.urn}/wellcheck/{well_check.academic_year}/data/",
        having=f"value_{question.pk}",
        state=lambda: list(
            DataAnswer.objects.filter(well_check=well_check)
            .order_by("pk")
            .values_list("value", "version", "updated_at")
        ),
    )


# --- accreditation -----------------------------------------------------------------------


def _application(world) -> Application:
    school, leader = world["school"], world["leader"]
    _well_check(school, leader, submitted=True)
    application = accreditation_services.application_start(actor=leader, school=school)
    PillarStatement.objects.filter(application=application).update(
        text="We do this well.\r\n\r\nAcross the school, with “everyone” & more."
    )
    for pillar in application.framework.pillars.all():
        Evidence.objects.create(
            application=application,
            pillar=pillar,
            kind=Evidence.Kind.NOTE,
            title=f"{pillar.name} policy",
            dated=timezone.localdate() - timedelta(days=30),
            note="Staff shared drive > Policies",
            added_by=leader,
        )
    return application


def _evidence_state(application):
    return list(
        Evidence.objects.filter(application=application)
        .order_by("pk")
        .values_list("title", "dated", "url", "note", "kind")
    )


def accreditation_pillar(world) -> EditForm:
    school, leader = world["school"], world["leader"]
    application = _application(world)
    pillar = application.framework.pillars.order_by("order").first()
    return EditForm(
        client=_client(leader),
        url=f"/schools/{school.urn}/accreditation/{application.pk}/pillars/{pillar.key}/",
        having="statement",
        state=lambda: (
            list(
                PillarStatement.objects.filter(application=application)
                .order_by("pk")
                .values_list("text", "updated_at")
            ),
            _evidence_state(application),
        ),
    )


def _evidence_edit(world, kind) -> EditForm:
    school, leader = world["school"], world["leader"]
    application = _application(world)
    item = application.evidence.first()
    if kind == Evidence.Kind.LINK:
        Evidence.objects.filter(pk=item.pk).update(
            kind=kind, note="", url="https://example.org/pe-curriculum?year=1&term=2"
        )
    return EditForm(
        client=_client(leader),
        url=f"/schools/{school.urn}/accreditation/{application.pk}/evidence/{item.pk}/edit/",
        having="title",
        state=lambda: _evidence_state(application),
    )


def evidence_note_edit(world) -> EditForm:
    return _evidence_edit(world, Evidence.Kind.NOTE)


def evidence_link_edit(world) -> EditForm:
    return _evidence_edit(world, Evidence.Kind.LINK)


def accreditation_review(world) -> EditForm:
    leader, coordinator = world["leader"], world["coordinator"]
    application = _application(world)
    accreditation_services.application_submit(actor=leader, application=application)
    accreditation_services.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=coordinator
    )
    pillars = list(application.framework.pillars.order_by("order"))
    accreditation_services.review_save(
        actor=coordinator,
        application=application,
        pillars={
            p.pk: PillarReview("met" if i else "partly_met", f"{p.name}:\r\nclear & “good”.")
            for i, p in enumerate(pillars)
        },
        recommendation=Application.Recommendation.CHANGES,
        comment="Nearly there.",
    )
    return EditForm(
        client=_client(coordinator),
        url=f"/partnership/{world['partnership'].slug}/accreditation/{application.pk}/review/",
        having="recommendation_comment",
        button="action",  # the first: "Save the review"
        state=lambda: (
            list(
                PillarJudgement.objects.filter(application=application)
                .order_by("pk")
                .values_list("judgement", "comment", "judged_at")
            ),
            list(
                Application.objects.filter(pk=application.pk).values_list(
                    "status", "recommendation", "recommendation_comment"
                )
            ),
        ),
    )


def accreditation_assign(world) -> EditForm:
    leader, coordinator = world["leader"], world["coordinator"]
    application = _application(world)
    accreditation_services.application_submit(actor=leader, application=application)
    accreditation_services.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=coordinator
    )
    return EditForm(
        client=_client(coordinator),
        url=f"/partnership/{world['partnership'].slug}/accreditation/{application.pk}/",
        having="reviewer",
        state=lambda: list(
            Application.objects.filter(pk=application.pk).values_list("status", "reviewer_id")
        ),
    )


def accreditation_reply(world) -> EditForm:
    """The pillar page when the reviewer asked for changes: the statement and the reply."""
    school, leader, coordinator = world["school"], world["leader"], world["coordinator"]
    application = _application(world)
    accreditation_services.application_submit(actor=leader, application=application)
    accreditation_services.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=coordinator
    )
    pillars = list(application.framework.pillars.order_by("order"))
    accreditation_services.application_request_changes(
        actor=coordinator,
        application=application,
        pillars={
            p.pk: PillarReview("met" if i else "partly_met", "Show how pupils are heard.")
            for i, p in enumerate(pillars)
        },
        comment="One pillar needs more.",
    )
    PillarJudgement.objects.filter(application=application, pillar=pillars[0]).update(
        reply="We added the council's minutes.\r\nSee the new item."
    )
    return EditForm(
        client=_client(leader),
        url=f"/schools/{school.urn}/accreditation/{application.pk}/pillars/{pillars[0].key}/",
        having="reply",
        state=lambda: (
            list(
                PillarJudgement.objects.filter(application=application)
                .order_by("pk")
                .values_list("reply", "replied_at")
            ),
            list(PillarStatement.objects.filter(application=application).values_list("text")),
        ),
    )


# --- events ------------------------------------------------------------------------------


def _event(world, **fields) -> Event:
    starts = timezone.now() + timedelta(days=30)
    values = {
        "title": "Launch of the partnership",
        "description": "Meet the partnership.\r\nPlan the year & more.",
        "venue_name": "Kassam Stadium Conference Centre",
        "venue_address": "Grenoble Road\r\nOxford OX4 4XP",
        "starts_at": starts.replace(second=0, microsecond=0),
        "ends_at": (starts + timedelta(hours=3)).replace(second=0, microsecond=0),
        "capacity": 20,
        "status": Event.Status.PUBLISHED,
        "published_at": timezone.now(),
        "booking_closes_at": (starts - timedelta(days=2)).replace(second=0, microsecond=0),
        **fields,
    }
    event = Event.objects.create(partnership=world["partnership"], **values)
    event_services.booking_create(
        actor=world["leader"],
        event=event,
        attendees=[
            AttendeeData(name="Alex Leader", email="alex@example.org", dietary_needs="Vegan")
        ],
        school=world["school"],
        trust=None,
    )
    return event


def _event_state(event):
    fields = [f.name for f in Event._meta.concrete_fields if f.name != "id"]
    return list(Event.objects.filter(pk=event.pk).values(*fields))


def event_edit(world) -> EditForm:
    event = _event(world)
    return EditForm(
        client=_client(world["coordinator"]),
        url=f"/partnership/{world['partnership'].slug}/events/{event.pk}/edit/",
        having="title",
        state=lambda: _event_state(event),
    )


def event_register(world) -> EditForm:
    event = _event(world)
    # Booked beforehand; the register opens on the day.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=2),
        booking_closes_at=None,
    )
    Attendee.objects.filter(booking__event=event).update(attendance="attended")
    attendee = Attendee.objects.filter(booking__event=event).first()
    return EditForm(
        client=_client(world["coordinator"]),
        url=f"/partnership/{world['partnership'].slug}/events/{event.pk}/register/",
        having=f"mark_{attendee.pk}",
        state=lambda: list(
            Attendee.objects.filter(booking__event=event).values_list(
                "attendance", "attendance_marked_at"
            )
        ),
    )


# --- the partnership and the account -------------------------------------------------------


def membership_status(world) -> EditForm:
    membership = Membership.objects.get(school=world["school"], partnership=world["partnership"])
    return EditForm(
        client=_client(world["coordinator"]),
        url=f"/schools/{world['school'].urn}/",
        having=f"m{membership.pk}-status",
        state=lambda: list(
            Membership.objects.filter(pk=membership.pk).values_list(
                "status", "joined_on", "ended_on", "decided_at"
            )
        ),
    )


def email_preferences(world) -> EditForm:
    from wellschools.preferences import email_preference_update

    email_preference_update(email=world["leader"].email, reminders=False, via="page")
    from wellschools.models import EmailPreference

    return EditForm(
        client=_client(world["leader"]),
        url="/account/email-preferences/",
        having="reminders",
        state=lambda: list(
            EmailPreference.objects.filter(email=world["leader"].email).values_list(
                "reminders", "changed_at"
            )
        ),
    )


EDIT_FORMS = [
    action_edit,
    wellcheck_pillar,
    wellcheck_data,
    accreditation_pillar,
    evidence_note_edit,
    evidence_link_edit,
    accreditation_review,
    accreditation_assign,
    accreditation_reply,
    event_edit,
    event_register,
    membership_status,
    email_preferences,
]


@pytest.fixture
def world(partnership, school, leader, colleague, coordinator):
    return {
        "partnership": partnership,
        "school": school,
        "leader": leader,
        "colleague": colleague,
        "coordinator": coordinator,
    }


@pytest.mark.parametrize("build", EDIT_FORMS, ids=lambda build: build.__name__)
def test_an_edit_form_posted_back_unchanged_succeeds_and_changes_nothing(world, build):
    case = build(world)
    page = case.client.get(case.url)
    assert page.status_code == 200, f"GET {case.url} answered {page.status_code}"
    form = page_form(page.content.decode(), having=case.having)
    assert form.method == "post"
    before = case.state()
    audit_before = AuditEvent.objects.count()
    emails_before = EmailMessage.objects.count(), len(mail.outbox)

    response = case.client.post(form.action or case.url, form.data(button=case.button))

    assert response.status_code == 302, (
        f"posting the unchanged form of {case.url} answered {response.status_code}: "
        f"{getattr(response, 'context', None) and _errors(response)}"
    )
    refused = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert not refused, refused
    assert case.state() == before
    assert AuditEvent.objects.count() == audit_before, "an unchanged form recorded a decision"
    assert (EmailMessage.objects.count(), len(mail.outbox)) == emails_before


def _errors(response):
    found = {}
    for context in response.context or []:
        for key, value in context.flatten().items():
            if hasattr(value, "errors") and getattr(value, "is_bound", False) and value.errors:
                found[key] = value.errors
    return found


def test_the_action_form_shows_its_dates_as_iso_so_the_browser_can_show_them(world):
    case = action_edit(world)
    html = case.client.get(case.url).content.decode()
    due = Action.objects.get().due_date
    assert f'name="due_date" value="{due:%Y-%m-%d}"' in html
    assert f'name="on" value="{timezone.localdate():%Y-%m-%d}"' in html


PROJECT_APPS = {"wellschools", "partnership", "wellcheck", "accreditation", "events"}


def test_every_date_input_in_the_project_uses_the_iso_widgets():
    """New forms must not bring back the locale's 31/03/2027 in a date input."""
    from django import forms as django_forms
    from django.apps import apps

    from wellschools.widgets import IsoDateInput, IsoDateTimeInput

    project_forms = []
    for config in apps.get_app_configs():
        if config.name not in {
            "wellschools",
            "partnership",
            "wellcheck",
            "accreditation",
            "events",
        }:
            continue
        try:
            module = __import__(f"{config.name}.forms", fromlist=["*"])
        except ModuleNotFoundError:
            continue
        project_forms += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, django_forms.BaseForm)
        ]
    checked = 0
    for form_class in project_forms:
        for name, field in form_class.base_fields.items():
            if isinstance(field, django_forms.DateTimeField):
                assert isinstance(field.widget, IsoDateTimeInput), (form_class, name)
                checked += 1
            elif isinstance(field, django_forms.DateField):
                assert isinstance(field.widget, IsoDateInput), (form_class, name)
                checked += 1
    assert checked >= 8  # the action and progress dates, evidence dates, the event's times


def test_a_reader_without_the_right_cannot_post_the_action_form(world):
    case = action_edit(world)
    form = page_form(case.client.get(case.url).content.decode(), having="title")
    data = form.data()
    data["title"] = ["Changed by someone who may only read"]
    assert _client(world["colleague"]).post(case.url, data).status_code == 403
    assert Action.objects.get().title == "Set up a pupil wellbeing council"
