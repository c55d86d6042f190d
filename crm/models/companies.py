"""Companies and the people at them."""
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.choices import CompanySize, ConsentStatus
from dealix.accounts.choices import Language
from crm.querysets import CompanyQuerySet, ContactQuerySet
from dealix.core.models import SearchableModel
from dealix.core.phones import normalise_phone, validate_phone

__all__ = ["Company", "Contact"]

cr_number_validator = RegexValidator(r"^[0-9]{10}$", _("A commercial registration number has 10 digits."),
                                     code="invalid_cr_number")


class Company(SearchableModel):
    """A customer or prospect organisation. Never deleted once it has contacts or deals (PROTECT);
    deactivate it instead (`is_active`). Companies are shared: every agent of the tenant reads them."""

    SEARCH_FIELDS = ("name", "name_ar", "cr_number", "website")

    name = models.CharField(_("name"), max_length=255)
    name_ar = models.CharField(_("Arabic name"), max_length=255, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=20, choices=CompanySize.choices, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    cr_number = models.CharField(_("commercial registration"), max_length=20, blank=True,
                                 validators=[cr_number_validator])
    website = models.URLField(_("website"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_from", editable=False)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["sector"], name="crm_company_sector_idx"),
            models.Index(fields=["name", "id"], name="crm_company_name_idx"),  # the list's A–Z pages
            models.Index(fields=["city"], name="crm_company_city_idx"),
            GinIndex(fields=["search_text"], name="crm_company_search_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cr_number="") | Q(cr_number__regex=r"^[0-9]{10}$"),
                                   name="crm_company_cr_number_format",
                                   violation_error_message=_("A commercial registration number has 10 digits.")),
        ]

    def __str__(self):
        return self.name or self.name_ar


class Contact(SearchableModel):
    """A person Dealix talks to. `consent_status` summarises the contact's consents (the append-only
    `compliance.Consent` rows are the record). Contacts are anonymised (`anonymised_at`) for erasure
    requests and deactivated otherwise, never deleted: their messages, calls and consents must stay.
    `owner` (not in the seed) is the agent who works this contact; agents see their own contacts."""

    SEARCH_FIELDS = ("full_name", "email", "job_title")
    PHONE_FIELDS = ("phone", "whatsapp")

    company = models.ForeignKey(Company, verbose_name=_("company"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="contacts")
    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="contacts")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_contacts")
    full_name = models.CharField(_("full name"), max_length=255)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("email"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    whatsapp = models.CharField(_("WhatsApp"), max_length=20, blank=True, validators=[validate_phone])
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ARABIC)
    consent_status = models.CharField(_("consent"), max_length=10, choices=ConsentStatus.choices,
                                      default=ConsentStatus.PENDING)
    is_active = models.BooleanField(_("active"), default=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_from", editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["owner", "created_at"], name="crm_contact_owner_idx"),
            models.Index(fields=["full_name", "id"], name="crm_contact_name_idx"),  # the list's A–Z pages
            models.Index(fields=["phone"], name="crm_contact_phone_idx"),
            models.Index(fields=["email"], name="crm_contact_email_idx"),
            GinIndex(fields=["search_text"], name="crm_contact_search_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # A contact of a lead belongs to whoever works the lead unless someone chose otherwise: agents see
        # contacts by owner (crm.querysets), and reassignment hands them over (crm.services).
        if self.lead_id and not self.owner_id and not kwargs.get("update_fields"):
            from crm.models import Lead
            self.owner_id = Lead.objects.filter(pk=self.lead_id).values_list("assigned_to_id", flat=True).first()
        super().save(*args, **kwargs)

    def clean(self):
        self.email = (self.email or "").strip().lower()
        for name in ("phone", "whatsapp"):
            value = getattr(self, name)
            if value:
                setattr(self, name, normalise_phone(value) or value)
