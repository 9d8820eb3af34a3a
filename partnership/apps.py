from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = "Partnership"
    # Extensions, declared the one way (wellschools.extensions).
    documents = ["partnership.documents.MEMBER_LIST"]

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from .middleware import record_enrolment_as_second_factor

        authenticator_added.connect(
            record_enrolment_as_second_factor, dispatch_uid="partnership_totp_enrolment"
        )
