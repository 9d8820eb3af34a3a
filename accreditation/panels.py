"""Accreditation's panels on the school page and the coordinator's overview."""

from partnership.permissions import access_for, can_view_school

from . import selectors
from .permissions import can_apply_for_accreditation, can_see_accreditation_application


def school_panel(request, school) -> dict | None:
    user = request.user
    if not can_view_school(user, school):
        return None
    eligibility = selectors.eligibility(school=school)
    application = eligibility.open_application
    return {
        "school": school,
        "award": selectors.latest_award(school=school),
        "application": application,
        "application_visible": application is not None
        and can_see_accreditation_application(
            user,
            school=school,
            partnership=application.partnership,
            reviewer_id=application.reviewer_id,
        ),
        "eligibility": eligibility,
        "can_apply": can_apply_for_accreditation(user, school),
        # Reviews the person does for other schools, on their own school's page.
        "my_reviews": list(selectors.reviews_assigned_to(user=user))
        if school.pk in access_for(user).school_kinds
        else [],
    }


def partnership_panel(request, partnership) -> dict | None:
    return {
        "partnership": partnership,
        "summary": selectors.queue_summary(partnership=partnership),
    }


def landing_panel(request, _obj) -> dict | None:
    """The landing page's accredited schools, a few per partnership (all on /accredited/)."""
    groups = selectors.accredited_schools_public()
    return {
        "groups": [{**group, "shown": group["awards"][:6]} for group in groups],
        "total": sum(len(group["awards"]) for group in groups),
    }
