"""The tenancy rules of docs/tenancy.md that the matrix does not show: coordinator rights
come from an *active* membership (finding 4), and a trust that spans partnerships shows a
coordinator only their partnership's schools, on its pages and in its PDF (finding 3)."""

import pytest
from django.urls import reverse
from factories import UserFactory, grant, submitted_check

from partnership.models import Invitation, Membership

pytestmark = pytest.mark.django_db

NOT_ACTIVE = [s for s in Membership.Status.values if s != Membership.Status.ACTIVE]


@pytest.mark.parametrize("status", NOT_ACTIVE)
def test_a_coordinator_has_no_rights_over_a_school_whose_membership_is_not_active(
    as_user, schools_by_status, coordinator, status
):
    school = schools_by_status[status]
    leader_of_it = UserFactory(email=f"{status}.leader@example.org")
    grant(leader_of_it, "school_leader", school=school)
    well_check = submitted_check(school, leader_of_it)
    client = as_user(coordinator)
    year = well_check.academic_year
    for url in [
        reverse("wellcheck:overview", args=[school.urn]),
        reverse("wellcheck:check", args=[school.urn, year]),
        reverse("wellcheck:plan", args=[school.urn, year]),
        reverse("school_invite", args=[school.urn]),
        reverse("accreditation:overview", args=[school.urn]),
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("school_invite", args=[school.urn]),
        {"email": "new.head@example.org", "kind": "school_leader"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    response = client.post(
        reverse("wellcheck:reopen", args=[school.urn, year]), {"reason": "Again"}
    )
    assert response.status_code == 403
    well_check.refresh_from_db()
    assert well_check.is_submitted
    # The school's page still opens to change the membership, without its people.
    page = client.get(school.get_absolute_url())
    assert page.status_code == 200
    assert leader_of_it.email not in page.content.decode()
    assert page.context["full_view"] is False


def test_an_active_member_is_open_to_its_coordinator(as_user, schools_by_status, coordinator):
    school = schools_by_status[Membership.Status.ACTIVE]
    client = as_user(coordinator)
    assert client.get(reverse("school_invite", args=[school.urn])).status_code == 200
    assert client.get(reverse("wellcheck:overview", args=[school.urn])).status_code == 200


def test_a_school_that_only_applied_to_b_is_closed_to_bs_coordinator(
    as_user, border_school, coordinator_b
):
    client = as_user(coordinator_b)
    assert client.get(reverse("school_invite", args=[border_school.urn])).status_code == 403
    assert client.get(reverse("wellcheck:overview", args=[border_school.urn])).status_code == 403


def test_the_trust_pages_show_each_coordinator_only_their_partnerships_schools(
    as_user, trust, school, school_b, trust_staff, leader, coordinator, coordinator_b
):
    submitted_check(school, leader)
    for user, mine, theirs in [(coordinator, school, school_b), (coordinator_b, school_b, school)]:
        client = as_user(user)
        page = client.get(trust.get_absolute_url())
        assert list(page.context["schools"]) == [mine]
        assert trust_staff.email not in page.content.decode()  # the trust's people stay hidden
        scores = client.get(reverse("wellcheck:trust", args=[trust.group_uid]))
        names = [row.school.name for row in scores.context["rows"]]
        assert names == [mine.name] and theirs.name not in scores.content.decode()


def test_the_trust_summary_pdf_is_rendered_for_the_person_who_asked(
    as_user,
    on_commit,
    settings,
    tmp_path,
    trust,
    school,
    school_b,
    trust_staff,
    coordinator_b,
    coordinator,
):
    from pypdf import PdfReader

    from wellschools.models import GeneratedDocument

    settings.MEDIA_ROOT = str(tmp_path)
    url = reverse("wellcheck:trust_report", args=[trust.group_uid])
    with on_commit():
        as_user(coordinator_b).post(url)
    document = GeneratedDocument.objects.get(kind="trust_summary")
    assert document.status == GeneratedDocument.Status.READY
    with document.file.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(handle).pages).split())
    assert school_b.name in text and school.name not in text
    # Nobody else opens B's coordinator's copy, not even the trust's own staff.
    download = reverse("document_download", args=[document.pk])
    assert as_user(coordinator).get(download).status_code == 403
    assert as_user(trust_staff).get(download).status_code == 403
    assert as_user(coordinator_b).get(download).status_code == 200
    with on_commit():
        as_user(trust_staff).post(url)
    staff_copy = GeneratedDocument.objects.exclude(pk=document.pk).get(kind="trust_summary")
    with staff_copy.file.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(handle).pages).split())
    assert school_b.name in text and school.name in text
