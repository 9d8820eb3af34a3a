"""A malformed id or number posted to any form is a form error, never a 500 (tenancy
issue, finding 8: a non-numeric action-plan owner gave HTTP 500).

Every route of the tenancy matrix is opened by partnership A's own people; each form on
the page is posted back with every field set to each malformed value."""

import re

import pytest
from django.urls import reverse
from test_tenancy_matrix import SAMPLES, _urls, world_a  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# Not a number; a digit int() refuses although str.isdigit() accepts it; out of range.
MALFORMED = ["abc", "²", "99999999999999999999"]
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_malformed_values_in_every_field_never_give_a_server_error(name, world_a, client):  # noqa: F811
    from conftest import enrol_totp
    from factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(admin)
    client.raise_request_exception = False
    for url in _urls(world_a, name):
        for user in (admin, *world_a.people):
            client.force_login(user)
            page = client.get(url)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            fields = sorted(set(FIELD.findall(page.content.decode())) - {"csrfmiddlewaretoken"})
            for value in MALFORMED:
                response = client.post(url, dict.fromkeys(fields, value))
                assert response.status_code < 500, (url, user.email, value, fields)
                response = client.get(url, dict.fromkeys(fields, value))
                assert response.status_code < 500, (url, "GET", value)


def test_a_non_numeric_action_owner_gives_the_form_back_with_a_message(as_user, school, leader):
    from factories import submitted_check

    well_check = submitted_check(school, leader)
    url = reverse("wellcheck:plan", args=[school.urn, well_check.academic_year])
    data = {
        "pillar": well_check.framework.pillars.first().pk,
        "title": "Walking bus",
        "owner": "abc",
        "success_measure": "Numbers walking",
        "due_date": "2027-01-01",
        "status": "not_started",
    }
    response = as_user(leader).post(url, data)
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert "Walking bus" in response.content.decode()  # nothing entered is lost
    assert not well_check.actions.exists()


@pytest.mark.parametrize("value", ["²", "abc", "99999999999999999999"])
def test_a_malformed_urn_or_question_is_no_server_error(
    as_user, partnership, school, leader, coordinator, value
):
    from factories import submitted_check

    well_check = submitted_check(school, leader)
    client = as_user(coordinator)
    add = reverse("partnership:member_add", args=[partnership.slug])
    assert client.post(add, {"urn": value}).status_code == 200
    members = reverse("partnership:members", args=[partnership.slug])
    assert client.get(members, {"q": value}).status_code == 200
    plan = reverse("wellcheck:plan", args=[school.urn, well_check.academic_year])
    assert as_user(leader).get(plan, {"question": value}).status_code == 200
    join = as_user(leader).get(reverse("join"), {"urn": value, "q": value})
    assert join.status_code == 200
