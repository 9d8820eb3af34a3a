import pytest
from network_helpers import member_school


@pytest.fixture
def strong_school(partnership):
    """A third member school of the partnership, with its leader."""
    return member_school(partnership, "Thames Strong Primary", "strong.leader@example.org")
