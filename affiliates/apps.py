from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AffiliatesConfig(AppConfig):
    name = "affiliates"
    verbose_name = _("Affiliates")

    def ready(self):
        from affiliates import receivers  # noqa: F401  (connects the CRM's signals)
