"""Accreditation from application to verified certificate, in a real browser, with axe on
every page.

A school leader applies, uploading a real PDF; a coordinator (TOTP enrolled: signs in with
a computed code) assigns a peer reviewer from an accredited school; the reviewer asks for
changes; the leader replies in place and resubmits; the coordinator resumes the review and
awards; the leader downloads the certificate (rendered in-process: Celery runs eagerly)
and anyone can verify its code at /verify/<code>/.

Three browser contexts (leader, coordinator, reviewer) keep three sessions side by side,
so the coordinator signs in once: a TOTP code may be used only once.
"""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from django.core import mail
from django.utils import timezone
from factories import MembershipFactory, PartnershipFactory, SchoolFactory, UserFactory, grant
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from accreditation.dates import award_valid_until
from accreditation.models import Application, Award, Evidence
from browser.helpers import LOCAL_HOSTS, PASSWORD, totp_now
from partnership.models import Role
from wellcheck.framework import framework_file
from wellcheck.models import WellCheck, academic_year_of
from wellcheck.selectors import framework_current

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
K = Role.Kind
# The pillar names as the shipped framework names them.
PILLARS = [pillar["name"] for pillar in framework_file(1)["pillars"]]


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "PE and school sport policy"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    partnership = PartnershipFactory(
        name="Oxfordshire Well Schools Partnership", slug="oxfordshire"
    )
    school = SchoolFactory(name="Cherwell Primary School")
    MembershipFactory(partnership=partnership, school=school)
    leader = UserFactory(email="leader@example.org", full_name="Alex Leader")
    grant(leader, K.SCHOOL_LEADER, school=school)
    WellCheck.objects.create(
        school=school,
        academic_year=academic_year_of(timezone.localdate()),
        framework=framework_current(),
        status=WellCheck.Status.SUBMITTED,
        started_by=leader,
        submitted_by=leader,
        submitted_at=timezone.now() - timedelta(days=14),
    )
    coordinator = UserFactory(email="coordinator@example.org", full_name="Morgan Coordinator")
    grant(coordinator, K.COORDINATOR, partnership=partnership)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    # A peer reviewer: the leader of a school accredited last year.
    accredited = SchoolFactory(name="Windrush Valley School")
    MembershipFactory(partnership=partnership, school=accredited)
    peer = UserFactory(email="peer@example.org", full_name="Pat Peer")
    grant(peer, K.SCHOOL_LEADER, school=accredited)
    awarded_on = timezone.localdate() - timedelta(days=200)
    earlier = Application.objects.create(
        partnership=partnership,
        school=accredited,
        framework=framework_current(),
        status=Application.Status.AWARDED,
        submitted_at=timezone.now() - timedelta(days=230),
    )
    Award.objects.create(
        application=earlier,
        partnership=partnership,
        school=accredited,
        awarded_on=awarded_on,
        valid_until=award_valid_until(awarded_on),
    )
    return {
        "partnership": partnership,
        "school": school,
        "leader": leader,
        "coordinator": coordinator,
        "secret": secret,
        "peer": peer,
    }


@pytest.fixture
def new_page(browser):
    """new_page() -> a page in a fresh browser context (its own session) that talks to this
    machine only, like the `context` fixture. Closed after the test, so no keep-alive
    connection holds a live-server thread (and its database connection) open."""
    contexts = []

    def only_local(route):
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def make():
        context = browser.new_context()
        context.route("**/*", only_local)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base, email, check_a11y):
    page.goto(f"{base}/accounts/login/")
    check_a11y(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def status(page):
    return page.get_by_role("status").first


def test_a_school_is_accredited_from_application_to_verified_certificate(
    page, new_page, live_server, settings, world, check_a11y
):
    base = live_server.url
    settings.SITE_URL = base
    school = world["school"]

    # 1. The leader signs in, lands on the school page and starts an application.
    sign_in(page, base, world["leader"].email, check_a11y)
    page.wait_for_url(f"{base}{school.get_absolute_url()}")
    heading(page, school.name)
    panel = page.get_by_role("region", name="Well Schools Accreditation")
    expect(panel).to_contain_text("The school can apply for accreditation.")
    check_a11y(page)
    panel.get_by_role("button", name="Start an application").click()
    page.wait_for_url(re.compile(r"/schools/\d+/accreditation/\d+/$"))
    heading(page, "Accreditation application")
    expect(page.locator("#application-state")).to_have_text("Draft")
    check_a11y(page)
    application = Application.objects.get(school=school)
    application_url = page.url

    # 2. Each pillar: a statement and one evidence item. The first is a real PDF upload.
    page.get_by_role("link", name=PILLARS[0]).click()
    heading(page, PILLARS[0])
    check_a11y(page)
    today = timezone.localdate().isoformat()
    for number, pillar in enumerate(PILLARS):
        page.get_by_label("Statement of the school's practice").fill(
            f"Our practice in {pillar}: every class, every week."
        )
        page.get_by_label("What this evidence shows").fill(f"{pillar} policy")
        page.get_by_label("Date of the evidence").fill(today)
        if number == 0:
            page.get_by_label("File", exact=True).set_input_files(
                files=[
                    {
                        "name": "PE and school sport policy.pdf",
                        "mimeType": "application/pdf",
                        "buffer": real_pdf(),
                    }
                ]
            )
        else:
            page.get_by_label("Or where the document is").fill("Staff shared drive > Policies")
        if number + 1 < len(PILLARS):
            page.get_by_role("button", name=f"Save and go to {PILLARS[number + 1]}").click()
            heading(page, PILLARS[number + 1])
        else:
            page.get_by_role("button", name="Save and go back to the application").click()
            page.wait_for_url(application_url)
        expect(status(page)).to_contain_text(f"{pillar} saved, with the new evidence")
        check_a11y(page)
    upload = Evidence.objects.get(application=application, kind=Evidence.Kind.FILE)
    assert upload.content_type == "application/pdf"
    assert upload.original_name == "PE and school sport policy.pdf"

    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url(application_url)
    expect(page.locator("#application-state")).to_have_text("Submitted")
    expect(status(page)).to_contain_text("Submitted.")
    check_a11y(page)
    assert [m.to for m in mail.outbox] == [[world["coordinator"].email]]

    # 3. The coordinator signs in with the authenticator code and assigns the peer.
    coordinator = new_page()
    sign_in(coordinator, base, world["coordinator"].email, check_a11y)
    coordinator.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    check_a11y(coordinator)
    coordinator.get_by_label("Code").fill(totp_now(world["secret"]))
    coordinator.get_by_role("button", name="Sign in").click()
    coordinator.wait_for_url(f"{base}/partnership/{world['partnership'].slug}/")
    check_a11y(coordinator)
    coordinator.get_by_role("link", name="Accreditation review queue").click()
    heading(coordinator, "Accreditation review queue")
    queue = coordinator.get_by_role("table", name=re.compile("Accreditation applications"))
    expect(queue.get_by_role("row").filter(has_text=school.name)).to_contain_text("0 of 20")
    check_a11y(coordinator)
    coordinator.get_by_role("link", name=school.name).click()
    heading(coordinator, f"{school.name}: accreditation application")
    check_a11y(coordinator)
    coordinator.get_by_role("combobox", name="Reviewer").select_option(
        label="Pat Peer — School leader at Windrush Valley School (accredited)"
    )
    coordinator.get_by_role("button", name="Assign").click()
    expect(status(coordinator)).to_contain_text("Pat Peer reviews")
    expect(coordinator.locator("#application-state")).to_have_text("In review")
    check_a11y(coordinator)
    review_link = re.search(r"https?://\S+/review/", mail.outbox[-1].body).group(0)
    assert mail.outbox[-1].to == [world["peer"].email]

    # 4. The reviewer judges each pillar and asks for changes to one.
    reviewer = new_page()
    sign_in(reviewer, base, world["peer"].email, check_a11y)
    reviewer.wait_for_url(re.compile(r"/schools/\d+/$"))
    reviewer.get_by_role("region", name="Well Schools Accreditation").get_by_role(
        "link", name=school.name
    ).click()
    reviewer.wait_for_url(review_link)
    heading(reviewer, f"Review: {school.name}")
    check_a11y(reviewer)
    for pillar in PILLARS:
        group = reviewer.get_by_role("group", name=f"{pillar}: judgement")
        group.get_by_label("Partly met" if pillar == "Lead Well" else "Met", exact=True).check()
    reviewer.get_by_label("Lead Well: comment to the school").fill(
        "Show how staff wellbeing is measured."
    )
    reviewer.get_by_label("Ask the school for changes").check()
    reviewer.get_by_role("button", name="Ask the school for changes").click()
    expect(status(reviewer)).to_contain_text("Sent back to")
    expect(reviewer.locator("#application-state")).to_have_text("Changes requested")
    check_a11y(reviewer)

    # 5. The leader reads the comment, replies in place and resubmits.
    page.goto(application_url)
    expect(page.locator("#application-state")).to_have_text("Changes requested")
    check_a11y(page)
    page.get_by_role("link", name="Lead Well").click()
    heading(page, "Lead Well")
    expect(page.get_by_role("region", name=re.compile("reviewer's judgement"))).to_contain_text(
        "Show how staff wellbeing is measured."
    )
    check_a11y(page)
    page.get_by_label("Your reply to the reviewer").fill(
        "Added our termly staff survey results (note below)."
    )
    page.get_by_label("What this evidence shows").fill("Staff wellbeing survey, spring term")
    page.get_by_label("Date of the evidence").fill(today)
    page.get_by_label("Or a link").fill("https://example.org/staff-survey")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(status(page)).to_contain_text("Lead Well saved")
    check_a11y(page)
    page.goto(application_url)
    page.get_by_role("button", name="Resubmit the application").click()
    page.wait_for_url(application_url)
    expect(page.locator("#application-state")).to_have_text("Resubmitted")
    check_a11y(page)

    # 6. The coordinator starts the review again and awards.
    coordinator.reload()
    coordinator.get_by_role("link", name="Open the review").click()
    heading(coordinator, f"Review: {school.name}")
    check_a11y(coordinator)
    coordinator.get_by_role("button", name="Start the review again").click()
    expect(coordinator.locator("#application-state")).to_have_text("In review")
    check_a11y(coordinator)
    coordinator.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=school.name
    ).click()
    heading(coordinator, f"{school.name}: accreditation application")
    coordinator.get_by_label("Award accreditation").check()
    coordinator.get_by_label("Feedback to the school").fill(
        "A strong culture of wellbeing; the staff survey closes the loop."
    )
    coordinator.get_by_role("button", name="Continue").click()
    heading(coordinator, f"Award accreditation to {school.name}?")
    check_a11y(coordinator)
    coordinator.get_by_role("button", name="Yes, award accreditation").click()
    expect(status(coordinator)).to_contain_text(f"{school.name} is accredited")
    expect(coordinator.locator("#application-state")).to_have_text("Awarded")
    check_a11y(coordinator)
    award = Award.objects.get(application=application)

    # 7. The leader downloads the certificate (rendered by the worker, in-process here).
    page.goto(application_url)
    expect(page.locator("#application-state")).to_have_text("Awarded")
    check_a11y(page)
    page.get_by_role("button", name="Download the certificate").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    heading(page, "Accreditation certificate")
    check_a11y(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download .*\.pdf")).click()
    pdf = PdfReader(download_info.value.path())
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert school.name in text and award.code in text
    assert f"{base}/verify/{award.code}/" in text

    # 8. Anyone checks the code: the school, the status and the validity.
    visitor = new_page()
    visitor.goto(f"{base}/verify/{award.code}/")
    heading(visitor, "Well Schools Accreditation")
    result = visitor.locator("dl.verify-result")
    expect(result).to_contain_text(school.name)
    expect(result).to_contain_text("Current")
    expect(result).to_contain_text(f"{award.valid_until:%-d %B %Y}")
    check_a11y(visitor)
    visitor.goto(f"{base}/accredited/")
    heading(visitor, "Accredited schools")
    expect(visitor.get_by_role("table")).to_contain_text(school.name)
    check_a11y(visitor)

    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    assert list(application.history.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "in_review",
        "changes_requested",
        "resubmitted",
        "in_review",
        "awarded",
    ]
