"""Helpers for accreditation tests (imported by module name; tests/ dirs are not packages)."""

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factories import (
    AwardFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
    grant,
    submitted_check,
)

from accreditation import services
from accreditation.dates import award_valid_until
from accreditation.models import Application, Award, Evidence, PillarStatement
from partnership.models import Role


def pdf_bytes(text: str = "Evidence") -> bytes:
    """A real one-page PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "policy.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def eligible(school, leader):
    """A submitted Well Check this year makes an active member school eligible."""
    return submitted_check(school, leader)


def draft_application(school, leader, *, with_check: bool = True) -> Application:
    """A draft with nothing written yet."""
    if with_check:
        eligible(school, leader)
    return services.application_start(actor=leader, school=school)


def complete(application: Application, leader) -> Application:
    """Statement and one evidence item (a note; fast) for every pillar, written directly:
    the pillar page and its service have their own tests."""
    PillarStatement.objects.filter(application=application).update(
        text="We do this well, across the school.", updated_by=leader
    )
    Evidence.objects.bulk_create(
        Evidence(
            application=application,
            pillar=pillar,
            kind=Evidence.Kind.NOTE,
            title=f"{pillar.name} policy",
            dated=timezone.localdate() - timedelta(days=30),
            note="Staff shared drive > Policies",
            added_by=leader,
        )
        for pillar in application.framework.pillars.all()
    )
    return application


def submitted_application(school, leader, *, with_check: bool = True) -> Application:
    application = complete(draft_application(school, leader, with_check=with_check), leader)
    return services.application_submit(actor=leader, application=application)


def in_review(school, leader, coordinator, reviewer=None, *, with_check=True) -> Application:
    application = submitted_application(school, leader, with_check=with_check)
    return services.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=reviewer or coordinator
    )


def all_judged(application: Application, judgement: str = "met", comment: str = "") -> dict:
    from accreditation.services.review import PillarReview

    return {
        p.pk: PillarReview(judgement, comment or f"{p.name}: {judgement}")
        for p in application.framework.pillars.all()
    }


def some_not_met(application: Application) -> dict:
    from accreditation.services.review import PillarReview

    pillars = list(application.framework.pillars.all())
    reviews = {p.pk: PillarReview("met", "") for p in pillars}
    reviews[pillars[0].pk] = PillarReview("partly_met", "Show how pupils are heard.")
    return reviews


def accredited_school(partnership, *, name="Windrush Accredited Primary", today=None, trust=None):
    """Another member school with a current award, and a leader who can be a peer reviewer.
    Made directly (an award through the services is tested elsewhere)."""
    today = today or timezone.localdate()
    school = SchoolFactory(name=name, trust=trust)
    MembershipFactory(partnership=partnership, school=school)
    peer = UserFactory(full_name="Pat Peer", email=f"peer.{school.urn}@example.org")
    grant(peer, Role.Kind.SCHOOL_LEADER, school=school)
    award = award_for(school, partnership, awarded_on=today - timedelta(days=100))
    return school, peer, award


def award_for(school, partnership, *, awarded_on: date, valid_until: date | None = None) -> Award:
    return AwardFactory(
        school=school,
        partnership=partnership,
        awarded_on=awarded_on,
        valid_until=valid_until or award_valid_until(awarded_on),
    )
