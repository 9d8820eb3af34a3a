"""The rules that keep answers anonymous when figures are shown (pure functions).

* Nothing is shown for fewer than ``threshold`` responses (at least five).
* A breakdown by staff group shows a group only if it has at least ``threshold``
  responses, and only if whatever is left over — the total minus every shown group, i.e.
  the hidden groups and "prefer not to say" together — is either nobody or at least
  ``threshold`` people. Otherwise the left-over group could be worked out by subtracting
  the shown figures from the whole-school figure (secondary suppression): one more group
  is hidden, the smallest, which makes the left-over at least ``threshold``.
"""

from collections.abc import Mapping

from django.conf import settings

from .models import MINIMUM_THRESHOLD


def platform_threshold() -> int:
    """The configured threshold, never below the minimum of five."""
    return max(MINIMUM_THRESHOLD, int(getattr(settings, "STAFFSURVEY_THRESHOLD", 5)))


def shown_groups(counts: Mapping[str, int], *, groups, threshold: int) -> list[str]:
    """Which of ``groups`` a breakdown may show, given the response count of every group
    (``counts`` may hold more keys than ``groups``, e.g. "prefer not to say")."""
    threshold = max(MINIMUM_THRESHOLD, threshold)
    total = sum(counts.values())
    if total < threshold:
        return []
    shown = [g for g in groups if counts.get(g, 0) >= threshold]
    left_over = total - sum(counts.get(g, 0) for g in shown)
    if 0 < left_over < threshold and shown:
        # Hide the smallest shown group too: the left-over then holds at least
        # ``threshold`` people (that group alone has that many).
        smallest = min(shown, key=lambda g: (counts.get(g, 0), groups.index(g)))
        shown.remove(smallest)
    return shown
