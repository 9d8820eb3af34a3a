"""The member-list PDF is for lists of up to 300 schools; larger ones are offered as CSV,
and the page says so (issue 13: a 3,000-school PDF took 38 s and 820 MB)."""

import pytest
from django.urls import reverse
from factories import MembershipFactory

from partnership import documents
from wellschools.models import GeneratedDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_of_three(monkeypatch):
    monkeypatch.setattr(documents, "MEMBER_LIST_PDF_MAX", 3)


def test_small_list_offers_the_pdf(as_user, partnership, coordinator, limit_of_three):
    MembershipFactory(partnership=partnership)
    assert partnership.memberships.count() <= 3
    client = as_user(coordinator)
    page = client.get(reverse("partnership:members", args=[partnership.slug])).content.decode()
    assert "Prepare the member list as a PDF" in page
    response = client.post(reverse("partnership:members_pdf", args=[partnership.slug]))
    assert response.status_code == 302
    assert GeneratedDocument.objects.filter(kind="member_list").count() == 1


def test_large_list_offers_csv_instead(as_user, partnership, coordinator, limit_of_three):
    for _ in range(4):
        MembershipFactory(partnership=partnership)
    client = as_user(coordinator)
    url = reverse("partnership:members", args=[partnership.slug])
    page = client.get(url).content.decode()
    assert "Prepare the member list as a PDF" not in page
    assert "The member list PDF is for partnerships of up to 3 schools" in page
    assert reverse("partnership:members_csv", args=[partnership.slug]) in page
    response = client.post(reverse("partnership:members_pdf", args=[partnership.slug]))
    assert response.status_code == 302 and response.url == url
    assert not GeneratedDocument.objects.filter(kind="member_list").exists()
    followed = client.get(url).content.decode()
    assert "Download this list as CSV instead" in followed


def test_renderer_refuses_a_large_list(partnership, limit_of_three):
    from wellschools.errors import DomainError

    for _ in range(4):
        MembershipFactory(partnership=partnership)
    document = GeneratedDocument(
        kind="member_list", object_type="partnership.partnership", object_id=str(partnership.pk)
    )
    with pytest.raises(DomainError, match="download it as CSV"):
        documents.render_member_list(document)
