"""Who may apply for, see, review and decide accreditation, and the conflict-of-interest
rule (docs/architecture.md, "Rights"). Built on ``partnership.permissions``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnership.models import Partnership, Role, School
from partnership.permissions import (
    Right,
    access_for,
    can_lead_school,
    can_view_school,
    get_school_for,
    is_coordinator,
    refuse,
)

from . import selectors
from .models import Application

K = Role.Kind


def can_apply_for_accreditation(user, school: School) -> bool:
    """School leaders start, write, submit, withdraw and resubmit their school's application."""
    return can_lead_school(user, school)


def can_manage_accreditation(user, partnership: Partnership) -> bool:
    """Coordinators see the review queue, assign reviewers and decide."""
    return is_coordinator(user, partnership)


def can_see_accreditation_application(
    user, *, school: School, partnership: Partnership, reviewer_id: int | None
) -> bool:
    """The application and its evidence: the school's own people (leaders, staff,
    governors), the assigned reviewer and the partnership's coordinators. Trust people see
    the application's status on the school page, not its evidence."""
    access = access_for(user)
    if access.is_superuser or access.school_kinds.get(school.pk):
        return True
    if partnership.pk in access.coordinator_of:
        return True
    return reviewer_id is not None and getattr(user, "pk", None) == reviewer_id


def can_review_accreditation(user, *, partnership: Partnership, reviewer_id: int | None) -> bool:
    """Judge pillars, recommend, ask for changes: the assigned reviewer and coordinators."""
    if is_coordinator(user, partnership):
        return True
    return reviewer_id is not None and getattr(user, "pk", None) == reviewer_id


def require_accreditation_right(
    user, *, allowed: bool, school: School, partnership: Partnership
) -> None:
    """Return if ``allowed``; otherwise 403 for someone who can see the school or is in the
    partnership, 404 for anyone else."""
    if allowed:
        return
    if can_view_school(user, school):
        raise PermissionDenied
    refuse(user, {partnership.pk})


def accreditation_conflict_reason(person, *, school: School) -> str | None:
    """Why this person must not review or decide the school's application (they are from
    the applicant school or its trust), or None."""
    name = person.display_name
    roles = list(Role.objects.filter(user=person).select_related("school", "trust"))
    for role in roles:
        if role.school_id == school.pk:
            return (
                f"{name} cannot review or decide this application: they are "
                f"{role.get_kind_display().lower()} at {school.name}, the applicant school."
            )
    if school.trust_id:
        trust_name = school.trust.name
        for role in roles:
            if role.trust_id == school.trust_id:
                return (
                    f"{name} cannot review or decide this application: they are "
                    f"{role.get_kind_display().lower()} at {trust_name}, the applicant "
                    "school's trust."
                )
            if role.school_id and role.school.trust_id == school.trust_id:
                return (
                    f"{name} cannot review or decide this application: they are at "
                    f"{role.school.name}, in the same trust ({trust_name}) as the applicant "
                    "school."
                )
    return None


def accreditation_reviewer_refusal(
    person, *, school: School, partnership: Partnership, accredited_school_ids: set[int]
) -> str | None:
    """Why this person may not review the school's application, or None if they may.

    A reviewer is a coordinator of the partnership, or a school leader or staff member at a
    currently accredited school (``accredited_school_ids``, from the accreditation app);
    never someone from the applicant school or its trust."""
    if not person.is_active:
        return f"{person.display_name}'s account is closed."
    conflict = accreditation_conflict_reason(person, school=school)
    if conflict:
        return conflict
    roles = Role.objects.filter(user=person)
    if roles.filter(kind=K.COORDINATOR, partnership=partnership).exists():
        return None
    if roles.filter(
        kind__in=[K.SCHOOL_LEADER, K.SCHOOL_STAFF], school_id__in=accredited_school_ids
    ).exists():
        return None
    return (
        f"{person.display_name} cannot review: a reviewer is one of the partnership's "
        "coordinators or a leader or staff member of a currently accredited school."
    )


# --- getters: return the application or refuse (404 outsiders, 403 members) ----------


def get_application_for(user, urn: int, pk: int, *, leader: bool = False) -> Application:
    """The school's application if the person may see it (``leader``: change it)."""
    school = get_object_or_404(School.objects.select_related("trust"), urn=urn)
    application = selectors.application_of_school(school=school, pk=pk)
    if application is None:
        if not can_view_school(user, school):
            get_school_for(user, urn)  # 403 or 404, as for the school itself
        raise Http404("No such application")
    if leader:
        allowed = can_apply_for_accreditation(user, school)
    else:
        allowed = can_see_accreditation_application(
            user,
            school=school,
            partnership=application.partnership,
            reviewer_id=application.reviewer_id,
        )
    require_accreditation_right(
        user, allowed=allowed, school=school, partnership=application.partnership
    )
    return application


def get_partnership_application_for(
    user, slug: str, pk: int, *, right: Right[Application]
) -> Application:
    """The partnership's application (review side) if ``right(user, application)``."""
    partnership = get_object_or_404(Partnership, slug=slug)
    application = get_object_or_404(
        Application.objects.select_related(
            "school", "school__trust", "partnership", "framework", "reviewer", "decided_by"
        ),
        pk=pk,
        partnership=partnership,
    )
    require_accreditation_right(
        user, allowed=right(user, application), school=application.school, partnership=partnership
    )
    return application
