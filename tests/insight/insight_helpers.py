"""A partnership world for insight: member schools with leaders and submitted checks."""

from factories import MembershipFactory, SchoolFactory, UserFactory, grant, submitted_check

from partnership.models import Role


def member_with_leader(partnership, *, name, trust=None, phase="Primary", email=None):
    school = SchoolFactory(name=name, trust=trust, phase=phase)
    MembershipFactory(partnership=partnership, school=school)
    leader = UserFactory(email=email or f"head.{school.urn}@example.org")
    grant(leader, Role.Kind.SCHOOL_LEADER, school=school)
    return school, leader


def submitted_members(partnership, count, *, trust=None, ratings=None, prefix="Member"):
    """``count`` member schools, each with a leader and a submitted check this year."""
    schools = []
    for n in range(count):
        school, leader = member_with_leader(partnership, name=f"{prefix} School {n}", trust=trust)
        submitted_check(school, leader, ratings=(ratings or (lambda n: None))(n))
        schools.append(school)
    return schools
