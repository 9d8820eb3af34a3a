"""The error summary on every form (issue 14, GOV.UK pattern).

The walk: for each form of the project, fetch its page as the person who uses it, fill the
form in badly the way a person might (required fields empty, an email address without @,
a web address without a scheme, a date that does not exist, a number in words, a choice
that is not offered) and post it. The page must come back with "There is a problem" at
the top, one link per message to an element that exists on the page, the page title
starting "Error:", and the messages still next to the fields.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accreditation.services.school import application_start
from events.models import Event
from wellcheck.models import WellCheck, academic_year_of
from wellcheck.selectors import framework_current

pytestmark = pytest.mark.django_db

BAD = {
    "email": "someone at example.org",
    "url": "example org slash policy",
    "number": "lots",
    "date": "2027-02-31",
    "datetime-local": "2027-02-31T25:00",
    "time": "25:99",
}


class Forms(HTMLParser):
    """The page's POST forms: their fields (name, type, value) and the ids on the page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.ids: set[str] = set()
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].append((a["name"], kind, None))
                return
            self._form["fields"].append((a["name"], kind, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None]
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append((self._textarea[0], "textarea", self._textarea[1]))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self._form["fields"].append((self._select[0], "select", self._select[1] or ""))
            self._select = None


def parse(html: str) -> Forms:
    parser = Forms()
    parser.feed(html)
    return parser


def badly_filled(form: dict) -> dict:
    data: dict[str, list[str]] = {}
    for name, kind, value in form["fields"]:
        if kind == "hidden":
            data.setdefault(name, []).append(value)  # CSRF token, formset management
        elif kind in BAD:
            data.setdefault(name, []).append(BAD[kind])
        elif kind == "select":
            data.setdefault(name, []).append("not-one-of-the-choices")
        elif kind in ("checkbox", "radio", "file"):
            continue  # nothing ticked, nothing chosen, no file
        else:
            data.setdefault(name, []).append("")  # text, password, textarea: left empty
    return data


def post_badly(client, url: str, field: str):
    """GET the page, find the POST form holding `field`, post it filled in badly."""
    page = client.get(url)
    assert page.status_code == 200, url
    forms = [
        f
        for f in parse(page.content.decode()).forms
        if f["method"] == "post" and any(name == field for name, _, _ in f["fields"])
    ]
    assert forms, f"{url} has no POST form with a {field!r} field"
    form = forms[0]
    return client.post(form["action"] or url, badly_filled(form))


def assert_error_summary(response, url: str):
    html = response.content.decode()
    # Re-rendered with its errors (some views answer 400 Bad Request, which is fine).
    assert response.status_code in (200, 400), f"{url}: {response.status_code}"
    assert "data-error-summary" in html and "There is a problem" in html, url
    title = re.search(r"<title>\s*(.*?)\s*</title>", html, re.S).group(1)
    assert title.startswith("Error: "), f"{url}: {title!r}"
    summary = html[
        html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))
    ]
    links = re.findall(r'<a href="#([^"]+)"', summary)
    assert links, f"{url}: the summary links to no field:\n{summary}"
    ids = parse(html).ids
    missing = [target for target in links if target not in ids]
    assert not missing, f"{url}: the summary links to {missing}, which are not on the page"
    # The messages stay next to the fields too.
    assert "invalid-feedback" in html, url
    # The summary comes before the page's heading, at the top of the main content.
    assert html.index("data-error-summary") < html.index("<h1"), url


@pytest.fixture
def event(partnership):
    starts = timezone.now() + timedelta(days=30)
    return Event.objects.create(
        partnership=partnership,
        title="Launch of the Oxfordshire Well Schools Partnership",
        description="Meet the partnership, hear from schools, plan the year.",
        venue_name="Kassam Stadium Conference Centre",
        venue_address="Grenoble Road\nOxford OX4 4XP",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=20,
        status=Event.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )


def test_sign_in_pages_show_the_error_summary(client):
    for url, field in [
        ("/accounts/login/", "login"),
        ("/accounts/signup/", "email"),
        ("/accounts/password/reset/", "email"),
        ("/accounts/login/code/", "email"),
    ]:
        assert_error_summary(post_badly(client, url, field), url)


def test_school_leaders_forms_show_the_error_summary(as_user, school, leader, event):
    client = as_user(leader)
    check = WellCheck.objects.create(
        school=school,
        academic_year=academic_year_of(timezone.localdate()),
        framework=framework_current(),
        status=WellCheck.Status.SUBMITTED,
        started_by=leader,
        submitted_by=leader,
        submitted_at=timezone.now(),
    )
    application = application_start(actor=leader, school=school)
    for url, field in [
        (f"/schools/{school.urn}/invite/", "email"),
        (f"/events/{event.pk}/book/", "attendees-0-email"),
        (f"/schools/{school.urn}/wellcheck/{check.academic_year}/plan/", "title"),
        (f"{application.get_absolute_url()}pillars/move_well/", "url"),
    ]:
        assert_error_summary(post_badly(client, url, field), url)


def test_coordinators_forms_show_the_error_summary(as_user, coordinator, partnership, event):
    client = as_user(coordinator)
    base = f"/partnership/{partnership.slug}"
    for url, field in [
        (f"{base}/events/new/", "title"),
        (f"{base}/events/{event.pk}/edit/", "title"),
        (f"{base}/events/{event.pk}/email/", "subject"),
        (f"{base}/import/", "establishments"),
        (f"{base}/logo/", "logo"),
    ]:
        assert_error_summary(post_badly(client, url, field), url)


def test_trust_leads_invitation_form_shows_the_error_summary(as_user, trust, trust_lead):
    url = f"/trusts/{trust.group_uid}/invite/"
    assert_error_summary(post_badly(as_user(trust_lead), url, "email"), url)


def test_a_page_without_errors_has_no_summary(as_user, leader, school):
    html = as_user(leader).get(f"/schools/{school.urn}/invite/").content.decode()
    assert "There is a problem" not in html
    assert "<title>Error:" not in html


def test_the_summary_focus_script_is_a_static_file(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<script src="/static/js/forms.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"
