from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.TextChoices):
    FREE = "free", _("Free trial")
    STARTER = "starter", _("Starter")
    PRO = "pro", _("Pro")
    ENTERPRISE = "enterprise", _("Enterprise")
