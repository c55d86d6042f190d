from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.TextChoices):
    FREE = "free", _("Free trial")
    STARTER = "starter", _("Starter")
    PRO = "pro", _("Pro")
    ENTERPRISE = "enterprise", _("Enterprise")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    CANCELLED = "cancelled", _("Cancelled")
    TRIALING = "trialing", _("Trialing")


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual, 20 percent off")
