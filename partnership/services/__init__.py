"""Services that change partnerships, schools, memberships, roles and invitations.

Writes only: keyword-only arguments, ``actor=`` first, a ``DomainError`` with a message a
person can read when something is refused. One module per subject:"""

from .invitations import (
    account_create_for_invitation,
    invitation_accept,
    invitation_cancel,
    invitation_create,
    invitation_find,
    invitation_resend,
)
from .logos import partnership_logo_remove, partnership_logo_set
from .memberships import membership_add, membership_apply, membership_decide, membership_set_status
from .roles import role_grant, role_remove

__all__ = [
    "account_create_for_invitation",
    "invitation_accept",
    "invitation_cancel",
    "invitation_create",
    "invitation_find",
    "invitation_resend",
    "membership_add",
    "membership_apply",
    "membership_decide",
    "membership_set_status",
    "partnership_logo_remove",
    "partnership_logo_set",
    "role_grant",
    "role_remove",
]
