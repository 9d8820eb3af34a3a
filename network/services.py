"""Write side of the partnership network. Every function takes the acting person as
``actor=`` and raises ``NetworkError`` (a DomainError) with a message a person can read."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from partnership.models import Partnership, School
from partnership.selectors import coordinator_emails, leader_emails
from wellcheck.models import Pillar, Question
from wellschools.audit import audit_record
from wellschools.email import email_send
from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.uploads import UploadRefused, check_upload
from wellschools.workflow import history_note, transition

from . import permissions, selectors
from .models import (
    ContactOptIn,
    ContactRequest,
    DigestSubscription,
    Network,
    NetworkItem,
    NetworkMeeting,
    NetworkMember,
    Offer,
    PracticeAttachment,
    PracticeLink,
    PracticeStory,
)

S = PracticeStory.Status
MAX_ATTACHMENTS = 5
MAX_LINKS = 5


class NetworkError(DomainError):
    pass


def _url(path: str) -> str:
    return settings.SITE_URL + path


# --- stories ---------------------------------------------------------------------------


def _set_tags(story: PracticeStory, pillars: list[Pillar], questions: list[Question]) -> None:
    if not pillars:
        raise NetworkError("Choose at least one pillar.", field="pillars")
    keys = {p.key for p in pillars}
    stray = [q for q in questions if q.pillar.key not in keys]
    if stray:
        raise NetworkError(
            f"“{stray[0].text}” is not a question of the pillars you chose.", field="questions"
        )
    story.pillars.set(pillars)
    story.questions.set(questions)


def story_create(
    *,
    actor: User,
    school: School,
    title: str,
    what_we_did: str,
    for_whom: str,
    impact: str,
    cost: str,
    who_to_ask: str,
    phase: str,
    pillars: list[Pillar],
    questions: list[Question],
) -> PracticeStory:
    if not permissions.can_write_story(actor, school):
        raise NetworkError("Only the school's leaders can write its practice stories.")
    partnership = permissions.school_partnership(school)
    if partnership is None:
        raise NetworkError("Only active member schools of a partnership can share practice.")
    with transaction.atomic():
        story = PracticeStory.objects.create(
            partnership=partnership,
            school=school,
            title=title,
            what_we_did=what_we_did,
            for_whom=for_whom,
            impact=impact,
            cost=cost,
            who_to_ask=who_to_ask,
            phase=phase,
            created_by=actor,
        )
        _set_tags(story, pillars, questions)
        history_note(story, actor=actor, created=True, comment="Written")
        audit_record(
            actor=actor, action="network.story_created", target=story, partnership_id=partnership.pk
        )
    return story


def _locked_editable(story: PracticeStory) -> PracticeStory:
    row = PracticeStory.objects.select_for_update().get(pk=story.pk)
    if row.status not in PracticeStory.EDITABLE:
        raise NetworkError(
            f"This story is {row.get_status_display().lower()}: it cannot be changed now. "
            + ("Withdraw it first." if row.status == S.PUBLISHED else "")
        )
    return row


def story_update(
    *,
    actor: User,
    story: PracticeStory,
    title: str,
    what_we_did: str,
    for_whom: str,
    impact: str,
    cost: str,
    who_to_ask: str,
    phase: str,
    pillars: list[Pillar],
    questions: list[Question],
) -> PracticeStory:
    if not permissions.can_edit_story(actor, story):
        raise NetworkError("Only the school's leaders can change its practice stories.")
    with transaction.atomic():
        row = _locked_editable(story)
        fields = {
            "title": title,
            "what_we_did": what_we_did,
            "for_whom": for_whom,
            "impact": impact,
            "cost": cost,
            "who_to_ask": who_to_ask,
            "phase": phase,
        }
        changed = [name for name, value in fields.items() if getattr(row, name) != value]
        old_tags = (
            set(row.pillars.values_list("pk", flat=True)),
            set(row.questions.values_list("pk", flat=True)),
        )
        for name in changed:
            setattr(row, name, fields[name])
        new_tags = ({p.pk for p in pillars}, {q.pk for q in questions})
        if not changed and old_tags == new_tags:
            return row
        row.updated_at = timezone.now()
        row.save(update_fields=[*changed, "updated_at"])
        _set_tags(row, pillars, questions)
        history_note(row, actor=actor, comment="Changed")
    return row


def story_submit(*, actor: User, story: PracticeStory) -> PracticeStory:
    if not permissions.can_edit_story(actor, story):
        raise NetworkError("Only the school's leaders can submit its practice stories.")
    row = transition(
        story, to=S.SUBMITTED, actor=actor, audit="network.story_submitted", error=NetworkError
    )
    path = reverse("network_manage:queue", kwargs={"slug": row.partnership.slug})
    email_send(
        to=coordinator_emails(partnership=row.partnership),
        template="network_story_submitted",
        context={"story": row, "school": row.school, "url": _url(path)},
        about=row,
    )
    return row


def _require_moderator(actor: User, story: PracticeStory) -> None:
    if not permissions.can_moderate_story(actor, story):
        raise NetworkError("Only the partnership's coordinators can moderate practice stories.")


def story_publish(*, actor: User, story: PracticeStory, comment: str = "") -> PracticeStory:
    _require_moderator(actor, story)
    row = transition(
        story,
        to=S.PUBLISHED,
        actor=actor,
        comment=comment,
        audit="network.story_published",
        error=NetworkError,
    )
    email_send(
        to=leader_emails(school=row.school),
        template="network_story_moderated",
        context={
            "story": row,
            "published": True,
            "comment": comment,
            "url": _url(row.get_absolute_url()),
        },
        about=row,
    )
    return row


def story_return(*, actor: User, story: PracticeStory, comment: str) -> PracticeStory:
    _require_moderator(actor, story)
    if not comment.strip():
        raise NetworkError(
            "Say what the school should change before returning the story.", field="comment"
        )
    row = transition(
        story,
        to=S.RETURNED,
        actor=actor,
        comment=comment.strip(),
        audit="network.story_returned",
        error=NetworkError,
    )
    email_send(
        to=leader_emails(school=row.school),
        template="network_story_moderated",
        context={
            "story": row,
            "published": False,
            "comment": comment.strip(),
            "url": _url(row.get_absolute_url()),
        },
        about=row,
    )
    return row


def story_withdraw(*, actor: User, story: PracticeStory) -> PracticeStory:
    if not permissions.can_edit_story(actor, story):
        raise NetworkError("Only the school's leaders can withdraw its practice stories.")
    return transition(
        story,
        to=S.DRAFT,
        actor=actor,
        comment="Withdrawn to change it",
        error=NetworkError,
        audit="network.story_withdrawn",
    )


def attachment_add(*, actor: User, story: PracticeStory, upload) -> PracticeAttachment:
    """The accreditation upload rules (wellschools.uploads): type from the content, 10 MB."""
    if not permissions.can_edit_story(actor, story):
        raise NetworkError("Only the school's leaders can add files to its stories.")
    try:
        file_type = check_upload(upload)
    except UploadRefused as refusal:
        raise NetworkError(refusal.message, field="file") from None
    with transaction.atomic():
        row = _locked_editable(story)
        if row.attachments.count() >= MAX_ATTACHMENTS:
            raise NetworkError(
                f"A story can have {MAX_ATTACHMENTS} files at most. Remove one first.",
                field="file",
            )
        item = PracticeAttachment(
            story=row,
            original_name=(upload.name or "attachment")[-200:],
            content_type=file_type.mime,
            size=upload.size,
            added_by=actor,
        )
        upload.seek(0)
        item.file.save(f"upload{file_type.extension}", upload, save=False)
        try:
            item.save()
        except Exception:
            item.file.storage.delete(item.file.name)
            raise
    return item


def attachment_remove(*, actor: User, attachment: PracticeAttachment) -> None:
    if not permissions.can_edit_story(actor, attachment.story):
        raise NetworkError("Only the school's leaders can remove files from its stories.")
    with transaction.atomic():
        _locked_editable(attachment.story)
        name, storage = attachment.file.name, attachment.file.storage
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def link_add(*, actor: User, story: PracticeStory, url: str, label: str) -> PracticeLink:
    if not permissions.can_edit_story(actor, story):
        raise NetworkError("Only the school's leaders can add links to its stories.")
    with transaction.atomic():
        row = _locked_editable(story)
        if row.links.count() >= MAX_LINKS:
            raise NetworkError(f"A story can have {MAX_LINKS} links at most.", field="url")
        return PracticeLink.objects.create(story=row, url=url, label=label)


def link_remove(*, actor: User, link: PracticeLink) -> None:
    if not permissions.can_edit_story(actor, link.story):
        raise NetworkError("Only the school's leaders can remove links from its stories.")
    with transaction.atomic():
        _locked_editable(link.story)
        link.delete()


# --- opt-ins and relayed messages ---------------------------------------------------------


def opt_in_set(*, actor: User, school: School, pillar_keys: set[str]) -> None:
    """The school's leaders choose the pillars other schools may ask them about."""
    if not permissions.can_lead_school(actor, school):
        raise NetworkError("Only the school's leaders can change who may contact the school.")
    with transaction.atomic():
        current = selectors.opted_in_pillars(school=school)
        ContactOptIn.objects.filter(school=school).exclude(pillar_key__in=pillar_keys).delete()
        ContactOptIn.objects.bulk_create(
            [ContactOptIn(school=school, pillar_key=k, by=actor) for k in pillar_keys - current]
        )
        if current != pillar_keys:
            audit_record(
                actor=actor,
                action="network.opt_in_changed",
                target=school,
                partnership_id=getattr(permissions.school_partnership(school), "pk", None),
                data={"pillars": sorted(pillar_keys)},
            )


def contact_request_send(
    *,
    actor: User,
    from_school: School,
    to_school: School,
    question: Question,
    message: str,
    story: PracticeStory | None = None,
) -> ContactRequest:
    if not permissions.is_school_person(actor, from_school):
        raise NetworkError("You can ask on behalf of your own school only.")
    partnership = permissions.school_partnership(from_school)
    if partnership is None:
        raise NetworkError("Only active member schools can ask other schools.")
    if from_school.pk == to_school.pk:
        raise NetworkError("That is your own school.")
    if not selectors.is_strong_opted_in_peer(
        school=to_school, partnership=partnership, question=question
    ):
        raise NetworkError(f"{to_school.name} is not taking questions about this at the moment.")
    if not message.strip():
        raise NetworkError("Write your message.", field="message")
    with transaction.atomic():
        request = ContactRequest.objects.create(
            partnership=partnership,
            from_school=from_school,
            from_user=actor,
            to_school=to_school,
            question=question,
            story=story if story and story.school_id == to_school.pk else None,
            message=message.strip(),
        )
        audit_record(
            actor=actor,
            action="network.contact_requested",
            target=request,
            partnership_id=partnership.pk,
            data={"to_school": to_school.urn},
        )
        # Relayed: the email names the asking school and person but carries no address, and
        # replying happens on the platform's page.
        email_send(
            to=leader_emails(school=to_school),
            template="network_contact_request",
            context={
                "request": request,
                "asker_name": actor.display_name,
                "url": _url(request.get_absolute_url()),
            },
            about=request,
        )
    return request


def contact_request_reply(*, actor: User, request: ContactRequest, reply: str) -> ContactRequest:
    if not permissions.can_reply_message(actor, request):
        raise NetworkError("Only the people of the school that was asked can reply.")
    if not reply.strip():
        raise NetworkError("Write your reply.", field="reply")
    with transaction.atomic():
        row = ContactRequest.objects.select_for_update().get(pk=request.pk)
        if row.replied_at is not None:
            raise NetworkError("Someone at your school has already replied.")
        row.reply = reply.strip()
        row.replied_by = actor
        row.replied_at = timezone.now()
        row.save(update_fields=["reply", "replied_by", "replied_at"])
        audit_record(
            actor=actor,
            action="network.contact_replied",
            target=row,
            partnership_id=row.partnership_id,
        )
        if row.from_user is not None and row.from_user.is_active:
            # The reply opens the conversation: both addresses are now shared.
            email_send(
                to=row.from_user.email,
                template="network_contact_reply",
                context={
                    "request": row,
                    "replier_name": actor.display_name,
                    "replier_email": actor.email,
                    "url": _url(row.get_absolute_url()),
                },
                about=row,
            )
    return row


# --- offers ----------------------------------------------------------------------------


def _require_coordinator(actor: User, partnership: Partnership) -> None:
    if not permissions.can_moderate(actor, partnership):
        raise NetworkError("Only the partnership's coordinators can do this.")


def offer_save(
    *,
    actor: User,
    partnership: Partnership,
    offer: Offer | None = None,
    title: str,
    provider: str,
    description: str,
    pillar_keys: list[str],
    phases: list[str],
    url: str,
    closes_on,
) -> Offer:
    _require_coordinator(actor, partnership)
    if offer is not None and offer.partnership_id != partnership.pk:
        raise NetworkError("That offer belongs to another partnership.")
    if not pillar_keys:
        raise NetworkError("Choose at least one pillar.", field="pillar_keys")
    fields = {
        "title": title,
        "provider": provider,
        "description": description,
        "pillar_keys": sorted(pillar_keys),
        "phases": sorted(phases),
        "url": url,
        "closes_on": closes_on,
    }
    with transaction.atomic():
        if offer is None:
            if closes_on < timezone.localdate():
                raise NetworkError("The closing date has passed.", field="closes_on")
            offer = Offer.objects.create(partnership=partnership, created_by=actor, **fields)
            action = "network.offer_created"
        else:
            changed = [k for k, v in fields.items() if getattr(offer, k) != v]
            if not changed:
                return offer
            for name in changed:
                setattr(offer, name, fields[name])
            offer.save(update_fields=changed)
            action = "network.offer_changed"
        audit_record(actor=actor, action=action, target=offer, partnership_id=partnership.pk)
    return offer


def offer_delete(*, actor: User, offer: Offer) -> None:
    _require_coordinator(actor, offer.partnership)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="network.offer_deleted",
            target=offer,
            partnership_id=offer.partnership_id,
        )
        offer.delete()


# --- networks --------------------------------------------------------------------------


def network_save(
    *,
    actor: User,
    partnership: Partnership,
    network: Network | None = None,
    name: str,
    description: str,
) -> Network:
    _require_coordinator(actor, partnership)
    name = " ".join(name.split())
    clash = Network.objects.filter(partnership=partnership, name__iexact=name)
    if network is not None:
        clash = clash.exclude(pk=network.pk)
    if clash.exists():
        raise NetworkError("There is already a network with this name.", field="name")
    with transaction.atomic():
        if network is None:
            network = Network.objects.create(
                partnership=partnership, name=name, description=description
            )
            audit_record(
                actor=actor,
                action="network.network_created",
                target=network,
                partnership_id=partnership.pk,
            )
        elif (network.name, network.description) != (name, description):
            network.name, network.description = name, description
            network.save(update_fields=["name", "description"])
    return network


def network_join(*, actor: User, network: Network, person: User | None = None) -> NetworkMember:
    """Someone joins (``person`` omitted), or a coordinator adds a person of the partnership."""
    person = person or actor
    if person.pk != actor.pk:
        _require_coordinator(actor, network.partnership)
        if not selectors.partnership_people(network.partnership).filter(pk=person.pk).exists():
            raise NetworkError(
                f"{person.display_name} has no role in the partnership.", field="email"
            )
    elif not permissions.is_member_of(actor, network.partnership):
        raise NetworkError("Only people in the partnership can join its networks.")
    member, created = NetworkMember.objects.get_or_create(
        network=network, user=person, defaults={"added_by": actor}
    )
    if not created and person.pk != actor.pk:
        raise NetworkError(f"{person.display_name} is already a member.", field="email")
    return member


def network_leave(*, actor: User, network: Network, person: User | None = None) -> None:
    person = person or actor
    if person.pk != actor.pk:
        _require_coordinator(actor, network.partnership)
    NetworkMember.objects.filter(network=network, user=person).delete()


def meeting_link(*, actor: User, network: Network, event: Event) -> NetworkMeeting:
    _require_coordinator(actor, network.partnership)
    if event.partnership_id != network.partnership_id:
        raise NetworkError("That event belongs to another partnership.", field="event")
    meeting, _ = NetworkMeeting.objects.get_or_create(network=network, event=event)
    return meeting


def meeting_unlink(*, actor: User, network: Network, event_id: int) -> None:
    _require_coordinator(actor, network.partnership)
    NetworkMeeting.objects.filter(network=network, event_id=event_id).delete()


def item_add(
    *, actor: User, network: Network, title: str, note: str = "", upload=None
) -> NetworkItem:
    if not permissions.can_see_network_items(actor, network):
        raise NetworkError("Only the network's members can share notes and files here.")
    if not note.strip() and upload is None:
        raise NetworkError("Write a note or choose a file.", field="note")
    item = NetworkItem(network=network, title=title, note=note.strip(), author=actor)
    if upload is not None:
        try:
            file_type = check_upload(upload)
        except UploadRefused as refusal:
            raise NetworkError(refusal.message, field="file") from None
        item.original_name = (upload.name or "file")[-200:]
        item.content_type = file_type.mime
        upload.seek(0)
        item.file.save(f"upload{file_type.extension}", upload, save=False)
    try:
        item.save()
    except Exception:
        if item.file:
            item.file.storage.delete(item.file.name)
        raise
    return item


def item_remove(*, actor: User, item: NetworkItem) -> None:
    if item.author_id != actor.pk and not permissions.can_manage_network(actor, item.network):
        raise NetworkError("Only the person who shared it or a coordinator can remove it.")
    with transaction.atomic():
        name = item.file.name if item.file else ""
        storage = item.file.storage
        item.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name), robust=True)


# --- the digest ------------------------------------------------------------------------


def digest_set(*, actor: User, wanted: bool) -> None:
    if wanted:
        DigestSubscription.objects.get_or_create(user=actor)
    else:
        DigestSubscription.objects.filter(user=actor).delete()
