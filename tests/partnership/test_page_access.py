"""The persona trio on every protected page: allowed, member without the right (403),
outsider (404)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

COORDINATOR_PAGES = [
    "home",
    "members",
    "members_csv",
    "member_add",
    "applications",
    "import",
    "audit",
]


def test_anonymous_is_sent_to_sign_in(client, school):
    for url in [reverse("home"), reverse("join"), school.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "persona", ["leader", "colleague", "governor", "trust_staff", "coordinator"]
)
def test_school_page_opens_for_people_with_a_right(request, as_user, school, persona):
    response = as_user(request.getfixturevalue(persona)).get(school.get_absolute_url())
    assert response.status_code == 200
    assert school.name in response.content.decode()


def test_school_page_member_of_another_school_gets_403(as_user, school, other_leader):
    assert as_user(other_leader).get(school.get_absolute_url()).status_code == 403


def test_school_page_outsider_gets_404(as_user, school, outsider):
    assert as_user(outsider).get(school.get_absolute_url()).status_code == 404


def test_school_page_unknown_urn_is_404(as_user, leader):
    assert as_user(leader).get(reverse("school_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["leader", "coordinator"])
def test_invite_page_opens_for_leaders_and_coordinators(request, as_user, school, persona):
    response = as_user(request.getfixturevalue(persona)).get(
        reverse("school_invite", args=[school.urn])
    )
    assert response.status_code == 200


def test_coordinator_can_only_invite_a_leader(as_user, school, coordinator):
    response = as_user(coordinator).get(reverse("school_invite", args=[school.urn]))
    assert [value for value, _ in response.context["form"].fields["kind"].choices] == [
        "school_leader"
    ]


@pytest.mark.parametrize("persona", ["colleague", "governor", "trust_staff", "other_leader"])
def test_invite_page_member_without_the_right_gets_403(request, as_user, school, persona):
    response = as_user(request.getfixturevalue(persona)).get(
        reverse("school_invite", args=[school.urn])
    )
    assert response.status_code == 403


def test_invite_page_outsider_gets_404(as_user, school, outsider):
    assert as_user(outsider).get(reverse("school_invite", args=[school.urn])).status_code == 404


@pytest.mark.parametrize("persona", ["trust_staff", "trust_lead"])
def test_trust_page_lists_its_schools(
    request, as_user, trust, school, school_b, other_school, persona
):
    # The trust spans both partnerships: its own people see all of its schools.
    response = as_user(request.getfixturevalue(persona)).get(trust.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["schools"]) == [school, school_b]


def test_trust_page_shows_a_coordinator_only_their_partnerships_schools(
    as_user, trust, school, school_b, other_school, coordinator
):
    response = as_user(coordinator).get(trust.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["schools"]) == [school]


def test_trust_page_member_without_the_right_gets_403(as_user, trust, leader):
    assert as_user(leader).get(trust.get_absolute_url()).status_code == 403


def test_trust_page_outsider_gets_404(as_user, trust, school, outsider):
    assert as_user(outsider).get(trust.get_absolute_url()).status_code == 404


def test_trust_invite_page_trio(as_user, client, trust, trust_lead, trust_staff, outsider):
    url = reverse("trust_invite", args=[trust.group_uid])
    assert as_user(trust_lead).get(url).status_code == 200
    assert as_user(trust_staff).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


@pytest.mark.parametrize("page", COORDINATOR_PAGES)
def test_coordinator_pages_open_for_the_coordinator(
    as_user, partnership, school, coordinator, page
):
    response = as_user(coordinator).get(reverse(f"partnership:{page}", args=[partnership.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("page", COORDINATOR_PAGES)
def test_coordinator_pages_refuse_a_school_leader_with_403(as_user, partnership, leader, page):
    response = as_user(leader).get(reverse(f"partnership:{page}", args=[partnership.slug]))
    assert response.status_code == 403


@pytest.mark.parametrize("page", COORDINATOR_PAGES)
def test_coordinator_pages_are_404_to_outsiders(as_user, partnership, outsider, page):
    response = as_user(outsider).get(reverse(f"partnership:{page}", args=[partnership.slug]))
    assert response.status_code == 404


def test_coordinator_of_another_partnership_gets_404(as_user, partnership, outsider, db):
    from conftest import enrol_totp
    from factories import grant

    from partnership.models import Partnership, Role

    surrey = Partnership.objects.get(slug="surrey")
    grant(outsider, Role.Kind.COORDINATOR, partnership=surrey)
    enrol_totp(outsider)
    assert (
        as_user(outsider).get(reverse("partnership:members", args=[partnership.slug])).status_code
        == 404
    )
    assert as_user(outsider).get(reverse("partnership:members", args=["surrey"])).status_code == 200


def test_home_sends_a_one_role_person_to_their_school(as_user, school, leader):
    response = as_user(leader).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == school.get_absolute_url()


def test_home_lists_places_for_a_person_with_several_roles(as_user, school, other_school, leader):
    from factories import grant

    from partnership.models import Role

    grant(leader, Role.Kind.GOVERNOR, school=other_school)
    response = as_user(leader).get(reverse("home"))
    assert response.status_code == 200
    assert [c.label for c in response.context["contexts"]] == [school.name, other_school.name]


def test_home_sends_a_trust_person_to_the_trust(as_user, trust, trust_staff):
    assert as_user(trust_staff).get(reverse("home")).url == trust.get_absolute_url()


def test_home_sends_the_coordinator_to_the_partnership(as_user, partnership, coordinator):
    assert as_user(coordinator).get(reverse("home")).url == partnership.get_absolute_url()
