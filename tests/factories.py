"""factory_boy factories. Every person is invented; schools use public-style data."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accreditation.dates import award_valid_until
from accreditation.models import Application, Award
from events.models import Event
from partnership.models import Membership, Partnership, Role, School, Trust
from wellcheck.models import Answer, Question, WellCheck, academic_year_of
from wellcheck.selectors import framework_current
from wellschools.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    la_codes = factory.LazyFunction(lambda: ["931"])


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    group_uid = factory.Sequence(lambda n: str(17000 + n))
    name = factory.Sequence(lambda n: f"Learning Trust {n}")
    group_type = "Multi-academy trust"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: 700000 + n)
    name = factory.Sequence(lambda n: f"Example Primary School {n}")
    phase = "Primary"
    establishment_type = "Academy converter"
    la_code = "931"
    la_name = "Oxfordshire"
    statutory_low_age = 4
    statutory_high_age = 11
    pupils = 210
    town = "Oxford"
    postcode = "OX1 1AA"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    partnership = factory.SubFactory(PartnershipFactory)
    school = factory.SubFactory(SchoolFactory)
    status = Membership.Status.ACTIVE
    joined_on = factory.Faker("date_this_decade")


def grant(user: User, kind: str, *, school=None, trust=None, partnership=None) -> Role:
    return Role.objects.create(
        user=user, kind=kind, school=school, trust=trust, partnership=partnership
    )


# --- the Well Check ----------------------------------------------------------------------


class WellCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WellCheck

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyFunction(lambda: academic_year_of(timezone.localdate()))
    framework = factory.LazyFunction(framework_current)


def submitted_check(school, actor=None, *, year=None, ratings=None, submitted_at=None) -> WellCheck:
    """A Well Check, every question answered (bulk-created for speed; the answering services
    have their own tests) and submitted through the service. ``ratings`` maps pillar key
    -> rating (default good); ``submitted_at`` dates it back (and picks its year). When
    ``actor`` does not lead the school, an invented leader of the school answers."""
    from partnership.permissions import can_lead_school, forget_access
    from wellcheck.services import wellcheck_submit

    if actor is None or not can_lead_school(actor, school):
        actor = UserFactory()
        grant(actor, Role.Kind.SCHOOL_LEADER, school=school)
        forget_access(actor)
    if year is None and submitted_at is not None:
        year = academic_year_of(timezone.localdate(submitted_at))
    well_check = WellCheckFactory(
        school=school,
        academic_year=year or academic_year_of(timezone.localdate()),
        started_by=actor,
    )
    Answer.objects.bulk_create(
        Answer(
            well_check=well_check,
            question=question,
            updated_by=actor,
            rating=(ratings or {}).get(question.pillar.key, "good"),
        )
        for question in Question.objects.filter(
            pillar__framework=well_check.framework
        ).select_related("pillar")
    )
    well_check = wellcheck_submit(actor=actor, well_check=well_check)
    if submitted_at is not None:
        WellCheck.objects.filter(pk=well_check.pk).update(submitted_at=submitted_at)
        well_check.submitted_at = submitted_at
    return well_check


# --- events ------------------------------------------------------------------------------


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    partnership = factory.SubFactory(PartnershipFactory)
    title = "Launch of the Oxfordshire Well Schools Partnership"
    description = "Meet the partnership, hear from schools, plan the year."
    venue_name = "Kassam Stadium Conference Centre"
    venue_address = "Grenoble Road\nOxford OX4 4XP"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=3))
    capacity = 20
    status = Event.Status.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda event: (
            None if event.status == Event.Status.DRAFT else timezone.now() - timedelta(days=1)
        )
    )


# --- accreditation -----------------------------------------------------------------------


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    school = factory.SubFactory(SchoolFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    framework = factory.LazyFunction(framework_current)


class AwardFactory(factory.django.DjangoModelFactory):
    """An award with its (awarded) application."""

    class Meta:
        model = Award

    school = factory.SubFactory(SchoolFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    application = factory.SubFactory(
        ApplicationFactory,
        school=factory.SelfAttribute("..school"),
        partnership=factory.SelfAttribute("..partnership"),
        status=Application.Status.AWARDED,
        submitted_at=factory.LazyFunction(timezone.now),
        decided_at=factory.LazyFunction(timezone.now),
    )
    awarded_on = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda award: award_valid_until(award.awarded_on))
