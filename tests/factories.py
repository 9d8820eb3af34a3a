"""factory_boy factories. Every person is invented; schools use public-style data."""

import factory
from allauth.account.models import EmailAddress

from partnership.models import Membership, Partnership, Role, School, Trust
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
