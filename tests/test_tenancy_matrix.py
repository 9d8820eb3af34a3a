"""The tenancy matrix: nobody of partnership B, and no coordinator without two-factor,
reaches anything partnership A owns — on any page, GET or POST.

The test walks the whole URL configuration (every named route: pages, htmx endpoints,
downloads, POST-only actions), fills each route's parameters with objects owned by
partnership A (``SAMPLES``), and requests each URL as every persona of partnership B
(coordinator, school leader, trust staff) — expecting 404 or 403 (405 for a method the
route does not take) — and as A's own coordinator who has not enrolled TOTP, expecting
the redirect to the two-factor set-up. A platform admin with two-factor then opens the
same URL (anything but 403/404), which proves the sample really points at A's object.

A route the walk cannot fill FAILS ``test_every_route_is_in_the_matrix`` until it is
given a sample, so a new page cannot slip past.

How to add a new route
----------------------
1. If its URL is about something a partnership owns, add an entry to ``SAMPLES``:
   ``"<namespace>:<name>": lambda w: {"<url kwarg>": <value from the world>}``. The world
   ``w`` (``WorldA`` below) holds A's objects: ``w.partnership``, ``w.school``,
   ``w.trust`` (a trust with schools only in A), ``w.well_check``, ``w.action``,
   ``w.application``, ``w.evidence``, ``w.award``, ``w.event``, ``w.booking``,
   ``w.attendee``, ``w.documents`` (by kind), ``w.membership``, ``w.applied``,
   ``w.role``, and the network's ``w.story`` (published), ``w.draft_story``,
   ``w.attachment``, ``w.link``, ``w.peer`` (a strong, opted-in school of A),
   ``w.question``, ``w.contact``, ``w.offer``, ``w.network``, ``w.network_member``,
   ``w.item``, and the staff survey's ``w.survey`` (an open survey) and ``w.survey_ended``
   (an ended one whose results show). Return a list of dicts to try several objects. If
   the object is new (a new model), create one owned by A in ``world_a``.
2. If it is about no partnership's object (public pages, the person's own pages, links
   whose token is the credential), add it to ``NOT_SCOPED`` with the reason.
Routes of allauth (``/accounts/``) and Django's admin (``/admin/``, staff only) are the
person's own account pages and the platform admin's, and are left out by prefix.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from factories import MembershipFactory, SchoolFactory, TrustFactory, UserFactory, grant

from partnership.models import Membership, Role

pytestmark = pytest.mark.django_db

LEFT_OUT_PREFIXES = ("accounts/", "admin/")

# Routes about no partnership's object, with the reason.
NOT_SCOPED = {
    "landing": "the public landing page",
    "healthz": "the load balancer's health check",
    "home": "the person's own places",
    "join": "anyone signed in may apply for a school to join (the join journey)",
    "email_preferences": "the person's own email preferences",
    "session_keepalive": "the person's own session (the idle-timeout warning's keep-alive)",
    "email_unsubscribe": "the signed token is the credential (one-click unsubscribe)",
    "invitation_accept": "the emailed token is the credential; it works for its address",
    "events:list": "published events are public",
    "events:archive": "past events are public",
    "events:detail": "a published event's page is public; booking it is checked",
    "events:bookings": "the person's own bookings",
    "events:leave": "the signed token from the waiting-list email is the credential",
    "accreditation:verify_lookup": "public certificate verification",
    "accreditation:verify": "public certificate verification (the QR code's link)",
    "accreditation:accredited": "the public list of accredited schools",
    "network:home": "the person's own landing (a list of, or redirect to, their partnerships)",
    "network:digest_preference": "the person's own digest preference (email preferences)",
    # staff survey: the answering pages, reached by the survey's random public code
    "staffsurvey_public:start": "the survey's random public code is the credential",
    "staffsurvey_public:invitation": "the survey's code and the emailed token are the credential",
    "staffsurvey_public:step": "the survey's random public code is the credential",
    "staffsurvey_public:check": "the survey's random public code is the credential",
    "staffsurvey_public:thanks": "the survey's random public code is the credential",
}


@dataclass
class WorldA:
    partnership: object
    school: object
    trust: object
    well_check: object
    action: object
    application: object
    evidence: object
    award: object
    event: object
    booking: object
    attendee: object
    membership: object
    applied: object
    role: object
    people: list
    documents: dict = field(default_factory=dict)
    invitation: object = None
    story: object = None
    draft_story: object = None
    attachment: object = None
    link: object = None
    peer: object = None
    question: object = None
    contact: object = None
    offer: object = None
    network: object = None
    network_member: object = None
    item: object = None
    # staff survey: an open survey of A's school, and an ended one with results showing
    survey: object = None
    survey_ended: object = None


def _year(w: WorldA) -> int:
    return w.well_check.academic_year


def _check(w: WorldA, **extra) -> dict:
    return {"urn": w.school.urn, "year": _year(w), **extra}


def _application(w: WorldA, **extra) -> dict:
    return {"urn": w.school.urn, "pk": w.application.pk, **extra}


def _managed_event(w: WorldA, **extra) -> dict:
    return {"slug": w.partnership.slug, "pk": w.event.pk, **extra}


def _review(w: WorldA) -> dict:
    return {"slug": w.partnership.slug, "pk": w.application.pk}


def _slug(w: WorldA) -> dict:
    return {"slug": w.partnership.slug}


def _stories(w: WorldA, **extra) -> list[dict]:
    return [{"pk": w.story.pk, **extra}, {"pk": w.draft_story.pk, **extra}]


def _attachment(w: WorldA) -> dict:
    return {"pk": w.story.pk, "attachment_pk": w.attachment.pk}


def _link(w: WorldA) -> dict:
    return {"pk": w.story.pk, "link_pk": w.link.pk}


def _group(w: WorldA, **extra) -> dict:
    return {"pk": w.network.pk, **extra}


def _managed_network(w: WorldA, **extra) -> dict:
    return {"slug": w.partnership.slug, "pk": w.network.pk, **extra}


def _survey(w: WorldA, survey) -> dict:
    return {"urn": w.school.urn, "survey_id": survey.pk}


# Route name -> the URL kwargs pointing at objects partnership A owns (or a list of them).
SAMPLES = {
    # partnership: schools, trusts, people
    "school_detail": lambda w: {"urn": w.school.urn},
    "school_invite": lambda w: {"urn": w.school.urn},
    "trust_detail": lambda w: {"group_uid": w.trust.group_uid},
    "trust_invite": lambda w: {"group_uid": w.trust.group_uid},
    "role_remove": lambda w: {"pk": w.role.pk},
    "invitation_cancel": lambda w: {"pk": w.invitation.pk},
    "invitation_resend": lambda w: {"pk": w.invitation.pk},
    # partnership: the coordinator's pages
    "partnership:home": _slug,
    "partnership:members": _slug,
    "partnership:members_csv": _slug,
    "partnership:members_pdf": _slug,
    "partnership:member_add": _slug,
    "partnership:member_status": lambda w: {**_slug(w), "pk": w.membership.pk},
    "partnership:applications": _slug,
    "partnership:application_decide": lambda w: {**_slug(w), "pk": w.applied.pk},
    "partnership:import": _slug,
    "partnership:audit": _slug,
    "partnership:logo": _slug,
    # the Well Check
    "wellcheck:overview": lambda w: {"urn": w.school.urn},
    "wellcheck:start": lambda w: {"urn": w.school.urn},
    "wellcheck:check": _check,
    "wellcheck:submit": _check,
    "wellcheck:reopen": _check,
    "wellcheck:pillar": lambda w: _check(w, key=w.action.pillar.key),
    "wellcheck:answer": lambda w: _check(w, question_id=w.action.question_id),
    "wellcheck:data": _check,
    "wellcheck:data_answer": lambda w: _check(
        w, question_id=w.well_check.framework.data_questions.first().pk
    ),
    "wellcheck:results": _check,
    "wellcheck:report": _check,
    "wellcheck:plan": _check,
    "wellcheck:plan_summary": _check,
    "wellcheck:action": lambda w: _check(w, action_id=w.action.pk),
    "wellcheck:action_delete": lambda w: _check(w, action_id=w.action.pk),
    "wellcheck:trust": lambda w: {"group_uid": w.trust.group_uid},
    "wellcheck:trust_report": lambda w: {"group_uid": w.trust.group_uid},
    "wellcheck_partnership:scores": _slug,
    "wellcheck_partnership:scores_csv": _slug,
    # accreditation
    "accreditation:overview": lambda w: {"urn": w.school.urn},
    "accreditation:start": lambda w: {"urn": w.school.urn},
    "accreditation:certificate": lambda w: {"urn": w.school.urn, "award_pk": w.award.pk},
    "accreditation:application": _application,
    "accreditation:submit": _application,
    "accreditation:resubmit": _application,
    "accreditation:withdraw": _application,
    "accreditation:pillar": lambda w: _application(w, key=w.evidence.pillar.key),
    "accreditation:evidence": lambda w: _application(w, evidence_pk=w.evidence.pk),
    "accreditation:evidence_remove": lambda w: _application(w, evidence_pk=w.evidence.pk),
    "accreditation:evidence_edit": lambda w: _application(w, evidence_pk=w.evidence.pk),
    "accreditation:evidence_reuse": lambda w: _application(w, evidence_pk=w.evidence.pk),
    "accreditation_review:queue": _slug,
    "accreditation_review:application": _review,
    "accreditation_review:assign": _review,
    "accreditation_review:decide": _review,
    "accreditation_review:review": _review,
    "accreditation_review:resume": _review,
    # insight
    "insight:overview": _slug,
    "insight:pillars": _slug,
    "insight:questions": _slug,
    "insight:question_invite": lambda w: {**_slug(w), "question_pk": w.action.question_id},
    "insight:trends": _slug,
    "insight:schools": _slug,
    "insight:schools_csv": _slug,
    "insight:nudges": _slug,
    "insight:report": _slug,
    "insight:report_csv": _slug,
    "insight_trust:overview": lambda w: {"group_uid": w.trust.group_uid},
    # events
    "events:book": lambda w: {"pk": w.event.pk},
    "events:booking": lambda w: {"reference": w.booking.reference},
    "events:booking_cancel": lambda w: {"reference": w.booking.reference},
    "events:booking_calendar": lambda w: {"reference": w.booking.reference},
    "events:attendee_cancel": lambda w: {
        "reference": w.booking.reference,
        "attendee_pk": w.attendee.pk,
    },
    "events:attendee_substitute": lambda w: {
        "reference": w.booking.reference,
        "attendee_pk": w.attendee.pk,
    },
    "events_manage:list": _slug,
    "events_manage:create": _slug,
    "events_manage:detail": _managed_event,
    "events_manage:edit": _managed_event,
    "events_manage:publish": _managed_event,
    "events_manage:release_places": _managed_event,
    "events_manage:cancel": _managed_event,
    "events_manage:register": _managed_event,
    "events_manage:attendees_csv": _managed_event,
    "events_manage:message": _managed_event,
    "events_manage:booking": lambda w: _managed_event(w, reference=w.booking.reference),
    "events_manage:booking_cancel": lambda w: _managed_event(w, reference=w.booking.reference),
    "events_manage:attendee_cancel": lambda w: _managed_event(
        w, reference=w.booking.reference, attendee_pk=w.attendee.pk
    ),
    "events_manage:attendee_substitute": lambda w: _managed_event(
        w, reference=w.booking.reference, attendee_pk=w.attendee.pk
    ),
    # generated documents, one of each kind
    # the staff survey
    "staffsurvey:overview": lambda w: {"urn": w.school.urn},
    "staffsurvey:create": lambda w: {"urn": w.school.urn},
    "staffsurvey:add_priority": lambda w: {"urn": w.school.urn},
    "staffsurvey:detail": lambda w: [_survey(w, w.survey), _survey(w, w.survey_ended)],
    "staffsurvey:edit": lambda w: _survey(w, w.survey),
    "staffsurvey:invite": lambda w: _survey(w, w.survey),
    "staffsurvey:close": lambda w: _survey(w, w.survey),
    "staffsurvey:qr": lambda w: _survey(w, w.survey),
    "staffsurvey:poster": lambda w: _survey(w, w.survey),
    "staffsurvey:results": lambda w: [_survey(w, w.survey), _survey(w, w.survey_ended)],
    "staffsurvey:report": lambda w: _survey(w, w.survey_ended),
    "staffsurvey:trust": lambda w: {"group_uid": w.trust.group_uid},
    "staffsurvey_partnership:overview": _slug,
    "document_detail": lambda w: [{"pk": d.pk} for d in w.documents.values()],
    "document_download": lambda w: [{"pk": d.pk} for d in w.documents.values()],
    "document_retry": lambda w: [{"pk": d.pk} for d in w.documents.values()],
    # the partnership network: the library, stories, messages, offers and groups
    "network:library": _slug,
    "network:offers": _slug,
    "network:groups": _slug,
    "network:digest": _slug,
    "network:story": _stories,
    "network:story_edit": _stories,
    "network:story_submit": _stories,
    "network:story_withdraw": _stories,
    "network:attachment_add": _stories,
    "network:attachment": _attachment,
    "network:attachment_remove": _attachment,
    "network:link_add": _stories,
    "network:link_remove": _link,
    "network:school": lambda w: {"urn": w.school.urn},
    "network:story_new": lambda w: {"urn": w.school.urn},
    "network:ask": lambda w: {
        "urn": w.school.urn,
        "to_urn": w.peer.urn,
        "question_id": w.question.pk,
    },
    "network:message": lambda w: {"pk": w.contact.pk},
    "network:group": _group,
    "network:group_join": _group,
    "network:group_leave": _group,
    "network:item_add": _group,
    "network:item": lambda w: _group(w, item_pk=w.item.pk),
    "network:item_remove": lambda w: _group(w, item_pk=w.item.pk),
    "network_manage:queue": _slug,
    "network_manage:moderate": lambda w: [
        {**_slug(w), "pk": w.story.pk},
        {**_slug(w), "pk": w.draft_story.pk},
    ],
    "network_manage:offers": _slug,
    "network_manage:offer_new": _slug,
    "network_manage:offer": lambda w: {**_slug(w), "pk": w.offer.pk},
    "network_manage:offer_delete": lambda w: {**_slug(w), "pk": w.offer.pk},
    "network_manage:networks": _slug,
    "network_manage:network_new": _slug,
    "network_manage:network": _managed_network,
    "network_manage:member_add": _managed_network,
    "network_manage:member_remove": lambda w: _managed_network(w, user_pk=w.network_member.user_id),
    "network_manage:meeting_add": _managed_network,
    "network_manage:meeting_remove": lambda w: _managed_network(w, event_pk=w.event.pk),
}


def named_routes() -> list[str]:
    """Every named route of the URL configuration, namespaced, outside allauth and admin."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if not (prefix + str(pattern.pattern)).startswith(LEFT_OUT_PREFIXES):
                    yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_route_is_in_the_matrix():
    unfilled = [name for name in named_routes() if name not in SAMPLES and name not in NOT_SCOPED]
    assert not unfilled, (
        "These routes have no sample owned by partnership A in tests/test_tenancy_matrix.py "
        f"(add one to SAMPLES, or a reason to NOT_SCOPED): {unfilled}"
    )
    gone = [name for name in (*SAMPLES, *NOT_SCOPED) if name not in named_routes()]
    assert not gone, f"Samples for routes that no longer exist: {gone}"


@pytest.fixture
def world_a(settings, tmp_path, partnership, school, trust, leader, coordinator, school_b):
    """Objects partnership A owns, one of each kind a URL can name."""
    from accreditation_helpers import award_for, complete, draft_application, pdf_bytes
    from events_helpers import book, make_event
    from factories import submitted_check

    from accreditation import services as accreditation_services
    from accreditation.models import Evidence
    from events.models import Event
    from insight.models import AnnualReport
    from network import services as network_services
    from network.models import (
        ContactOptIn,
        ContactRequest,
        NetworkItem,
        NetworkMeeting,
        NetworkMember,
        Offer,
        PracticeAttachment,
        PracticeLink,
    )
    from network.models import Network as Group
    from partnership.permissions import forget_access
    from partnership.services import invitation_create
    from staffsurvey import services as survey_services
    from staffsurvey.models import Item, Survey
    from wellcheck.models import Action
    from wellschools.models import GeneratedDocument

    settings.MEDIA_ROOT = str(tmp_path / "media")
    # A trust whose only school is a member of A (``trust`` spans both partnerships).
    trust_a = TrustFactory(name="Thames Learning Trust")
    MembershipFactory(partnership=partnership, school=SchoolFactory(trust=trust_a))
    trust_lead_a = UserFactory(email="thames.lead@example.org")
    grant(trust_lead_a, Role.Kind.TRUST_LEAD, trust=trust_a)
    well_check = submitted_check(school, leader)
    question = well_check.framework.pillars.first().questions.first()
    action = Action.objects.create(
        well_check=well_check,
        pillar=question.pillar,
        question=question,
        title="Pupil voice group",
        success_measure="Minutes of meetings",
        due_date=timezone.localdate() + timedelta(days=60),
        created_by=leader,
    )
    application = complete(draft_application(school, leader, with_check=False), leader)
    pillar = application.framework.pillars.first()
    evidence = Evidence.objects.create(
        application=application,
        pillar=pillar,
        kind=Evidence.Kind.FILE,
        title="Wellbeing policy",
        dated=timezone.localdate() - timedelta(days=10),
        file=ContentFile(pdf_bytes(), name="policy.pdf"),
        added_by=leader,
    )
    application = accreditation_services.application_submit(actor=leader, application=application)
    award = award_for(school, partnership, awarded_on=timezone.localdate() - timedelta(days=400))
    event = make_event(partnership, audience=Event.Audience.MEMBERS)
    booking = book(leader, event, 2, school=school)
    applied_school = SchoolFactory(name="Applicant Primary School")
    applied = MembershipFactory(
        partnership=partnership,
        school=applied_school,
        status=Membership.Status.APPLIED,
        joined_on=None,
    )
    # The staff survey: an ended survey whose results show (five answers, as
    # tests/staffsurvey/survey_helpers.py sends them), then an open one.
    today = timezone.localdate()
    window = {"opens_on": today, "closes_on": today + timedelta(days=14)}
    survey_ended = survey_services.survey_create(
        actor=leader, school=school, title="Last term", staff_count=8, **window
    )
    items = Item.objects.filter(area__framework=survey_ended.framework)
    for _ in range(5):
        _key, draft = survey_services.draft_start(survey=survey_ended)
        draft.staff_group = "teaching"
        draft.answers = {str(item.pk): 4 for item in items}
        draft.save(update_fields=["staff_group", "answers"])
        survey_services.response_submit(draft=draft)
    Survey.objects.filter(pk=survey_ended.pk).update(
        opens_on=today - timedelta(days=15), closes_on=today - timedelta(days=1)
    )
    survey_ended.refresh_from_db()
    survey_ended = survey_services.survey_close(actor=None, survey=survey_ended)
    survey = survey_services.survey_create(
        actor=leader, school=school, title="Staff wellbeing survey", **window
    )
    documents = {}
    for kind, subject in [
        ("member_list", partnership),
        ("wellcheck_report", well_check),
        ("trust_summary", trust_a),
        ("accreditation_certificate", award),
        ("staffsurvey_report", survey_ended),
        ("staffsurvey_report_full", survey_ended),
        ("staffsurvey_poster", survey),
        (
            "insight_impact_report",
            AnnualReport.objects.create(partnership=partnership, academic_year=2025),
        ),
    ]:
        documents[kind] = GeneratedDocument.objects.create(
            kind=kind,
            object_type=subject._meta.label_lower,
            object_id=str(subject.pk),
            object_label=str(subject),
            requested_by=coordinator,
            status=GeneratedDocument.Status.FAILED,
        )
    # The partnership network: a published and a draft story of A's school, with a file
    # and a link; a strong, opted-in peer of A that A's school asked; an offer; a group
    # with a member, a file and A's event as its meeting.
    move_well_pillar = well_check.framework.pillars.get(key="move_well")
    move_well = move_well_pillar.questions.order_by("order", "pk").first()
    forget_access(leader)
    stories = [
        network_services.story_create(
            actor=leader,
            school=school,
            title=title,
            what_we_did="Every class walks or runs a mile a day.",
            for_whom="All pupils",
            impact="Calmer afternoons.",
            cost="Nothing",
            who_to_ask="Our PE lead",
            phase="primary",
            pillars=[move_well_pillar],
            questions=[move_well],
        )
        for title in ("Daily mile", "Calm corners")
    ]
    published, draft = stories
    network_services.story_submit(actor=leader, story=published)
    network_services.story_publish(actor=coordinator, story=published)
    attachment = PracticeAttachment.objects.create(
        story=published,
        file=ContentFile(pdf_bytes(), name="daily-mile.pdf"),
        original_name="daily-mile.pdf",
        content_type="application/pdf",
        size=len(pdf_bytes()),
        added_by=leader,
    )
    link = PracticeLink.objects.create(
        story=published, url="https://example.org/daily-mile", label="How we started"
    )
    peer = SchoolFactory(name="Strong Peer Primary")
    MembershipFactory(partnership=partnership, school=peer)
    peer_leader = UserFactory(email="peer.leader@example.org")
    grant(peer_leader, Role.Kind.SCHOOL_LEADER, school=peer)
    ContactOptIn.objects.create(school=peer, pillar_key="move_well")
    submitted_check(peer, ratings={"move_well": "strong"})
    contact = ContactRequest.objects.create(
        partnership=partnership,
        from_school=school,
        from_user=leader,
        to_school=peer,
        question=move_well,
        message="How do you fit the daily mile into a wet week?",
    )
    offer = Offer.objects.create(
        partnership=partnership,
        title="Free yoga sessions",
        provider="Thames Yoga",
        url="https://example.org/yoga",
        closes_on=timezone.localdate() + timedelta(days=30),
        created_by=coordinator,
    )
    group = Group.objects.create(partnership=partnership, name="Wellbeing leads")
    network_member = NetworkMember.objects.create(network=group, user=leader, added_by=coordinator)
    item = NetworkItem.objects.create(
        network=group,
        title="Meeting notes",
        file=ContentFile(pdf_bytes(), name="notes.pdf"),
        original_name="notes.pdf",
        content_type="application/pdf",
        author=leader,
    )
    NetworkMeeting.objects.create(network=group, event=event)
    return WorldA(
        partnership=partnership,
        school=school,
        trust=trust_a,
        well_check=well_check,
        action=action,
        application=application,
        evidence=evidence,
        award=award,
        event=event,
        booking=booking,
        attendee=booking.attendees.first(),
        membership=school.memberships.get(partnership=partnership),
        applied=applied,
        role=Role.objects.get(user=leader, kind=Role.Kind.SCHOOL_LEADER),
        people=[coordinator, leader, trust_lead_a, peer_leader],
        documents=documents,
        invitation=invitation_create(
            actor=leader,
            email="new.colleague@example.org",
            kind=Role.Kind.SCHOOL_STAFF,
            school=school,
        ),
        story=published,
        draft_story=draft,
        attachment=attachment,
        link=link,
        peer=peer,
        question=move_well,
        contact=contact,
        offer=offer,
        network=group,
        network_member=network_member,
        item=item,
        survey=survey,
        survey_ended=survey_ended,
    )


def _urls(world: WorldA, name: str) -> list[str]:
    kwargs = SAMPLES[name](world)
    return [reverse(name, kwargs=k) for k in (kwargs if isinstance(kwargs, list) else [kwargs])]


REFUSED = {403, 404, 405}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_partnership_b_and_a_coordinator_without_totp_reach_nothing_of_a(
    name, world_a, client, personas_b, coordinator_without_totp
):
    urls = _urls(world_a, name)
    for persona, user in personas_b.items():
        client.force_login(user)
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in REFUSED, (
                    f"{persona} {method.upper()} {url} -> {response.status_code}"
                )
    client.force_login(coordinator_without_totp)
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, f"no TOTP {method.upper()} {url}"
            assert response.url.startswith(reverse("mfa_activate_totp")), url
    # The control: the sample really is A's object (one of A's people reaches it).
    from conftest import enrol_totp

    admin = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(admin)
    for url in urls:
        statuses = []
        for user in (admin, *world_a.people):
            client.force_login(user)
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url)
            statuses.append(response.status_code)
        assert set(statuses) - {403, 404}, f"sample of {name} is wrong: {url} {statuses}"


def test_personas_of_b_are_what_the_matrix_says(personas_b, partnership_b, school_b, trust_b):
    """The matrix's personas hold their rights in B only (so a refusal proves tenancy)."""
    roles = {name: list(user.roles.all()) for name, user in personas_b.items()}
    assert roles["coordinator_b"][0].partnership == partnership_b
    assert roles["leader_b"][0].school == school_b
    assert roles["trust_staff_b"][0].trust == trust_b
    assert not Membership.objects.filter(school=school_b).exclude(partnership=partnership_b)
