"""The threshold and secondary suppression, as a property: for random group sizes, no
combination of the figures shown reveals a group of fewer than five."""

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffsurvey.anonymity import platform_threshold, shown_groups

GROUPS = ["teaching", "support", "leadership"]
ALL = [*GROUPS, "not_stated"]


def _revealed_sizes(counts: dict[str, int], shown: list[str]) -> list[int]:
    """Every group size someone could work out from the figures on the page: the whole
    school, each shown group, and the whole school minus any set of shown groups."""
    total = sum(counts.values())
    sizes = [counts[g] for g in shown]
    for r in range(1, len(shown) + 1):
        for subset in combinations(shown, r):
            sizes.append(total - sum(counts[g] for g in subset))
    return sizes


@settings(max_examples=500, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=4, max_size=4),
    threshold=st.integers(min_value=5, max_value=12),
)
def test_no_shown_or_derivable_group_is_smaller_than_the_threshold(sizes, threshold):
    counts = dict(zip(ALL, sizes, strict=True))
    shown = shown_groups(counts, groups=GROUPS, threshold=threshold)
    total = sum(sizes)
    if total < threshold:
        assert shown == []
    for size in _revealed_sizes(counts, shown):
        # Zero is "nobody": nothing about anyone is revealed.
        assert size == 0 or size >= threshold, (counts, shown)


@settings(max_examples=300, deadline=None)
@given(sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=4, max_size=4))
def test_suppression_hides_no_more_than_one_eligible_group(sizes):
    counts = dict(zip(ALL, sizes, strict=True))
    shown = shown_groups(counts, groups=GROUPS, threshold=5)
    eligible = [g for g in GROUPS if counts[g] >= 5] if sum(sizes) >= 5 else []
    assert set(shown) <= set(eligible)
    assert len(eligible) - len(shown) <= 1


def test_a_threshold_below_five_is_raised_to_five():
    counts = {"teaching": 4, "support": 4, "leadership": 0, "not_stated": 0}
    assert shown_groups(counts, groups=GROUPS, threshold=3) == []


def test_the_example_of_the_issue_hides_the_group_that_would_reveal_a_small_one():
    # 10 teaching, 6 support, 2 leadership: showing teaching and support would reveal the
    # two leaders' answers (whole school minus the two). Support, the smaller, is hidden.
    counts = {"teaching": 10, "support": 6, "leadership": 2, "not_stated": 0}
    assert shown_groups(counts, groups=GROUPS, threshold=5) == ["teaching"]


def test_every_group_shown_when_nothing_small_is_left_over():
    counts = {"teaching": 10, "support": 6, "leadership": 5, "not_stated": 0}
    assert shown_groups(counts, groups=GROUPS, threshold=5) == GROUPS


def test_platform_threshold_never_goes_below_five(settings):
    settings.STAFFSURVEY_THRESHOLD = 2
    assert platform_threshold() == 5
    settings.STAFFSURVEY_THRESHOLD = 8
    assert platform_threshold() == 8


@pytest.mark.django_db
def test_the_system_check_refuses_a_lower_setting(settings):
    from staffsurvey.checks import threshold_not_below_minimum

    settings.STAFFSURVEY_THRESHOLD = 3
    assert [e.id for e in threshold_not_below_minimum(None)] == ["staffsurvey.E001"]
    settings.STAFFSURVEY_THRESHOLD = 5
    assert threshold_not_below_minimum(None) == []
