"""The documents the partnership app offers (declared in ``apps.py``).

``member_list``: a coordinator's PDF of the partnership's member schools, grouped by
membership status, rendered by a worker from the same selector as the members page.
"""

from django.urls import reverse
from django.utils import timezone

from wellschools.documents import DocumentKind
from wellschools.errors import DomainError
from wellschools.models import GeneratedDocument
from wellschools.pdf import pdf_render

from . import selectors
from .models import Membership, Partnership
from .permissions import get_partnership_for_coordinator

S = Membership.Status
# A PDF of thousands of schools takes minutes and most of a worker's memory (see
# docs/benchmarks.md) and nobody reads it: larger lists are offered as CSV instead.
MEMBER_LIST_PDF_MAX = 300
# (status, heading, date column label, date field), in the order the PDF shows them.
MEMBER_LIST_GROUPS = [
    (S.ACTIVE, "Active members", "Joined", "joined_on"),
    (S.APPLIED, "Applications to join", "Applied", "applied_at"),
    (S.LAPSED, "Lapsed members", "Ended", "ended_on"),
    (S.LEFT, "Schools that left", "Ended", "ended_on"),
]


def member_list_pdf_allowed(*, partnership: Partnership) -> bool:
    return Membership.objects.filter(partnership=partnership).count() <= MEMBER_LIST_PDF_MAX


def render_member_list(document: GeneratedDocument) -> tuple[str, bytes]:
    partnership: Partnership = document.subject
    if not member_list_pdf_allowed(partnership=partnership):
        raise DomainError(
            f"The member list has more than {MEMBER_LIST_PDF_MAX} schools: download it as CSV."
        )
    by_status: dict[str, list[Membership]] = {}
    for membership in selectors.member_list(partnership=partnership):
        by_status.setdefault(membership.status, []).append(membership)
    groups = [
        {"label": label, "date_label": date_label, "date_field": field, "memberships": rows}
        for status, label, date_label, field in MEMBER_LIST_GROUPS
        if (rows := by_status.get(status))
    ]
    prepared_at = timezone.localtime()
    pdf = pdf_render(
        template="pdf/member_list.html",
        context={
            "partnership": partnership,
            "groups": groups,
            "prepared_at": prepared_at,
            "created": prepared_at,
            "pupils_total": sum(m.school.pupils or 0 for m in by_status.get(S.ACTIVE, [])),
        },
        title=f"Member schools of {partnership.name}",
    )
    return f"{partnership.slug}-members-{prepared_at:%Y-%m-%d}.pdf", pdf


MEMBER_LIST = DocumentKind(
    kind="member_list",
    title="Member list",
    subject_model="partnership.partnership",
    renderer=render_member_list,
    access=lambda user, partnership: get_partnership_for_coordinator(user, partnership.slug),
    back_url=lambda partnership: reverse("partnership:members", args=[partnership.slug]),
)
