"""The weekly digest: only for people who asked, only with something new, through the
email preferences (unsubscribe), and once per person per week whatever the number of scans."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from network_helpers import question, story, submitted_check

from network.models import DigestSubscription, Offer, PracticeStory
from network.reminders import send_weekly_digests
from wellschools.models import EmailMessage, EmailPreference
from wellschools.reminders import reminders_scan

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def news(school, leader, other_school, other_leader, coordinator, partnership):
    """The leader's school grows in Move Well; another school publishes practice on it."""
    submitted_check(school, ratings={"move_well": "limited"})
    story(
        other_school,
        other_leader,
        title="Move more",
        questions=[question("move_well")],
        publish_by=coordinator,
    )
    Offer.objects.create(
        partnership=partnership,
        title="Swimming top-up",
        provider="County",
        url="https://example.org",
        pillar_keys=["move_well"],
        closes_on=timezone.localdate() + timedelta(days=30),
    )


def test_the_page_turns_the_digest_on_and_off(as_user, leader):
    client = as_user(leader)
    url = reverse("network:digest", args=["oxfordshire"])
    client.post(url, {"wanted": "1"})
    assert DigestSubscription.objects.filter(user=leader).exists()
    client.post(url, {"wanted": "0"})
    assert not DigestSubscription.objects.filter(user=leader).exists()


def _happened_on(when: datetime) -> None:
    PracticeStory.objects.update(published_at=when)
    Offer.objects.update(created_at=when)


def _next_monday_nine() -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime(monday.year, monday.month, monday.day, 9, 0, tzinfo=LONDON)


def test_sent_once_per_person_per_week(news, leader, other_leader):
    DigestSubscription.objects.create(user=leader, since=timezone.now() - timedelta(days=1))
    monday = _next_monday_nine()
    _happened_on(monday - timedelta(days=1))
    assert send_weekly_digests(now=monday) == 1
    assert send_weekly_digests(now=monday + timedelta(hours=1)) == 0
    assert send_weekly_digests(now=monday + timedelta(days=4)) == 0
    digests = EmailMessage.objects.filter(kind="network_digest")
    assert [d.recipient for d in digests] == [leader.email]
    body = digests.get().body_text
    assert "Move more" in body and "Swimming top-up" in body
    assert "/email/unsubscribe/" in body  # non-essential: the unsubscribe footer
    # Nobody who did not ask gets one.
    assert not digests.filter(recipient=other_leader.email).exists()
    # The next week, with something new, it goes again — once.
    next_monday = monday + timedelta(days=7)
    Offer.objects.create(
        partnership=leader.roles.get().school.memberships.get().partnership,
        title="New offer",
        provider="P",
        url="https://example.org",
        pillar_keys=["live_well"],
        closes_on=timezone.localdate() + timedelta(days=60),
        created_at=next_monday - timedelta(days=1),
    )
    assert send_weekly_digests(now=next_monday) == 1
    assert send_weekly_digests(now=next_monday) == 0
    assert EmailMessage.objects.filter(kind="network_digest").count() == 2


def test_not_before_seven_on_monday_and_not_when_unsubscribed(news, leader):
    DigestSubscription.objects.create(user=leader, since=timezone.now() - timedelta(days=1))
    early = _next_monday_nine() - timedelta(hours=2, minutes=30)
    _happened_on(early - timedelta(days=1))
    assert send_weekly_digests(now=early) == 0
    EmailPreference.objects.create(email=leader.email, reminders=False)
    assert send_weekly_digests(now=early + timedelta(hours=2)) == 0
    assert not EmailMessage.objects.filter(kind="network_digest").exists()


def test_nothing_new_sends_nothing(leader):
    DigestSubscription.objects.create(user=leader)
    assert send_weekly_digests(now=_next_monday_nine()) == 0


def test_the_platform_scan_runs_the_digest(news, leader):
    DigestSubscription.objects.create(user=leader, since=timezone.now() - timedelta(days=1))
    results = reminders_scan()
    assert "network.reminders.send_weekly_digests" in results


def test_the_email_preferences_page_has_the_digest_switch(as_user, leader, outsider):
    from django.contrib.auth import get_user_model

    client = as_user(leader)
    page = client.get(reverse("email_preferences")).content.decode()
    assert "Weekly network digest" in page
    response = client.post(reverse("network:digest_preference"), {"wanted": "1"})
    assert response.status_code == 302 and response.url == reverse("email_preferences")
    assert DigestSubscription.objects.filter(user=leader).exists()
    # Someone in no partnership neither sees nor uses it.
    newcomer = get_user_model().objects.create_user(email="new@example.org", password="x" * 20)
    client = as_user(newcomer)
    assert "Weekly network digest" not in client.get(reverse("email_preferences")).content.decode()
    assert client.post(reverse("network:digest_preference"), {"wanted": "1"}).status_code == 404
    assert not DigestSubscription.objects.filter(user=newcomer).exists()
