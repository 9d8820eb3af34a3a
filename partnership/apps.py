from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = "Partnership"
    # Extensions, declared the one way (wellschools.extensions).
    documents = ["partnership.documents.MEMBER_LIST"]
