"""Read-side queries, scoped to what the person may see."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from wellschools.models import AuditEvent

from .models import Membership, Partnership, PartnershipLogo, Role, School, Trust
from .permissions import access_for, coordinated_trust_school_ids, is_trust_person


@dataclass(frozen=True)
class HomeContext:
    kind: str  # "school", "trust" or "partnership"
    label: str
    description: str
    url: str


def home_contexts(user) -> list[HomeContext]:
    """The places a person can land after signing in, one per school, trust and partnership."""
    access = access_for(user)
    contexts: list[HomeContext] = []
    if access.coordinator_of:
        for p in Partnership.objects.filter(pk__in=access.coordinator_of).order_by("name"):
            contexts.append(
                HomeContext("partnership", p.name, "Partnership coordinator", p.get_absolute_url())
            )
    if access.trust_kinds:
        for t in Trust.objects.filter(pk__in=access.trust_kinds.keys()).order_by("name"):
            kinds = ", ".join(sorted(Role.Kind(k).label for k in access.trust_kinds[t.pk]))
            contexts.append(HomeContext("trust", t.name, kinds, t.get_absolute_url()))
    if access.school_kinds:
        for s in School.objects.filter(pk__in=access.school_kinds.keys()).order_by("name"):
            kinds = ", ".join(sorted(Role.Kind(k).label for k in access.school_kinds[s.pk]))
            contexts.append(HomeContext("school", s.name, kinds, s.get_absolute_url()))
    return contexts


def member_list(
    *,
    partnership: Partnership,
    search: str = "",
    phase: str = "",
    trust_id: int | None = None,
    status: str = "",
) -> QuerySet[Membership]:
    """The partnership's directory: every school that has applied or belongs, filtered."""
    memberships = Membership.objects.filter(partnership=partnership).select_related(
        "school", "school__trust"
    )
    search = search.strip()
    if search:
        condition = Q(school__name__icontains=search) | Q(school__town__icontains=search)
        if search.isascii() and search.isdigit():
            condition |= Q(school__urn=int(search))
        memberships = memberships.filter(condition)
    if phase:
        memberships = memberships.filter(school__phase=phase)
    if trust_id:
        memberships = memberships.filter(school__trust_id=trust_id)
    if status:
        memberships = memberships.filter(status=status)
    return memberships.order_by("school__name", "pk")


def member_filter_choices(*, partnership: Partnership) -> dict:
    """The phases and trusts of the partnership's schools, for the filters: distinct in the
    database, and only the trusts' ids and names (a large partnership has hundreds)."""
    schools = School.objects.filter(memberships__partnership=partnership)
    phases = list(
        schools.exclude(phase="").order_by("phase").values_list("phase", flat=True).distinct()
    )
    trusts = list(
        Trust.objects.filter(pk__in=schools.filter(trust__isnull=False).values("trust_id"))
        .order_by("name")
        .only("pk", "name")
    )
    return {"phases": phases, "trusts": trusts}


def partnership_overview(*, partnership: Partnership) -> dict:
    counts = dict(
        Membership.objects.filter(partnership=partnership)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "active": counts.get(Membership.Status.ACTIVE, 0),
        "applied": counts.get(Membership.Status.APPLIED, 0),
        "lapsed": counts.get(Membership.Status.LAPSED, 0),
        "left": counts.get(Membership.Status.LEFT, 0),
    }


def pending_applications(*, partnership: Partnership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(partnership=partnership, status=Membership.Status.APPLIED)
        .select_related("school", "school__trust", "applicant")
        .order_by("applied_at")
    )


def people_at_school(*, school: School) -> QuerySet[Role]:
    return (
        Role.objects.filter(school=school)
        .select_related("user", "school")
        .order_by("kind", "user__email")
    )


def people_at_trust(*, trust: Trust) -> QuerySet[Role]:
    return (
        Role.objects.filter(trust=trust)
        .select_related("user", "trust")
        .order_by("kind", "user__email")
    )


def school_memberships(*, school: School) -> QuerySet[Membership]:
    return school.memberships.select_related("partnership").order_by("partnership__name")


def trust_schools(*, trust: Trust) -> QuerySet[School]:
    return trust.schools.order_by("name")


def trust_schools_for(user, *, trust: Trust) -> QuerySet[School]:
    """The trust's schools this person sees: all of them for the trust's own people; for a
    coordinator only those with an active membership of a partnership they coordinate
    (a trust can span partnerships; docs/tenancy.md)."""
    if is_trust_person(user, trust):
        return trust_schools(trust=trust)
    return trust_schools(trust=trust).filter(pk__in=coordinated_trust_school_ids(user, trust))


def open_invitations(*, school: School | None = None, trust: Trust | None = None):
    from django.utils import timezone

    from .models import Invitation

    return Invitation.objects.filter(
        school=school,
        trust=trust,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at")


def audit_log(*, partnership: Partnership) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(partnership_id=partnership.pk).order_by("-occurred_at", "-pk")


def school_search(*, partnership: Partnership, query: str, limit: int = 20) -> list[School]:
    """Schools a leader can apply for: in the partnership's area, by name or URN."""
    query = query.strip()
    if len(query) < 2 and not (query.isascii() and query.isdigit()):
        return []
    schools = School.objects.exclude(status=School.Status.CLOSED).select_related("trust")
    if partnership.la_codes:
        schools = schools.filter(la_code__in=partnership.la_codes)
    condition = Q(name__icontains=query)
    if query.isascii() and query.isdigit():
        condition |= Q(urn=int(query))
    return list(schools.filter(condition).order_by("name")[:limit])


def default_partnership() -> Partnership | None:
    return Partnership.objects.order_by("pk").first()


def applications_by(*, user) -> QuerySet[Membership]:
    """Applications a person made that are still waiting or were declined."""
    return (
        Membership.objects.filter(applicant=user, status__in=["applied", "declined"])
        .select_related("school", "partnership")
        .order_by("-applied_at")
    )


def school_in_area(*, partnership: Partnership, urn: int) -> School | None:
    schools = School.objects.exclude(status=School.Status.CLOSED).select_related("trust")
    if partnership.la_codes:
        schools = schools.filter(la_code__in=partnership.la_codes)
    return schools.filter(urn=urn).first()


def schools_addable(*, partnership: Partnership, query: str) -> list[School]:
    """Schools in the area that are not members yet (for the coordinator's 'add')."""
    member_ids = set(
        Membership.objects.filter(partnership=partnership, status="active").values_list(
            "school_id", flat=True
        )
    )
    return [
        s for s in school_search(partnership=partnership, query=query) if s.pk not in member_ids
    ]


def import_runs(*, partnership: Partnership) -> QuerySet:
    """The partnership's own GIAS imports (a platform admin's imports are in the admin)."""
    from .models import ImportRun

    return (
        ImportRun.objects.filter(partnership=partnership)
        .select_related("actor")
        .order_by("-started_at")
    )


# --- who gets told ------------------------------------------------------------------------


def leader_emails_by_school(*, school_ids) -> dict[int, list[str]]:
    """The active leaders' email addresses of each of these schools (one query)."""
    leaders: dict[int, list[str]] = {}
    for school_id, email in (
        Role.objects.filter(
            school_id__in=school_ids, kind=Role.Kind.SCHOOL_LEADER, user__is_active=True
        )
        .order_by("pk")
        .values_list("school_id", "user__email")
    ):
        leaders.setdefault(school_id, []).append(email)
    return leaders


def leader_emails(*, school: School) -> list[str]:
    """The school's active leaders' email addresses: the one list every notice uses."""
    return leader_emails_by_school(school_ids=[school.pk]).get(school.pk, [])


def coordinator_emails(*, partnership: Partnership) -> list[str]:
    """The partnership's active coordinators' email addresses."""
    return list(
        Role.objects.filter(
            partnership=partnership, kind=Role.Kind.COORDINATOR, user__is_active=True
        )
        .order_by("pk")
        .values_list("user__email", flat=True)
    )


def partnership_logo(*, partnership: Partnership) -> PartnershipLogo | None:
    return PartnershipLogo.objects.filter(partnership=partnership).first()
