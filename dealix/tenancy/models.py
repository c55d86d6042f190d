"""The public schema's view of a customer company: its tenant row and the host names that reach it."""
import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from dealix.tenancy.choices import BillingCycle, Plan, SubscriptionStatus

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$",
    _("Use 2 to 32 lower-case English letters, digits and hyphens, starting and ending with a letter or digit."),
    code="invalid_slug",
)


class Tenant(TenantMixin):
    """A customer company. Its data lives in its own PostgreSQL schema (`schema_name`, the slug with
    hyphens as underscores). `settings` holds the owner's overrides of the business rules; read them
    through `dealix.tenancy.rules.rules_for(tenant)`, never directly."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, validators=[slug_validator])
    plan = models.CharField(_("plan"), max_length=20, choices=Plan.choices, default=Plan.FREE)
    domain = models.CharField(_("custom domain"), max_length=255, blank=True,
                              help_text=_("A host name of the company's own that points to Dealix."))
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        # Clone the migrated template and repair what the clone function gets wrong; see schemas.py.
        from dealix.tenancy import schemas
        return schemas.create_tenant_schema(self.schema_name, check_if_exists=check_if_exists,
                                            sync_schema=sync_schema)

    @property
    def language(self) -> str:
        return self.settings.get("language", "ar")


class Domain(DomainMixin):
    """A host name (e.g. `acme.dealix.sa`) that routes to a tenant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return self.domain


class Subscription(models.Model):
    """A tenant's plan and billing period (RULES.md §5), in the public schema beside the tenant.
    `billing_cycle` (not in the seed) records monthly or annual billing (annual is 20 % off)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, verbose_name=_("tenant"), on_delete=models.PROTECT,
                               related_name="subscriptions")
    plan = models.CharField(_("plan"), max_length=20, choices=Plan.choices, default=Plan.FREE)
    status = models.CharField(_("status"), max_length=20, choices=SubscriptionStatus.choices,
                              default=SubscriptionStatus.TRIALING)
    billing_cycle = models.CharField(_("billing cycle"), max_length=10, choices=BillingCycle.choices,
                                     default=BillingCycle.MONTHLY)
    current_period_start = models.DateTimeField(_("current period start"))
    current_period_end = models.DateTimeField(_("current period end"))
    payment_provider = models.CharField(_("payment provider"), max_length=50, blank=True)
    external_id = models.CharField(_("provider subscription id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-current_period_start"]
        indexes = [models.Index(fields=["tenant", "status"], name="tenancy_sub_status_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(current_period_end__gt=models.F("current_period_start")),
                                   name="tenancy_subscription_period_order",
                                   violation_error_message=_("A period ends after it starts.")),
            models.UniqueConstraint(fields=["tenant"], condition=models.Q(status__in=["active", "trialing", "past_due"]),
                                    name="tenancy_subscription_one_current",
                                    violation_error_message=_("A tenant has one current subscription.")),
        ]

    def __str__(self):
        return f"{self.tenant} · {self.get_plan_display()}"
