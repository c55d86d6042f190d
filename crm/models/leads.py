"""Leads (people who showed interest) and prospects (organisations we are going after)."""
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from django.contrib.postgres.fields import ArrayField

from crm.choices import BudgetSignal, EngagementSignal, LeadSource, LeadStatus, Priority, ProspectStatus, Timing
from dealix.core.constraints import between, money_field, non_negative
from crm.querysets import LeadQuerySet, ProspectQuerySet
from dealix.core.models import SearchableModel, TimeStampedModel
from dealix.core.phones import normalise_phone, validate_phone
from dealix.core.states import machine

__all__ = ["Lead", "Prospect"]

_OPEN = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


class Lead(SearchableModel):
    """A person or company that showed interest. Status moves only along STATES (RULES.md §1); the
    transition stamps `qualified_at` / `converted_at`. `score` (0–100) is computed from the criteria of
    RULES.md §1 and stored with `score_breakdown` (criterion → points) so a person can see why.
    Not in the seed: the scoring inputs (`employees`, `engagement_signals`, `budget_signals`, `timing`),
    `score_breakdown`, `lost_reason` (lost needs a reason), `referral_code` (the `?ref=` code it arrived with,
    which the affiliate programme attributes), `search_text`."""

    SEARCH_FIELDS = ("full_name", "email", "company_name")
    PHONE_FIELDS = ("phone",)
    STATES = machine("status", {
        LeadStatus.NEW: {LeadStatus.CONTACTED, LeadStatus.LOST},
        LeadStatus.CONTACTED: {LeadStatus.QUALIFIED, LeadStatus.LOST},
        LeadStatus.QUALIFIED: {LeadStatus.CONVERTED, LeadStatus.LOST},
    }, stamps={LeadStatus.QUALIFIED: "qualified_at", LeadStatus.CONVERTED: "converted_at"})

    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="assigned_leads")
    source = models.CharField(_("source"), max_length=50, choices=LeadSource.choices, default=LeadSource.WEB)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    score_breakdown = models.JSONField(_("score breakdown"), default=dict, blank=True, editable=False)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    engagement_signals = ArrayField(models.CharField(max_length=30, choices=EngagementSignal.choices),
                                    verbose_name=_("engagement signals"), default=list, blank=True)
    budget_signals = ArrayField(models.CharField(max_length=30, choices=BudgetSignal.choices),
                                verbose_name=_("budget signals"), default=list, blank=True)
    timing = models.CharField(_("timing"), max_length=20, choices=Timing.choices, blank=True)
    full_name = models.CharField(_("full name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), max_length=255, blank=True)
    company_name = models.CharField(_("company name"), max_length=255, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    lost_reason = models.TextField(_("lost reason"), blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_from", editable=False)
    referral_code = models.CharField(_("referral code"), max_length=20, blank=True,
                                     help_text=_("The affiliate code the lead arrived with (?ref=CODE)."))
    qualified_at = models.DateTimeField(_("qualified at"), null=True, blank=True, editable=False)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True, editable=False)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="crm_lead_status_idx"),
            models.Index(fields=["assigned_to", "status", "-created_at"], name="crm_lead_owner_status_idx"),
            models.Index(fields=["-created_at", "id"], name="crm_lead_created_idx"),
            models.Index(fields=["sector"], name="crm_lead_sector_idx"),
            models.Index(fields=["full_name", "id"], name="crm_lead_name_idx"),  # the list's A–Z pages
            models.Index(fields=["city"], name="crm_lead_city_idx"),
            models.Index(fields=["source"], name="crm_lead_source_idx"),
            models.Index(fields=["score"], name="crm_lead_score_idx"),
            models.Index(fields=["phone"], name="crm_lead_phone_idx"),
            models.Index(fields=["email"], name="crm_lead_email_idx"),
            GinIndex(fields=["search_text"], name="crm_lead_search_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            between("crm_lead", "score", 0, 100),
            models.CheckConstraint(condition=~Q(status=LeadStatus.LOST) | ~Q(lost_reason=""),
                                   name="crm_lead_lost_needs_reason",
                                   violation_error_message=_("A lost lead needs a reason.")),
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    def clean(self):
        self.email = (self.email or "").strip().lower()
        if self.phone:
            self.phone = normalise_phone(self.phone) or self.phone


class Prospect(TimeStampedModel):
    """An organisation we are researching or approaching before anyone there became a lead.
    `owner` (not in the seed) is the agent working it."""

    STATES = machine("status", {
        ProspectStatus.IDENTIFIED: {ProspectStatus.RESEARCHING, ProspectStatus.DISQUALIFIED},
        ProspectStatus.RESEARCHING: {ProspectStatus.APPROACHING, ProspectStatus.DISQUALIFIED},
        ProspectStatus.APPROACHING: {ProspectStatus.ENGAGED, ProspectStatus.DISQUALIFIED},
        ProspectStatus.ENGAGED: {ProspectStatus.DISQUALIFIED},
    })

    company = models.ForeignKey("crm.Company", verbose_name=_("company"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="prospects")
    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="prospects")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="prospects")
    source = models.CharField(_("source"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProspectStatus.choices,
                              default=ProspectStatus.IDENTIFIED)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    estimated_value = money_field(_("estimated value"))
    notes = models.TextField(_("notes"), blank=True)

    objects = ProspectQuerySet.as_manager()

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "priority"], name="crm_prospect_status_idx"),
            models.Index(fields=["owner", "status"], name="crm_prospect_owner_idx"),
            models.Index(fields=["sector"], name="crm_prospect_sector_idx"),
        ]
        constraints = [non_negative("crm_prospect", "estimated_value")]

    def __str__(self):
        return str(self.company or self.contact or self.pk)
