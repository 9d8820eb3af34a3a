"""The link to a trust's insight on the trust's home page (declared in ``apps.py``)."""

from partnership.permissions import can_view_trust


def trust_panel(request, trust) -> dict | None:
    if not can_view_trust(request.user, trust):
        return None
    return {"trust": trust}
