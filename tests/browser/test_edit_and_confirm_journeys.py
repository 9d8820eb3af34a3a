"""Edit paths, confirmation steps, cancel and go back — in a real browser, at desktop width
and again at 375 px, with axe and a no-sideways-scrolling check on every page visited.

Edit paths: a leader edits an action (changing only its status keeps its dates), changes a
booking (sends someone else), edits an evidence item; a coordinator edits an event.
Confirmations: check your answers before submitting the Well Check, awarding
accreditation, removing a person, deleting an action — each first left with "go back",
which changes nothing, then confirmed.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from factories import MembershipFactory, PartnershipFactory, SchoolFactory, UserFactory, grant
from playwright.sync_api import expect

from accreditation import services as accreditation_services
from accreditation.models import Application, Evidence, PillarStatement
from events import services as event_services
from events.models import Attendee, Booking, Event
from events.services import AttendeeData
from partnership.models import Role
from wellcheck import services as wellcheck_services
from wellcheck.models import Action, Question, WellCheck, academic_year_of
from wellcheck.selectors import framework_current

from .conftest import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
K = Role.Kind


@pytest.fixture
def world(settings, tmp_path):
    from conftest import enrol_totp

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    partnership = PartnershipFactory(
        name="Oxfordshire Well Schools Partnership", slug="oxfordshire"
    )
    school = SchoolFactory(name="Cherwell Primary School")
    MembershipFactory(partnership=partnership, school=school)
    leader = UserFactory(email="leader@example.org", full_name="Alex Leader")
    grant(leader, K.SCHOOL_LEADER, school=school)
    colleague = UserFactory(email="colleague@example.org", full_name="Sam Colleague")
    grant(colleague, K.SCHOOL_STAFF, school=school)
    coordinator = UserFactory(email="coordinator@example.org", full_name="Morgan Coordinator")
    grant(coordinator, K.COORDINATOR, partnership=partnership)
    enrol_totp(coordinator)
    return {
        "partnership": partnership,
        "school": school,
        "leader": leader,
        "colleague": colleague,
        "coordinator": coordinator,
    }


def _answered_check(school, leader) -> WellCheck:
    well_check = wellcheck_services.wellcheck_start(actor=leader, school=school)
    for question in Question.objects.filter(pillar__framework=well_check.framework):
        wellcheck_services.answer_save(
            actor=leader, well_check=well_check, question=question, rating="good"
        )
    return well_check


def heading(page):
    return page.get_by_role("heading", level=1)


def status(page):
    return page.get_by_role("status").filter(has_text=" ")


# --- a leader: edit an action, delete one, the Well Check's check your answers -------------


def test_leader_edits_and_deletes_an_action_and_checks_answers_before_submitting(
    sized_context, live_server, world, check_page
):
    school, leader = world["school"], world["leader"]
    base = live_server.url
    well_check = _answered_check(school, leader)
    check_url = f"{base}/schools/{school.urn}/wellcheck/{well_check.academic_year}/"
    page = sized_context.new_page()
    sign_in_as(sized_context, base, leader)

    # Check your answers: every answer with a change link; "Change" goes to the question
    # and back again, and nothing is submitted until the button is pressed.
    page.goto(check_url)
    check_page(page)
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(heading(page)).to_have_text("Check your answers before submitting")
    check_page(page)
    first = Question.objects.filter(pillar__framework=well_check.framework).order_by(
        "pillar__order", "order"
    )[0]
    page.get_by_role("link", name=f"Change {first.pillar.name}: {first.text}").click()
    page.wait_for_url(f"**/pillars/{first.pillar.key}/#question-{first.pk}")
    check_page(page)
    page.go_back()
    expect(heading(page)).to_have_text("Check your answers before submitting")
    page.get_by_role("link", name="Go back without submitting").click()
    page.wait_for_url(check_url)
    assert WellCheck.objects.get().status == WellCheck.Status.IN_PROGRESS
    page.get_by_role("link", name="Check your answers and submit").click()
    page.get_by_role("button", name="Submit the Well Check").click()
    page.wait_for_url("**/results/")
    check_page(page)
    assert WellCheck.objects.get().status == WellCheck.Status.SUBMITTED

    # An action with a due date; changing only its status keeps every date.
    due = date(timezone.localdate().year + 1, 3, 31)
    action = wellcheck_services.action_create(
        actor=leader,
        well_check=well_check,
        pillar=well_check.framework.pillars.order_by("order").first(),
        title="Set up a pupil wellbeing council",
        success_measure="Termly minutes with actions taken",
        due_date=due,
    )
    page.goto(f"{check_url}plan/")
    check_page(page)
    page.get_by_role("link", name="Set up a pupil wellbeing council").click()
    expect(heading(page)).to_have_text("Set up a pupil wellbeing council")
    expect(page.get_by_label("Due date")).to_have_value(due.isoformat())
    expect(page.get_by_label("Date*", exact=True)).to_have_value(timezone.localdate().isoformat())
    check_page(page)
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{check_url}plan/")
    expect(status(page)).to_contain_text("Action updated.")
    check_page(page)
    action.refresh_from_db()
    assert (action.status, action.due_date) == (Action.Status.IN_PROGRESS, due)

    # Deleting asks first; "No, go back" keeps it.
    page.get_by_role("link", name="Set up a pupil wellbeing council").click()
    page.get_by_role("link", name="Delete this action").click()
    expect(heading(page)).to_have_text("Delete “Set up a pupil wellbeing council”?")
    check_page(page)
    page.get_by_role("link", name="No, go back to the action").click()
    expect(heading(page)).to_have_text("Set up a pupil wellbeing council")
    assert Action.objects.filter(pk=action.pk).exists()
    page.get_by_role("link", name="Delete this action").click()
    page.get_by_role("button", name="Yes, delete the action").click()
    page.wait_for_url(f"{check_url}plan/")
    expect(status(page)).to_contain_text("Deleted from the plan")
    check_page(page)
    assert not Action.objects.filter(pk=action.pk).exists()


# --- a leader: change a booking, edit an evidence item, remove a person -----------------------


def test_leader_changes_a_booking_edits_evidence_and_removes_a_person(
    sized_context, live_server, world, check_page
):
    school, leader, partnership = world["school"], world["leader"], world["partnership"]
    base = live_server.url
    page = sized_context.new_page()
    sign_in_as(sized_context, base, leader)

    # Change a booking: send someone else; "Cancel" first changes nothing.
    starts = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        partnership=partnership,
        title="Launch of the partnership",
        venue_name="Kassam Stadium Conference Centre",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=20,
        status=Event.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    booking = event_services.booking_create(
        actor=leader,
        event=event,
        school=school,
        attendees=[AttendeeData("Ada Teacher", "ada@example.org", "PE lead")],
    )
    page.goto(f"{base}{booking.get_absolute_url()}")
    check_page(page)
    page.get_by_role("link", name="Send someone else instead of Ada Teacher").click()
    expect(heading(page)).to_have_text("Send someone else instead of Ada Teacher")
    check_page(page)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"{base}{booking.get_absolute_url()}")
    page.get_by_role("link", name="Send someone else instead of Ada Teacher").click()
    page.get_by_label("Full name").fill("Ben Teacher")
    page.get_by_label("Email address").fill("ben@example.org")
    page.get_by_role("button", name="Give the place to this person").click()
    page.wait_for_url(f"{base}{booking.get_absolute_url()}")
    expect(status(page)).to_contain_text("Ben Teacher now comes instead of Ada Teacher.")
    check_page(page)
    names = set(
        Attendee.objects.filter(booking=booking, status=Attendee.Status.ACTIVE).values_list(
            "name", flat=True
        )
    )
    assert names == {"Ben Teacher"}
    assert Booking.objects.get().status == Booking.Status.CONFIRMED

    # Edit an evidence item of the accreditation application.
    WellCheck.objects.create(
        school=school,
        academic_year=academic_year_of(timezone.localdate()),
        framework=framework_current(),
        status=WellCheck.Status.SUBMITTED,
        started_by=leader,
        submitted_by=leader,
        submitted_at=timezone.now(),
    )
    application = accreditation_services.application_start(actor=leader, school=school)
    pillar = application.framework.pillars.order_by("order").first()
    PillarStatement.objects.filter(application=application, pillar=pillar).update(
        text="Wellbeing is in our vision."
    )
    item = Evidence.objects.create(
        application=application,
        pillar=pillar,
        kind=Evidence.Kind.NOTE,
        title="Wellbeing policy",
        dated=date(2026, 1, 15),
        note="Staff shared drive > Policies",
        added_by=leader,
    )
    pillar_url = f"{base}/schools/{school.urn}/accreditation/{application.pk}/pillars/{pillar.key}/"
    page.goto(pillar_url)
    check_page(page)
    page.get_by_role("link", name="Change Wellbeing policy").click()
    expect(heading(page)).to_have_text("Change an evidence item")
    expect(page.get_by_label("Date of the evidence")).to_have_value("2026-01-15")
    check_page(page)
    page.get_by_role("link", name=f"Cancel and go back to {pillar.name}").click()
    page.wait_for_url(pillar_url)
    page.get_by_role("link", name="Change Wellbeing policy").click()
    page.get_by_label("What this evidence shows").fill("Wellbeing policy, approved by governors")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(pillar_url)
    expect(status(page)).to_contain_text("Saved the changes")
    check_page(page)
    item.refresh_from_db()
    assert (item.title, item.dated, item.note) == (
        "Wellbeing policy, approved by governors",
        date(2026, 1, 15),
        "Staff shared drive > Policies",
    )

    # Remove a person: the question says what happens; "No, go back" keeps them.
    page.goto(f"{base}{school.get_absolute_url()}")
    check_page(page)
    page.get_by_role("link", name="Remove Sam Colleague as school staff").click()
    expect(heading(page)).to_have_text("Remove Sam Colleague as school staff?")
    check_page(page)
    page.get_by_role("link", name="No, go back").click()
    page.wait_for_url(f"{base}{school.get_absolute_url()}")
    assert Role.objects.filter(user=world["colleague"]).exists()
    page.get_by_role("link", name="Remove Sam Colleague as school staff").click()
    page.get_by_role("button", name="Yes, remove Sam Colleague").click()
    page.wait_for_url(f"{base}{school.get_absolute_url()}")
    expect(status(page)).to_contain_text("Sam Colleague is no longer school staff.")
    check_page(page)
    assert not Role.objects.filter(user=world["colleague"]).exists()


# --- a coordinator: edit an event, award accreditation ----------------------------------------


def test_coordinator_edits_an_event_and_confirms_an_award(
    sized_context, live_server, world, check_page
):
    school, leader, coordinator = world["school"], world["leader"], world["coordinator"]
    partnership = world["partnership"]
    base = live_server.url
    page = sized_context.new_page()
    sign_in_as(sized_context, base, coordinator)

    # Edit an event: the times come back as they were; only the title changes.
    starts = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    event = Event.objects.create(
        partnership=partnership,
        title="Launch of the partnership",
        venue_name="Kassam Stadium Conference Centre",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=20,
        status=Event.Status.DRAFT,
    )
    page.goto(f"{base}{event.get_manage_url()}")
    check_page(page)
    page.goto(f"{base}{event.get_manage_url()}edit/")
    expect(heading(page)).to_have_text("Change Launch of the partnership")
    local = timezone.localtime(starts)
    expect(page.get_by_label("Starts*", exact=True)).to_have_value(f"{local:%Y-%m-%dT%H:%M}")
    check_page(page)
    page.get_by_label("Title*", exact=True).fill("Launch of the Oxfordshire partnership")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{base}{event.get_manage_url()}")
    expect(status(page)).to_contain_text("Changes saved.")
    check_page(page)
    event.refresh_from_db()
    assert event.title == "Launch of the Oxfordshire partnership"
    assert (event.starts_at, event.ends_at) == (starts, starts + timedelta(hours=3))

    # Award accreditation: the confirmation says what will happen; "Change" goes back with
    # the feedback kept; then confirm.
    application = _application_in_review(school, leader, coordinator)
    page.goto(f"{base}{application.get_coordinator_url()}")
    check_page(page)
    page.get_by_label("Award accreditation").check()
    page.get_by_label("Feedback to the school").fill("An inspiring application.")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text(f"Award accreditation to {school.name}?")
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Change the decision or feedback").click()
    expect(page.get_by_label("Feedback to the school")).to_have_value("An inspiring application.")
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    check_page(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Yes, award accreditation").click()
    page.wait_for_url(f"{base}{application.get_coordinator_url()}")
    expect(status(page)).to_contain_text(f"{school.name} is accredited.")
    expect(page.get_by_role("button", name="Download the certificate")).to_be_visible()
    check_page(page)
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED


def _application_in_review(school, leader, coordinator) -> Application:
    WellCheck.objects.create(
        school=school,
        academic_year=academic_year_of(timezone.localdate()),
        framework=framework_current(),
        status=WellCheck.Status.SUBMITTED,
        started_by=leader,
        submitted_by=leader,
        submitted_at=timezone.now(),
    )
    application = accreditation_services.application_start(actor=leader, school=school)
    PillarStatement.objects.filter(application=application).update(text="We do this well.")
    for pillar in application.framework.pillars.all():
        Evidence.objects.create(
            application=application,
            pillar=pillar,
            kind=Evidence.Kind.NOTE,
            title=f"{pillar.name} policy",
            dated=timezone.localdate() - timedelta(days=30),
            note="Staff shared drive",
            added_by=leader,
        )
    accreditation_services.application_submit(actor=leader, application=application)
    return accreditation_services.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=coordinator
    )
