"""Practice stories: writing, moderation on the one status mechanism (history rows, audit,
emails), attachments under the accreditation upload rules, links, and edit paths."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from network_helpers import pillar, question, story

from network import services
from network.models import PracticeStory
from network.services import NetworkError
from wellschools.models import AuditEvent, EmailMessage
from wellschools.workflow import InvalidTransition

pytestmark = pytest.mark.django_db
S = PracticeStory.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(**overrides):
    data = {
        "title": "Walking bus",
        "what_we_did": "Parents lead walking buses from three points.",
        "for_whom": "Pupils who live within a mile",
        "impact": "Fewer cars at the gate; more pupils arrive ready to learn.",
        "cost": "Hi-vis vests, £60",
        "who_to_ask": "Our business manager",
        "phase": "primary",
        "pillars": [str(pillar("move_well").pk)],
        "questions": [str(question("move_well").pk)],
    }
    data.update(overrides)
    return data


def test_leader_writes_a_draft_through_the_page(as_user, leader, school, coordinator):
    client = as_user(leader)
    response = client.post(reverse("network:story_new", args=[school.urn]), _form())
    written = PracticeStory.objects.get()
    assert response.status_code == 302 and response.url == written.get_absolute_url()
    assert written.status == S.DRAFT and written.school == school
    assert list(written.questions.all()) == [question("move_well")]
    assert [(h.from_status, h.to_status) for h in written.history.all()] == [("", "draft")]


def test_bad_input_keeps_what_was_typed_and_says_why(as_user, leader, school):
    client = as_user(leader)
    response = client.post(
        reverse("network:story_new", args=[school.urn]),
        _form(who_to_ask="head@example.org", pillars=["nonsense"]),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "not an email address" in body
    assert "Parents lead walking buses" in body
    assert not PracticeStory.objects.exists()


def test_question_outside_the_chosen_pillars_is_refused(as_user, leader, school):
    response = as_user(leader).post(
        reverse("network:story_new", args=[school.urn]),
        _form(questions=[str(question("lead_well").pk)]),
    )
    assert response.status_code == 400
    assert "is not a question of the pillars you chose" in response.content.decode()
    assert not PracticeStory.objects.exists()


def test_submit_publish_and_history(as_user, leader, school, coordinator):
    written = story(school, leader)
    response = as_user(leader).post(reverse("network:story_submit", args=[written.pk]))
    assert response.status_code == 302
    written.refresh_from_db()
    assert written.status == S.SUBMITTED and written.submitted_at is not None
    sent = EmailMessage.objects.filter(kind="network_story_submitted")
    assert [m.recipient for m in sent] == [coordinator.email]

    client = as_user(coordinator)
    url = reverse("network_manage:moderate", args=["oxfordshire", written.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "publish", "comment": "Lovely"})
    assert response.status_code == 302
    written.refresh_from_db()
    assert written.status == S.PUBLISHED and written.published_at is not None
    moves = [(h.from_status, h.to_status, h.actor, h.comment) for h in written.history.all()]
    assert moves[1:] == [
        ("draft", "submitted", leader, ""),
        ("submitted", "published", coordinator, "Lovely"),
    ]
    assert AuditEvent.objects.filter(action="network.story_published").count() == 1
    told = EmailMessage.objects.get(kind="network_story_moderated")
    assert told.recipient == leader.email and "Published" in told.subject


def test_return_needs_a_comment_and_goes_back_to_the_school(as_user, leader, school, coordinator):
    written = story(school, leader)
    services.story_submit(actor=leader, story=written)
    client = as_user(coordinator)
    url = reverse("network_manage:moderate", args=["oxfordshire", written.pk])
    response = client.post(url, {"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert "Say what the school should change" in response.content.decode()
    written.refresh_from_db()
    assert written.status == S.SUBMITTED

    client.post(url, {"decision": "return", "comment": "Add what it cost in staff time."})
    written.refresh_from_db()
    assert written.status == S.RETURNED
    assert written.history.last().comment == "Add what it cost in staff time."
    page = as_user(leader).get(written.get_absolute_url()).content.decode()
    assert "Add what it cost in staff time." in page
    # The school changes it and submits again.
    services.story_submit(actor=leader, story=written)
    written.refresh_from_db()
    assert written.status == S.SUBMITTED


def test_moves_not_in_the_table_are_refused(leader, school, coordinator):
    written = story(school, leader)
    with pytest.raises(NetworkError):
        services.story_publish(actor=coordinator, story=written)  # a draft: not submitted
    services.story_submit(actor=leader, story=written)
    with pytest.raises(NetworkError):
        services.story_submit(actor=leader, story=written)
    assert issubclass(NetworkError, Exception) and InvalidTransition is not NetworkError
    written.refresh_from_db()
    assert written.status == S.SUBMITTED
    assert written.history.count() == 2


def test_only_coordinators_moderate_and_only_leaders_submit(leader, colleague, school, coordinator):
    written = story(school, leader)
    with pytest.raises(NetworkError):
        services.story_submit(actor=colleague, story=written)
    services.story_submit(actor=leader, story=written)
    with pytest.raises(NetworkError):
        services.story_publish(actor=leader, story=written)
    written.refresh_from_db()
    assert written.status == S.SUBMITTED


def test_published_story_is_withdrawn_to_change_it(as_user, leader, school, coordinator):
    written = story(school, leader, publish_by=coordinator)
    with pytest.raises(NetworkError):
        services.story_update(
            actor=leader, story=written, **{**_fields(written), "title": "New title"}
        )
    as_user(leader).post(reverse("network:story_withdraw", args=[written.pk]))
    written.refresh_from_db()
    assert written.status == S.DRAFT and written.published_at is None


def _fields(s):
    return {
        "title": s.title,
        "what_we_did": s.what_we_did,
        "for_whom": s.for_whom,
        "impact": s.impact,
        "cost": s.cost,
        "who_to_ask": s.who_to_ask,
        "phase": s.phase,
        "pillars": list(s.pillars.all()),
        "questions": list(s.questions.all()),
    }


def test_edit_form_posted_back_unchanged_changes_nothing(as_user, leader, school):
    written = story(school, leader, questions=[question("move_well")])
    client = as_user(leader)
    url = reverse("network:story_edit", args=[written.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = [str(v) for v in value] if isinstance(value, list) else value
    history = written.history.count()
    response = client.post(url, data)
    assert response.status_code == 302
    written.refresh_from_db()
    assert written.history.count() == history
    assert _fields(written) == _fields(PracticeStory.objects.get(pk=written.pk))


def test_attachment_follows_the_upload_rules(as_user, leader, school, colleague):
    written = story(school, leader)
    client = as_user(leader)
    url = reverse("network:attachment_add", args=[written.pk])
    program = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = client.post(url, {"file": program})
    assert response.status_code == 400
    assert "is a program" in response.content.decode()
    assert not written.attachments.exists()

    good = SimpleUploadedFile("plan.pdf", PDF)
    assert client.post(url, {"file": good}).status_code == 302
    item = written.attachments.get()
    assert item.content_type == "application/pdf" and "plan" not in item.file.name
    download = as_user(colleague).get(reverse("network:attachment", args=[written.pk, item.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == PDF


def test_links_are_added_and_removed(as_user, leader, school):
    written = story(school, leader)
    client = as_user(leader)
    response = client.post(
        reverse("network:link_add", args=[written.pk]), {"url": "not a url", "label": "x"}
    )
    assert response.status_code == 400
    client.post(
        reverse("network:link_add", args=[written.pk]),
        {"url": "https://example.org/walk", "label": "Our walking map"},
    )
    link = written.links.get()
    assert link.url == "https://example.org/walk"
    client.post(reverse("network:link_remove", args=[written.pk, link.pk]))
    assert not written.links.exists()


def test_library_search_by_pillar_question_phase_and_text(
    as_user, school, leader, other_school, other_leader, coordinator
):
    move = question("move_well")
    mile = story(school, leader, title="Daily mile", questions=[move], publish_by=coordinator)
    voice = story(
        other_school,
        other_leader,
        title="Staff voice panel",
        pillar_key="lead_well",
        publish_by=coordinator,
    )
    PracticeStory.objects.filter(pk=voice.pk).update(phase="secondary")
    client = as_user(other_leader)
    url = reverse("network:library", args=["oxfordshire"])

    def titles(**query):
        return [s.title for s in client.get(url, query).context["page"]]

    assert set(titles()) == {"Daily mile", "Staff voice panel"}
    assert titles(pillar="move_well") == ["Daily mile"]
    assert titles(question=f"move_well.{move.key}") == ["Daily mile"]
    assert titles(phase="secondary") == ["Staff voice panel"]
    assert titles(q="voice PANEL") == ["Staff voice panel"]
    assert titles(q=school.name.split()[0]) == ["Daily mile"]
    # A malformed filter is ignored with a message, never a 500.
    response = client.get(url, {"pillar": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert set(titles(page="999")) == {"Daily mile", "Staff voice panel"}
    assert mile.is_published
