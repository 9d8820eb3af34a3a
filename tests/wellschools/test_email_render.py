"""Plain-text parts of emails are not HTML-escaped; the HTML part is."""

import pytest

from wellschools.email import email_render

pytestmark = pytest.mark.django_db


def test_plain_text_keeps_apostrophes_and_html_escapes_them(school, leader):
    from partnership.models import Invitation

    school.name = "St Mary's <Primary> School"
    invitation = Invitation(email="a@example.org", kind="school_staff", school=school)
    subject, text, html = email_render(
        template="invitation",
        context={
            "invitation": invitation,
            "inviter": leader,
            "accept_url": "http://x/",
            "days": 14,
        },
    )
    assert "St Mary's <Primary> School" in subject
    assert "St Mary's <Primary> School" in text
    assert "St Mary&#x27;s &lt;Primary&gt; School" in html
