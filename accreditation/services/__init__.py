"""Services that change accreditation applications, evidence, reviews and awards.

``school``: what a school does (start, write, add evidence, submit, withdraw, reply and
resubmit). ``review``: what the partnership does (assign a reviewer, judge, ask for
changes, resume the review, decide). Both move an application only through
``workflow.transition`` and the ``Application.TRANSITIONS`` table.
"""

from .review import (
    application_assign_reviewer,
    application_decide,
    application_request_changes,
    application_resume_review,
    review_save,
)
from .school import (
    application_resubmit,
    application_start,
    application_submit,
    application_withdraw,
    evidence_remove,
    evidence_reuse,
    evidence_update,
    pillar_save,
)
from .workflow import AccreditationError, InvalidTransition

__all__ = [
    "AccreditationError",
    "InvalidTransition",
    "application_assign_reviewer",
    "application_decide",
    "application_request_changes",
    "application_resubmit",
    "application_resume_review",
    "application_start",
    "application_submit",
    "application_withdraw",
    "evidence_remove",
    "evidence_reuse",
    "evidence_update",
    "pillar_save",
    "review_save",
]
