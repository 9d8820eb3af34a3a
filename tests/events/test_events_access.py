"""The persona trio on every events page: allowed OK, member without the right 403,
outsider 404. Public pages open without signing in; drafts are invisible to others."""

from datetime import timedelta

import pytest
from django.urls import reverse
from events_helpers import book, make_event

from events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(partnership):
    return make_event(partnership)


@pytest.fixture
def booking(event, school, leader):
    return book(leader, event, 2, school=school)


# --- public pages --------------------------------------------------------------------------


def test_public_pages_open_without_signing_in(client, event):
    past = make_event(event.partnership, title="Spring conference", starts_in=-timedelta(days=300))
    listing = client.get(reverse("events:list"))
    assert listing.status_code == 200 and event.title in listing.content.decode()
    archive = client.get(reverse("events:archive"))
    assert archive.status_code == 200 and past.title in archive.content.decode()
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    assert "<strong>20</strong> of 20 places left" in page.content.decode()
    assert "Sign in to book" in page.content.decode()


def test_a_draft_is_invisible_to_everyone_but_its_coordinators(
    client, as_user, partnership, leader, outsider, coordinator
):
    draft = make_event(partnership, title="Secret draft", status=Event.Status.DRAFT)
    assert "Secret draft" not in client.get(reverse("events:list")).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert as_user(leader).get(draft.get_absolute_url()).status_code == 404
    assert as_user(outsider).get(draft.get_absolute_url()).status_code == 404
    assert as_user(leader).get(reverse("events:book", args=[draft.pk])).status_code == 404
    preview = as_user(coordinator).get(draft.get_absolute_url())
    assert preview.status_code == 200 and "This is a draft" in preview.content.decode()


# --- the booker's pages ----------------------------------------------------------------------


def test_signing_in_is_needed_to_book(client, event):
    response = client.get(reverse("events:book", args=[event.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "persona", ["leader", "colleague", "governor", "trust_staff", "trust_lead"]
)
def test_the_booking_form_opens_for_school_and_trust_staff(request, as_user, event, persona):
    response = as_user(request.getfixturevalue(persona)).get(
        reverse("events:book", args=[event.pk])
    )
    assert response.status_code == 200


def test_the_booking_form_trio(as_user, event, school, coordinator, outsider):
    url = reverse("events:book", args=[event.pk])
    # In the partnership but with no school or trust to book for: 403.
    assert as_user(coordinator).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


def test_an_open_event_takes_bookings_from_anyone_signed_in(as_user, partnership, outsider):
    event = make_event(partnership, audience=Event.Audience.ANYONE)
    assert as_user(outsider).get(reverse("events:book", args=[event.pk])).status_code == 200


def _booking_pages(booking):
    attendee = booking.attendees.first()
    return [
        booking.get_absolute_url(),
        reverse("events:booking_cancel", args=[booking.reference]),
        reverse("events:booking_calendar", args=[booking.reference]),
        reverse("events:attendee_cancel", args=[booking.reference, attendee.pk]),
        reverse("events:attendee_substitute", args=[booking.reference, attendee.pk]),
    ]


@pytest.mark.parametrize("persona", ["leader", "colleague", "governor", "trust_staff"])
def test_booking_pages_open_for_the_booker_and_the_schools_people(
    request, as_user, booking, persona
):
    client = as_user(request.getfixturevalue(persona))
    for url in _booking_pages(booking):
        assert client.get(url).status_code == 200, url


def test_booking_pages_are_403_to_members_without_the_right(as_user, booking, other_leader):
    for url in _booking_pages(booking):
        assert as_user(other_leader).get(url).status_code == 403, url


def test_booking_pages_are_404_to_outsiders(as_user, booking, outsider):
    for url in _booking_pages(booking):
        assert as_user(outsider).get(url).status_code == 404, url


def test_booking_pages_need_signing_in(client, booking):
    for url in _booking_pages(booking):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_an_unknown_reference_is_404(as_user, leader):
    assert as_user(leader).get(reverse("events:booking", args=["WS-NOPE99"])).status_code == 404


def test_your_bookings_lists_the_schools_bookings(as_user, booking, colleague, other_leader):
    assert booking.reference in as_user(colleague).get(reverse("events:bookings")).content.decode()
    assert (
        booking.reference
        not in as_user(other_leader).get(reverse("events:bookings")).content.decode()
    )


# --- the coordinator's pages -------------------------------------------------------------


def _coordinator_pages(partnership, event, booking):
    attendee = booking.attendees.first()
    slug, pk, ref = partnership.slug, event.pk, booking.reference
    return [
        reverse("events_manage:list", args=[slug]),
        reverse("events_manage:create", args=[slug]),
        reverse("events_manage:detail", args=[slug, pk]),
        reverse("events_manage:edit", args=[slug, pk]),
        reverse("events_manage:cancel", args=[slug, pk]),
        reverse("events_manage:register", args=[slug, pk]),
        reverse("events_manage:attendees_csv", args=[slug, pk]),
        reverse("events_manage:message", args=[slug, pk]),
        reverse("events_manage:booking", args=[slug, pk, ref]),
        reverse("events_manage:booking_cancel", args=[slug, pk, ref]),
        reverse("events_manage:attendee_cancel", args=[slug, pk, ref, attendee.pk]),
        reverse("events_manage:attendee_substitute", args=[slug, pk, ref, attendee.pk]),
    ]


def test_coordinator_pages_open_for_the_coordinator(
    as_user, partnership, event, booking, coordinator
):
    client = as_user(coordinator)
    for url in _coordinator_pages(partnership, event, booking):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["leader", "trust_lead", "other_leader"])
def test_coordinator_pages_are_403_to_members(
    request, as_user, partnership, event, booking, persona
):
    client = as_user(request.getfixturevalue(persona))
    for url in _coordinator_pages(partnership, event, booking):
        assert client.get(url).status_code == 403, url
    publish = reverse("events_manage:publish", args=[partnership.slug, event.pk])
    assert client.post(publish).status_code == 403


def test_coordinator_pages_are_404_to_outsiders(as_user, partnership, event, booking, outsider):
    client = as_user(outsider)
    for url in _coordinator_pages(partnership, event, booking):
        assert client.get(url).status_code == 404, url
    publish = reverse("events_manage:publish", args=[partnership.slug, event.pk])
    assert client.post(publish).status_code == 404


def test_another_partnerships_event_is_404_to_a_coordinator(
    as_user, partnership, coordinator, outsider
):
    from partnership.models import Partnership

    elsewhere = make_event(Partnership.objects.get(slug="surrey"))
    url = reverse("events_manage:detail", args=[partnership.slug, elsewhere.pk])
    assert as_user(coordinator).get(url).status_code == 404


def test_coordinator_pages_wait_for_two_factor(client, partnership, event, db):
    from factories import UserFactory, grant

    from partnership.models import Role

    fresh = UserFactory(email="new.coordinator@example.org")
    grant(fresh, Role.Kind.COORDINATOR, partnership=partnership)
    client.force_login(fresh)
    response = client.get(reverse("events_manage:list", args=[partnership.slug]))
    assert response.status_code == 302 and "/2fa/totp/activate/" in response.url


# --- panels ----------------------------------------------------------------------------------


def test_trust_staff_see_their_trusts_bookings_on_the_trust_page(
    as_user, trust, booking, trust_staff, other_school, other_leader
):
    other = book(other_leader, booking.event, 1, school=other_school)
    page = as_user(trust_staff).get(trust.get_absolute_url()).content.decode()
    assert "Event bookings" in page
    assert booking.reference in page and booking.event.title in page
    assert other.reference not in page  # another trust's school


def test_the_school_page_shows_its_bookings(as_user, school, booking, colleague):
    page = as_user(colleague).get(school.get_absolute_url()).content.decode()
    assert "Event bookings" in page and booking.event.title in page


def test_the_coordinators_dashboard_lists_upcoming_events(as_user, partnership, event, coordinator):
    page = as_user(coordinator).get(partnership.get_absolute_url()).content.decode()
    assert event.title in page and "Manage events" in page
