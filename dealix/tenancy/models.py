"""The public schema's view of a customer company: its tenant row and the host names that reach it."""
import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from dealix.tenancy.choices import Plan

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
