"""Writing the audit log. Every service that makes a decision calls ``audit_record``."""

import re
from datetime import date
from typing import Any

from django.db import models

from .models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    partnership_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None and actor.pk else "system",
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_label=str(target)[:300],
        partnership_id=partnership_id,
        data=data or {},
    )


# --- reading the log: one plain sentence per kind of event ----------------------------------
#
# The coordinator's audit page shows these instead of codes such as "event.register_marked".
# A sentence is a format string over the event's data (plus ``object``, the label of what it
# was about) or a function of (values). Every kind that a service records needs one here;
# tests/wellschools/test_audit_sentences.py finds the kinds in the source and checks.


def _count(values: dict, key: str, one: str, many: str) -> str:
    n = values.get(key)
    return f"{n} {one if str(n) == '1' else many}" if n is not None else many


_ACCREDITATION_MOVES = {
    "draft": "Returned an accreditation application to draft ({object}).",
    "submitted": "Submitted an accreditation application ({object}).",
    "in_review": "Started the review of an accreditation application ({object}).",
    "changes_requested": "Asked the school for changes to its accreditation application "
    "({object}).",
    "resubmitted": "Resubmitted an accreditation application with the changes ({object}).",
    "awarded": "Decided to award accreditation ({object}).",
    "not_awarded": "Decided not to award accreditation ({object}).",
    "withdrawn": "Withdrew an accreditation application ({object}).",
}

AUDIT_SENTENCES: dict[str, str | Any] = {
    **{f"accreditation.{to}": sentence for to, sentence in _ACCREDITATION_MOVES.items()},
    "accreditation.started": "Started an accreditation application ({object}).",
    "accreditation.reviewer_assigned": "Asked {reviewer} to review an accreditation "
    "application ({object}).",
    "accreditation.award_granted": "Granted {object}, valid until {valid_until}.",
    "action.created": "Added an action to the plan: “{object}”.",
    "action.deleted": "Deleted an action from the plan: “{title}”.",
    "booking.cancelled": lambda v: (
        f"Cancelled booking {v['object']} ({_count(v, 'places', 'place', 'places')})."
    ),
    "booking.cancelled_by_staff": lambda v: (
        f"Cancelled booking {v['object']} for the booker "
        f"({_count(v, 'places', 'place', 'places')})."
    ),
    "booking.place_cancelled_by_staff": "Cancelled {attendee}'s place on booking {object}.",
    "booking.substituted_by_staff": "Booked {to} instead of {from} on booking {object}.",
    "event.created": "Created the event {object}.",
    "event.changed": "Changed the {fields} of the event {object}.",
    "event.published": "Published the event {object}.",
    "event.cancelled": lambda v: (
        f"Cancelled the event {v['object']} "
        f"({_count(v, 'bookings', 'booking', 'bookings')} cancelled with it)."
    ),
    "event.message_sent": lambda v: (
        f"Emailed “{v.get('subject', '')}” about {v['object']} to "
        f"{_count(v, 'recipients', 'person', 'people')} ({v.get('audience', 'everyone')})."
    ),
    "event.register_marked": lambda v: (
        f"Marked the register of {v['object']} for {_count(v, 'marks', 'person', 'people')}."
    ),
    "framework.published": "Published the Well Check framework {object}.",
    "import.run": "Imported schools from GIAS ({filename}): {created} new, {updated} updated, "
    "{unchanged} unchanged, {skipped} skipped.",
    "import.member_schools_changed": "A GIAS import ({filename}) changed the details of "
    "member schools with URN {urns}.",
    "partnership.logo_changed": "Uploaded a new logo for {object}.",
    "partnership.logo_removed": "Removed the logo of {object}.",
    "invitation.sent": "Invited {email} to be {kind}.",
    "invitation.cancelled": "Cancelled the invitation to {email} to be {kind}.",
    "invitation.resent": "Sent the invitation to {email} to be {kind} again, with a new link.",
    "invitation.accepted": "Accepted the invitation to be {kind} ({object}).",
    "membership.applied": "Applied to join the partnership ({object}).",
    "membership.approved": "Approved the application to join ({object}).",
    "membership.declined": "Declined the application to join ({object}).",
    "membership.added": "Added the school as a member ({object}).",
    "membership.status_changed": "Changed the membership from {from} to {to} ({object}).",
    "role.granted": "Made {user} {kind} at {scope}.",
    "role.removed": "Removed {user} as {kind} at {scope}.",
    "wellcheck.started": "Started {object}.",
    "wellcheck.submitted": "Submitted {object}.",
    "wellcheck.reopened": "Reopened {object}: “{reason}”.",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def _readable(value: Any) -> str:
    if value is None or value == "":
        return "nobody"
    if isinstance(value, list | tuple):
        return ", ".join(_readable(v).replace("_", " ") for v in value) or "nothing"
    text = str(value)
    if _ISO_DATE.match(text):
        day = date.fromisoformat(text)
        return f"{day.day} {day:%B %Y}"
    if _CODE.match(text):
        return text.replace("_", " ")
    return text


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def audit_sentence(event: AuditEvent) -> str:
    """The event as a sentence a coordinator reads, e.g. "Marked the register of Launch
    (12/05/2027) for 12 people." Kinds without a sentence are spelled out, never shown as
    codes."""
    values = _Values({key: _readable(value) for key, value in (event.data or {}).items()})
    values["object"] = event.object_label or "—"
    sentence = AUDIT_SENTENCES.get(event.action)
    if sentence is None:
        area, _, what = event.action.partition(".")
        return f"{area.capitalize()}: {what.replace('_', ' ')} ({values['object']})."
    if callable(sentence):
        return sentence(values)
    return sentence.format_map(values)
