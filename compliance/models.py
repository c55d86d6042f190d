"""Consent (PDPL), complaints, policies, the gold guarantee and refunds (RULES.md §7–§8)."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from compliance.choices import (ClaimStatus, ClaimType, ComplaintCategory, ComplaintStatus, ConsentChannel,
                                ConsentState, PolicyType, RefundMethod, RefundStatus, Severity)
from dealix.core.constraints import currency_field, money_field, non_negative
from dealix.core.models import TimeStampedModel
from dealix.core.states import machine

__all__ = ["Consent", "Complaint", "Policy", "GuaranteeClaim", "Refund"]


class ConsentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The one change allowed: re-parenting the history when two contacts are merged (and unmerged).
        if set(kwargs) - {"contact", "contact_id", "updated_at"}:
            raise TypeError("Consent history is append-only: record a new consent instead.")
        return super().update(**kwargs)

    def delete(self):
        raise TypeError("Consent history is append-only.")


class Consent(TimeStampedModel):
    """One consent event for a contact and a channel: granted or revoked, when, from which IP and how
    (`source`: web form, WhatsApp keyword, import, agent…). Append-only: the contact's current consent on
    a channel is its newest row; history is kept 36 months."""

    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), on_delete=models.PROTECT,
                                related_name="consents")
    channel = models.CharField(_("channel"), max_length=20, choices=ConsentChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentState.choices)
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=50)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # related-object access goes through the append-only queryset too
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contact", "channel", "-created_at"], name="cmp_consent_current_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ConsentState.GRANTED) & Q(granted_at__isnull=False))
                | (Q(status=ConsentState.REVOKED) & Q(revoked_at__isnull=False)),
                name="cmp_consent_status_has_its_time",
                violation_error_message=_("A granted consent needs its time, and so does a revoked one.")),
        ]

    def __str__(self):
        return f"{self.contact} · {self.get_channel_display()} · {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Consent history is append-only: record a new consent instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Consent history is append-only.")


class Complaint(TimeStampedModel):
    """A complaint from a contact or customer (RULES.md §7): acknowledged within 24 h, investigated
    within 3 business days. Not in the seed: `acknowledged_at`, `due_at`, `escalated` (critical
    severity or privacy go to a manager at once)."""

    STATES = machine("status", {
        ComplaintStatus.OPEN: {ComplaintStatus.INVESTIGATING, ComplaintStatus.RESOLVED},
        ComplaintStatus.INVESTIGATING: {ComplaintStatus.RESOLVED},
        ComplaintStatus.RESOLVED: {ComplaintStatus.CLOSED, ComplaintStatus.INVESTIGATING},
    }, stamps={ComplaintStatus.RESOLVED: "resolved_at"})

    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="complaints")
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="complaints")
    category = models.CharField(_("category"), max_length=20, choices=ComplaintCategory.choices)
    status = models.CharField(_("status"), max_length=20, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField(_("description"))
    resolution = models.TextField(_("resolution"), blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="assigned_complaints")
    escalated = models.BooleanField(_("escalated"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    due_at = models.DateTimeField(_("investigate by"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "severity"], name="cmp_complaint_status_idx"),
            models.Index(fields=["assigned_to", "status"], name="cmp_complaint_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status=ComplaintStatus.RESOLVED) | ~Q(resolution=""),
                                   name="cmp_complaint_resolved_needs_resolution",
                                   violation_error_message=_("A resolved complaint needs a written resolution.")),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.description[:40]}"


class Policy(TimeStampedModel):
    """A versioned policy text (commission, guarantee, refund, compliance, privacy). Exactly one active
    version per type. The seed's nullable tenant_id (platform-wide policies) is modelled by seeding the
    platform's policies into the tenant template schema, so each tenant starts with them."""

    type = models.CharField(_("type"), max_length=20, choices=PolicyType.choices)
    name = models.CharField(_("name"), max_length=255)
    content = models.TextField(_("content"))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=False)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["type"], condition=Q(is_active=True), name="cmp_policy_one_active_per_type",
                                    violation_error_message=_("Only one version of a policy type can be active.")),
            models.UniqueConstraint(fields=["type", "version"], name="cmp_policy_type_version_unique",
                                    violation_error_message=_("This policy type already has that version.")),
            models.CheckConstraint(condition=Q(version__gte=1), name="cmp_policy_version_positive"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class GuaranteeClaim(TimeStampedModel):
    """A customer's claim under the 30-day gold guarantee (RULES.md §8), once per customer:
    submitted → reviewing → approved | denied, approved → refunded."""

    STATES = machine("status", {
        ClaimStatus.SUBMITTED: {ClaimStatus.REVIEWING},
        ClaimStatus.REVIEWING: {ClaimStatus.APPROVED, ClaimStatus.DENIED},
        ClaimStatus.APPROVED: {ClaimStatus.REFUNDED},
    }, stamps={ClaimStatus.APPROVED: "reviewed_at", ClaimStatus.DENIED: "reviewed_at"},
        stamp_actor={ClaimStatus.APPROVED: "reviewed_by", ClaimStatus.DENIED: "reviewed_by"})

    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), on_delete=models.PROTECT,
                             related_name="guarantee_claims")
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="guarantee_claims")
    claim_type = models.CharField(_("claim type"), max_length=20, choices=ClaimType.choices)
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    description = models.TextField(_("description"))
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    amount_claimed = money_field(_("amount claimed"))
    amount_approved = money_field(_("amount approved"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reviewed_claims")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("guarantee claim")
        verbose_name_plural = _("guarantee claims")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="cmp_claim_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["customer"], name="cmp_claim_once_per_customer",
                                    violation_error_message=_("This customer has already made a guarantee claim.")),
            non_negative("cmp_claim", "amount_claimed"),
            non_negative("cmp_claim", "amount_approved"),
            models.CheckConstraint(condition=Q(amount_approved__isnull=True) | Q(amount_approved__lte=F("amount_claimed")),
                                   name="cmp_claim_approved_within_claimed",
                                   violation_error_message=_("The approved amount cannot exceed the amount claimed.")),
        ]

    def __str__(self):
        return f"{self.customer} · {self.get_claim_type_display()}"


class Refund(TimeStampedModel):
    """Money returned for an approved guarantee claim: pending → processing → completed | failed."""

    STATES = machine("status", {
        RefundStatus.PENDING: {RefundStatus.PROCESSING, RefundStatus.FAILED},
        RefundStatus.PROCESSING: {RefundStatus.COMPLETED, RefundStatus.FAILED},
        RefundStatus.FAILED: {RefundStatus.PENDING},
    }, stamps={RefundStatus.COMPLETED: "processed_at"})

    guarantee_claim = models.ForeignKey(GuaranteeClaim, verbose_name=_("guarantee claim"), on_delete=models.PROTECT,
                                        related_name="refunds")
    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="refunds")
    amount = money_field(_("amount"))
    currency = currency_field()
    status = models.CharField(_("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    method = models.CharField(_("method"), max_length=20, choices=RefundMethod.choices,
                              default=RefundMethod.ORIGINAL_METHOD)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True, editable=False)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="cmp_refund_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cmp_refund_amount_positive",
                                   violation_error_message=_("A refund is a positive amount.")),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} · {self.get_status_display()}"
