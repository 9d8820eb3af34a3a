"""The coordinator's insight journey in a real browser, at desktop width and at 375 px,
with axe on every page and no sideways scrolling: the overview, the question heatmap,
from the weakest question an event pre-filled with it, then the invitation to exactly the
schools that rated it Not started or Limited; and the reminder to every school that has
not started, confirmed before it is sent."""

import pytest
from conftest import enrol_totp
from factories import TrustFactory, UserFactory, grant
from insight_helpers import member_with_leader, submitted_members
from playwright.sync_api import expect

from browser.conftest import sign_in_as
from events.models import Event
from insight.models import Nudge, QuestionInvite
from partnership.models import Role
from wellschools.models import EmailMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_event_from_a_weak_question_and_reminders(
    sized_context, live_server, settings, partnership, check_page
):
    base = live_server.url
    settings.SITE_URL = base
    trust = TrustFactory(name="Cherwell Valley Academies Trust")
    submitted_members(
        partnership,
        6,
        trust=trust,
        ratings=lambda n: {"move_well": "limited" if n < 2 else "strong"},
    )
    waiting, waiting_head = member_with_leader(partnership, name="Waiting Primary School")
    coordinator = UserFactory(email="coordinator@example.org", full_name="Morgan Coordinator")
    grant(coordinator, Role.Kind.COORDINATOR, partnership=partnership)
    enrol_totp(coordinator)
    page = sized_context.new_page()
    sign_in_as(sized_context, base, coordinator)

    page.goto(f"{base}/partnership/{partnership.slug}/")
    page.get_by_role("link", name="Insight", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insight")
    expect(page.get_by_role("table", name="Well Check this year")).to_contain_text("Submitted")
    check_page(page)

    # The heatmap: the weakest question first; plan support from it.
    page.get_by_role("navigation", name="Insight").get_by_role("link", name="Questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question heatmap")
    check_page(page)
    first = page.locator("table.heatmap tbody tr").first
    expect(first).to_contain_text("Move Well")
    question_text = first.locator("th").inner_text()
    first.get_by_role("link", name="Plan support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan support for a question")
    check_page(page)

    # 1. The event, pre-filled with the pillar and the question.
    page.get_by_role("link", name="Create an event about this question").click()
    title = page.get_by_label("Title*", exact=True)
    expect(title).to_have_value(f"Move Well: {question_text}"[:200])
    check_page(page)
    page.get_by_label("Venue", exact=True).fill("Cutteslowe Park")
    page.get_by_label("Starts*", exact=True).fill("2031-06-18T09:30")
    page.get_by_label("Ends*", exact=True).fill("2031-06-18T12:00")
    page.get_by_label("Places*", exact=True).fill("40")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("status")).to_contain_text("saved as a draft")
    event = Event.objects.get(title__startswith="Move Well")
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)
    check_page(page)

    # 2. The invitation, to exactly the two schools that rated it Limited.
    page.go_back()
    page.go_back()
    page.reload()
    expect(page.get_by_text("2 schools rated it Not started or Limited")).to_be_visible()
    page.get_by_label("Event to invite them to (optional)").select_option(str(event.pk))
    page.get_by_role("button", name="Send the invitation to 2 schools").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Invitation sent to the leaders of 2 schools"
    )
    check_page(page)
    invite = QuestionInvite.objects.get()
    assert invite.event == event and len(invite.school_ids) == 2
    assert EmailMessage.objects.filter(kind="insight_question_invite").count() == 2

    # Remind every school that has not started: see the email, confirm, sent once.
    page.get_by_role("navigation", name="Insight").get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Remind every school that has not started").click()
    expect(
        page.get_by_role("region", name="What Waiting Primary School's leaders will receive")
    ).to_contain_text("has not started its Well Check")
    check_page(page)
    page.get_by_role("button", name="Send the reminder to 1 school").click()
    expect(page.get_by_role("status")).to_contain_text("Reminder sent to 1 school")
    check_page(page)
    assert Nudge.objects.get().school == waiting
    assert list(
        EmailMessage.objects.filter(kind="insight_nudge").values_list("recipient", flat=True)
    ) == [waiting_head.email]

    # The other insight pages, each with axe and without sideways scrolling.
    insight = page.get_by_role("navigation", name="Insight")
    for link, heading in [
        ("Pillars", "Pillar picture"),
        ("Trends", "Trends"),
        ("Schools", "Schools and their status"),
        ("Impact report", "Annual impact report"),
    ]:
        insight.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_page(page)
    page.goto(f"{base}/trusts/{trust.group_uid}/")
    page.get_by_role("link", name="Insight: the trust at a glance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Insight: {trust.name}")
    check_page(page)
