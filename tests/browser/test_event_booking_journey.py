"""The event booking journey in a real browser, with axe on every page.

A school leader finds the launch event without signing in, signs in to book, books two
colleagues (adding the second row without JavaScript's help), sees the confirmation,
then cancels one of the two places.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from factories import MembershipFactory, PartnershipFactory, SchoolFactory, UserFactory, grant
from playwright.sync_api import expect

from browser.helpers import PASSWORD
from events.models import Attendee, Booking, Event
from partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    partnership = PartnershipFactory(
        name="Oxfordshire Well Schools Partnership", slug="oxfordshire"
    )
    school = SchoolFactory(name="Cherwell Primary School")
    MembershipFactory(partnership=partnership, school=school)
    leader = UserFactory(email="leader@example.org", full_name="Alex Leader")
    grant(leader, Role.Kind.SCHOOL_LEADER, school=school)
    starts = timezone.now() + timedelta(days=40)
    event = Event.objects.create(
        partnership=partnership,
        title="Launch of the Oxfordshire Well Schools Partnership",
        description="Meet the partnership, hear from schools, plan the year.",
        venue_name="Kassam Stadium Conference Centre",
        venue_address="Grenoble Road\nOxford OX4 4XP",
        starts_at=starts,
        ends_at=starts + timedelta(hours=5),
        capacity=60,
        max_places_per_school=4,
        status=Event.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return school, leader, event


def fill_person(page, number, name, email, role="", dietary=""):
    person = page.get_by_role("group", name=f"Person {number}")
    person.get_by_label("Full name").fill(name)
    person.get_by_label("Email address").fill(email)
    if role:
        person.get_by_label("Role").fill(role)
    if dietary:
        person.get_by_label("Dietary needs").fill(dietary)


def test_a_leader_books_two_places_and_cancels_one(page, live_server, settings, world, check_a11y):
    school, leader, event = world
    base = live_server.url
    settings.SITE_URL = base

    # 1. The public list and the event page, without signing in.
    page.goto(f"{base}/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership events")
    check_a11y(page)
    page.get_by_role("link", name=event.title).click()
    page.wait_for_url(f"{base}{event.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(page.get_by_role("region", name="Places")).to_contain_text("60 of 60 places left")
    check_a11y(page)

    # 2. Sign in to book; allauth brings the leader back to the booking form.
    page.get_by_role("link", name="Sign in to book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_a11y(page)
    page.get_by_label("Email").fill(leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/events/{event.pk}/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Book places: {event.title}")
    expect(page.get_by_label(school.name)).to_be_checked()  # the one school they book for
    check_a11y(page)

    # 3. Two people: the second row comes from "Add another person", keeping what was typed.
    fill_person(page, 1, "Ada Teacher", "ada@example.org", role="PE lead")
    page.get_by_role("button", name="Add another person").click()
    expect(page.get_by_role("group", name="Person 2")).to_be_visible()
    expect(page.get_by_role("group", name="Person 1").get_by_label("Full name")).to_have_value(
        "Ada Teacher"
    )
    check_a11y(page)
    fill_person(page, 2, "Ben Teacher", "ben@example.org", dietary="Vegetarian")
    page.get_by_role("button", name="Book places").click()

    # 4. The confirmation.
    page.wait_for_url(re.compile(r"/events/bookings/WS-[A-Z0-9]{6}/$"))
    booking = Booking.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking confirmed")
    expect(page.get_by_role("status")).to_contain_text(f"Booked: reference {booking.reference}")
    people = page.get_by_role("table", name="People on this booking")
    expect(people.get_by_role("row")).to_have_count(3)  # header + two people
    check_a11y(page)
    assert booking.status == Booking.Status.CONFIRMED
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.org",
        "ben@example.org",
        "leader@example.org",
    ]

    # 5. Cancel Ben's place, after a confirmation page.
    page.get_by_role("link", name="Cancel place of Ben Teacher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the place of Ben Teacher?")
    check_a11y(page)
    page.get_by_role("button", name="Cancel the place").click()
    page.wait_for_url(f"{base}{booking.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text("Ben Teacher's place is cancelled.")
    expect(people.get_by_role("row")).to_have_count(2)
    expect(people).to_contain_text("Ada Teacher")
    expect(people).not_to_contain_text("Ben Teacher")
    check_a11y(page)

    # 6. What the database says.
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.sequence == 1
    statuses = dict(booking.attendees.values_list("email", "status"))
    assert statuses == {
        "ada@example.org": Attendee.Status.ACTIVE,
        "ben@example.org": Attendee.Status.CANCELLED,
    }
    assert "METHOD:CANCEL" in mail.outbox[-1].attachments[0][1]
    assert mail.outbox[-1].to == ["ben@example.org"]


def _sign_in_as(context, base, user):
    """Reuse Django's session machinery instead of typing (the journey above types)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def test_coordinator_pages_and_panels_pass_axe(
    page, context, live_server, settings, world, check_a11y
):
    from conftest import enrol_totp

    from events import services
    from events.services import AttendeeData

    school, leader, event = world
    base = live_server.url
    settings.SITE_URL = base
    partnership = event.partnership
    Event.objects.filter(pk=event.pk).update(
        capacity=2, starts_at=timezone.now() + timedelta(hours=1)
    )
    event.refresh_from_db()
    booking = services.booking_create(
        actor=leader,
        event=event,
        school=school,
        attendees=[
            AttendeeData("Ada Teacher", "ada@example.org", "PE lead", "Vegetarian", "Hearing loop"),
            AttendeeData("Ben Teacher", "ben@example.org"),
        ],
    )
    services.booking_create(
        actor=leader, event=event, school=school, attendees=[AttendeeData("Cal", "cal@example.org")]
    )
    coordinator = UserFactory(email="coordinator@example.org", full_name="Morgan Coordinator")
    grant(coordinator, Role.Kind.COORDINATOR, partnership=partnership)
    enrol_totp(coordinator)
    _sign_in_as(context, base, coordinator)

    manage = f"{base}/partnership/{partnership.slug}/events/"
    page.goto(manage)
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    check_a11y(page)

    # A new event with a mistake: the error sits next to its field.
    page.get_by_role("link", name="New event").click()
    page.wait_for_url(f"{manage}new/")
    check_a11y(page)
    page.get_by_label("Title*", exact=True).fill("Summer festival")
    page.get_by_label("Venue", exact=True).fill("Cutteslowe Park")
    page.get_by_label("Starts*", exact=True).fill("2031-06-18T09:30")
    page.get_by_label("Ends*", exact=True).fill("2031-06-18T08:00")
    page.get_by_label("Places*", exact=True).fill("100")
    page.get_by_role("button", name="Save as a draft").click()
    ends = page.get_by_label("Ends*", exact=True)
    expect(ends).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The event must end after it starts.")).to_be_visible()
    expect(page.get_by_label("Title*", exact=True)).to_have_value("Summer festival")
    check_a11y(page)

    for path, heading in [
        (f"{event.pk}/", event.title),
        (f"{event.pk}/register/", f"Register: {event.title}"),
        (f"{event.pk}/email/", f"Email people about {event.title}"),
        (f"{event.pk}/edit/", f"Change {event.title}"),
        (f"{event.pk}/cancel/", f"Cancel {event.title}?"),
        (f"{event.pk}/bookings/{booking.reference}/", "Booking confirmed"),
    ]:
        page.goto(manage + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_a11y(page)

    # The register, marked without JavaScript.
    page.goto(manage + f"{event.pk}/register/")
    page.get_by_role("group", name="Attendance of Ada Teacher").get_by_label(
        "Attended", exact=True
    ).check()
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_role("status")).to_contain_text("1 mark changed")
    check_a11y(page)

    # The dashboard panel, and the school's page with its bookings panel.
    page.goto(f"{base}/partnership/{partnership.slug}/")
    expect(page.get_by_role("region", name="Events")).to_contain_text(event.title)
    check_a11y(page)
    context.clear_cookies()
    _sign_in_as(context, base, leader)
    page.goto(f"{base}{school.get_absolute_url()}")
    expect(page.get_by_role("region", name="Event bookings")).to_contain_text(event.title)
    check_a11y(page)
    page.goto(f"{base}/events/bookings/")
    check_a11y(page)


def test_a_held_place_is_explained_and_a_coordinator_releases_it(
    page, context, live_server, settings, world, check_a11y
):
    """Issue 14: a freed place is held for the waiting list. The event page says so to
    everyone; the coordinator sees it held and releases it; then a newcomer may book it."""
    from conftest import enrol_totp

    from events import services
    from events.services import AttendeeData

    school, leader, event = world
    base = live_server.url
    settings.SITE_URL = base
    partnership = event.partnership
    Event.objects.filter(pk=event.pk).update(capacity=3, max_places_per_school=None)
    event.refresh_from_db()
    services.booking_create(
        actor=leader,
        event=event,
        school=school,
        attendees=[AttendeeData("Ada", "ada@example.org"), AttendeeData("Ben", "ben@example.org")],
    )
    trio = services.booking_create(
        actor=leader,
        event=event,
        school=school,
        attendees=[AttendeeData(n, f"{n.lower()}@example.org") for n in ("Cal", "Dee", "Eve")],
    )
    assert trio.status == Booking.Status.WAITING

    # Everyone reads that the free place is held for the waiting list (also at 375 px).
    page.goto(f"{base}{event.get_absolute_url()}")
    places = page.get_by_role("region", name="Places")
    expect(places).to_contain_text("1 place is held for the waiting list")
    expect(places).to_contain_text("new bookings join the waiting list too")
    check_a11y(page)
    page.set_viewport_size({"width": 375, "height": 800})
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})

    # The coordinator sees the held place and releases it.
    coordinator = UserFactory(email="coordinator@example.org", full_name="Morgan Coordinator")
    grant(coordinator, Role.Kind.COORDINATOR, partnership=partnership)
    enrol_totp(coordinator)
    _sign_in_as(context, base, coordinator)
    page.goto(f"{base}{event.get_manage_url()}")
    expect(page.get_by_role("region", name="Waiting list", exact=True)).to_contain_text(
        "1 place is held for the waiting list"
    )
    check_a11y(page)
    page.get_by_role("button", name="Release 1 place to new bookings").click()
    page.wait_for_url(f"{base}{event.get_manage_url()}")
    expect(page.get_by_role("status")).to_contain_text("1 place released")
    check_a11y(page)
    event.refresh_from_db()
    assert event.places_released == 1

    # Now the event page offers the place to new bookers.
    page.goto(f"{base}{event.get_absolute_url()}")
    expect(page.get_by_role("region", name="Places")).to_contain_text("1 of 3 places left")
    check_a11y(page)
