"""The partnership network in a real browser, with axe on every page (at the desktop width
and at 375 px): a school leader writes a practice story and submits it; a coordinator
(TOTP) publishes it; the leader of another school finds it from a growth area on the Well
Check results and asks the first school, through the platform, without either address.
"""

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from factories import (
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
    grant,
    submitted_check,
)
from playwright.sync_api import expect

from browser.helpers import LOCAL_HOSTS, PASSWORD, totp_now
from network.models import ContactOptIn, ContactRequest, PracticeStory
from partnership.models import Role
from wellcheck.models import Question
from wellschools.models import EmailMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
K = Role.Kind


@pytest.fixture
def world():
    partnership = PartnershipFactory(
        name="Oxfordshire Well Schools Partnership", slug="oxfordshire"
    )
    sharing = SchoolFactory(name="Cherwell Primary School")
    asking = SchoolFactory(name="Isis Valley Primary School")
    for school in (sharing, asking):
        MembershipFactory(partnership=partnership, school=school)
    leader = UserFactory(email="leader@example.org", full_name="Alex Leader")
    grant(leader, K.SCHOOL_LEADER, school=sharing)
    asker = UserFactory(email="asker@example.org", full_name="Lee Asker")
    grant(asker, K.SCHOOL_LEADER, school=asking)
    coordinator = UserFactory(email="coordinator@example.org", full_name="Morgan Coordinator")
    grant(coordinator, K.COORDINATOR, partnership=partnership)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    submitted_check(sharing, leader, ratings={"move_well": "strong"})
    check = submitted_check(asking, asker, ratings={"move_well": "limited"})
    question = (
        Question.objects.filter(pillar__framework=check.framework, pillar__key="move_well")
        .select_related("pillar")
        .order_by("order", "pk")
        .first()
    )
    return {
        "partnership": partnership,
        "sharing": sharing,
        "asking": asking,
        "leader": leader,
        "asker": asker,
        "coordinator": coordinator,
        "secret": secret,
        "check": check,
        "question": question,
    }


@pytest.fixture
def new_page(browser):
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


@pytest.fixture
def axe(check_a11y):
    """axe at the desktop width and at 375 px (a phone), then back."""

    def run(page):
        check_a11y(page)
        size = page.viewport_size
        page.set_viewport_size({"width": 375, "height": 812})
        check_a11y(page)
        page.set_viewport_size(size)

    return run


def sign_in(page, base, email, axe):
    page.goto(f"{base}/accounts/login/")
    axe(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_story_is_shared_published_found_from_a_growth_area_and_asked_about(
    page, new_page, live_server, settings, world, axe
):
    base = live_server.url
    settings.SITE_URL = base
    sharing, question = world["sharing"], world["question"]

    # 1. The sharing school's leader opens the network, opts in on Move Well and writes.
    sign_in(page, base, world["leader"].email, axe)
    page.wait_for_url(f"{base}{sharing.get_absolute_url()}")
    page.get_by_role("link", name="Network", exact=True).click()
    heading(page, "Practice library")
    axe(page)
    page.get_by_role("link", name="Share your school's practice").click()
    heading(page, f"{sharing.name} in the network")
    axe(page)
    page.get_by_role("group", name="Other member schools may ask us about").get_by_label(
        "Move Well"
    ).check()
    page.get_by_role("button", name="Save our choices").click()
    expect(page.get_by_role("status").first).to_contain_text("Your choices are saved.")
    assert ContactOptIn.objects.filter(school=sharing, pillar_key="move_well").exists()
    page.get_by_role("link", name="Share a practice story").click()
    heading(page, "Share your school's practice")
    axe(page)
    # Sending it empty: the error summary, and nothing saved.
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    axe(page)
    assert not PracticeStory.objects.exists()
    page.get_by_label("Title").fill("A daily mile for every class")
    page.get_by_label("What we did").fill("Every class runs or walks a mile every day.")
    page.get_by_label("For whom").fill("All pupils, Reception to Year 6")
    page.get_by_label("What changed (impact)").fill("Calmer afternoons, fitter pupils.")
    page.get_by_label("What it cost").fill("Nothing but a marked route")
    page.get_by_label("Who to ask").fill("Our PE lead")
    page.get_by_label("Move Well", exact=True).check()
    page.get_by_label(f"Move Well: {question.text}", exact=True).check()
    page.get_by_role("button", name="Save as a draft").click()
    heading(page, "A daily mile for every class")
    expect(page.locator("#story-status")).to_have_text("Draft")
    axe(page)
    page.get_by_role("button", name="Submit for publishing").click()
    expect(page.locator("#story-status")).to_have_text("Submitted")
    axe(page)
    story = PracticeStory.objects.get()

    # 2. The coordinator signs in (TOTP) and publishes it.
    coordinator = new_page()
    sign_in(coordinator, base, world["coordinator"].email, axe)
    coordinator.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    coordinator.get_by_label("Code").fill(totp_now(world["secret"]))
    coordinator.get_by_role("button", name="Sign in").click()
    coordinator.wait_for_url(re.compile(r"/partnership/oxfordshire/$"))
    coordinator.goto(f"{base}/partnership/oxfordshire/network/")
    heading(coordinator, "Stories to moderate")
    axe(coordinator)
    coordinator.get_by_role("link", name="A daily mile for every class").click()
    heading(coordinator, "A daily mile for every class")
    axe(coordinator)
    coordinator.get_by_label("Publish it").check()
    coordinator.get_by_label("Comments for the school").fill("Thank you: a clear story.")
    coordinator.get_by_role("button", name="Confirm the decision").click()
    heading(coordinator, "Stories to moderate")
    expect(coordinator.get_by_role("status").first).to_contain_text("Published")
    axe(coordinator)
    story.refresh_from_db()
    assert story.status == "published"
    assert [h.to_status for h in story.history.all()] == ["draft", "submitted", "published"]

    # 3. The other school's leader finds it from a growth area on the results page.
    asker = new_page()
    sign_in(asker, base, world["asker"].email, axe)
    asker.wait_for_url(f"{base}{world['asking'].get_absolute_url()}")
    asker.goto(
        f"{base}/schools/{world['asking'].urn}/wellcheck/{world['check'].academic_year}/results/"
    )
    axe(asker)
    peers = asker.get_by_role("region", name="Schools to learn from")
    expect(peers).to_contain_text(sharing.name)
    peers.get_by_role("link", name="A daily mile for every class").first.click()
    heading(asker, "A daily mile for every class")
    axe(asker)
    asker.go_back()
    asker.get_by_role("region", name="Schools to learn from").get_by_role(
        "link", name=f"Ask {sharing.name}"
    ).first.click()
    heading(asker, f"Ask {sharing.name}")
    axe(asker)
    asker.get_by_label("Your message").fill("How do you fit the mile in on wet days?")
    asker.get_by_role("button", name="Send the message").click()
    heading(asker, f"{world['asking'].name} asks {sharing.name}")
    expect(asker.get_by_role("status").first).to_contain_text("neither side's address")
    axe(asker)
    assert world["leader"].email not in asker.content()

    sent = ContactRequest.objects.get()
    assert EmailMessage.objects.get(kind="network_contact_request").recipient == (
        world["leader"].email
    )
    relayed = next(m for m in mail.outbox if "would like to ask you" in m.subject)
    assert relayed.to == [world["leader"].email]
    html = relayed.alternatives[0][0]
    assert world["asker"].email not in relayed.body + html
    assert world["asker"].email not in str(relayed.message())
    assert sent.get_absolute_url() in relayed.body

    # 4. The sharing school's leader replies on the platform: now the addresses are shared.
    page.goto(f"{base}{sent.get_absolute_url()}")
    axe(page)
    assert world["asker"].email not in page.content()
    page.get_by_label("Your reply").fill("We use the hall. Call me.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.locator("#asker-email")).to_have_text(world["asker"].email)
    axe(page)
    asker.reload()
    expect(asker.locator("#replier-email")).to_have_text(world["leader"].email)


def test_coordinator_lists_an_offer_and_runs_a_network_a_leader_joins(
    page, new_page, live_server, settings, world, axe
):
    """Offers and networks through the pages, axe on each at both widths."""
    from datetime import timedelta

    from factories import EventFactory

    from network.models import Network, NetworkItem, Offer

    base = live_server.url
    settings.SITE_URL = base
    meeting = EventFactory(partnership=world["partnership"], title="Wellbeing Leads: spring")

    coordinator = new_page()
    sign_in(coordinator, base, world["coordinator"].email, axe)
    coordinator.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    coordinator.get_by_label("Code").fill(totp_now(world["secret"]))
    coordinator.get_by_role("button", name="Sign in").click()
    coordinator.wait_for_url(re.compile(r"/partnership/oxfordshire/$"))
    coordinator.goto(f"{base}/partnership/oxfordshire/network/offers/")
    heading(coordinator, "Partner offers")
    axe(coordinator)
    coordinator.get_by_role("link", name="Add an offer").click()
    heading(coordinator, "Add an offer")
    axe(coordinator)
    coordinator.get_by_label("Title").fill("Playground leader training")
    coordinator.get_by_label("Provider").fill("Example Sports Partnership")
    coordinator.get_by_label("Move Well").check()
    coordinator.get_by_label("Link").fill("https://example.org/leaders")
    closes = timezone.localdate() + timedelta(days=30)
    coordinator.get_by_label("Closing date").fill(closes.isoformat())
    coordinator.get_by_role("button", name="Save the offer").click()
    heading(coordinator, "Partner offers")
    axe(coordinator)
    assert Offer.objects.get().closes_on == closes

    coordinator.get_by_role("link", name="Networks").first.click()
    heading(coordinator, "Networks")
    axe(coordinator)
    coordinator.get_by_role("link", name="Start a network").click()
    axe(coordinator)
    coordinator.get_by_role("textbox", name="Name").fill("Wellbeing Leads")
    coordinator.get_by_role("button", name="Save").click()
    heading(coordinator, "Wellbeing Leads")
    axe(coordinator)
    coordinator.get_by_label("Event").select_option(str(meeting.pk))
    coordinator.get_by_role("button", name="Make it a meeting of this network").click()
    expect(coordinator.get_by_role("link", name="Wellbeing Leads: spring")).to_be_visible()
    axe(coordinator)
    network = Network.objects.get()

    # The growing school's leader sees the offer first, joins and shares a note.
    sign_in(page, base, world["asker"].email, axe)
    page.wait_for_url(f"{base}{world['asking'].get_absolute_url()}")
    page.goto(f"{base}/network/oxfordshire/offers/")
    heading(page, "Partner offers")
    expect(
        page.get_by_role("heading", name=re.compile("Playground leader training"))
    ).to_contain_text("On your growth areas")
    axe(page)
    page.get_by_role("link", name="Networks").first.click()
    heading(page, "Networks")
    axe(page)
    page.get_by_role("link", name="Wellbeing Leads").click()
    heading(page, "Wellbeing Leads")
    expect(page.get_by_text("Notes and files are for members.")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Join Wellbeing Leads").click()
    page.get_by_role("textbox", name="Title").fill("Agenda ideas")
    page.get_by_role("textbox", name="Note").fill("Sharing our transition plan for Year 6.")
    page.get_by_role("button", name="Share with members").click()
    expect(page.get_by_role("heading", name="Agenda ideas")).to_be_visible()
    axe(page)
    assert NetworkItem.objects.get(network=network).author == world["asker"]
    assert network.memberships.filter(user=world["asker"]).exists()
