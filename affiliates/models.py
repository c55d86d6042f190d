"""The affiliate (partner) programme: affiliates, their attributed deals, commissions, payouts, disputes
and monthly performance (RULES.md §6). Money is Decimal; financial rows are never deleted (PROTECT)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from affiliates.choices import (AffiliateStatus, AttributionSource, AttributionStatus, CommissionKind, CommissionStatus,
                                DisputeStatus, DisputeType, PayoutMethod, PayoutStatus, RiskSignalKind, Tier)
from dealix.core.constraints import between, currency_field, money_field, non_negative, percent_field, percentage
from django.db.models.lookups import Exact

from dealix.core.iban import SAUDI_IBAN_PATTERN, iban_checksum, normalise_iban, validate_saudi_iban
from dealix.core.models import SearchableModel, TimeStampedModel
from dealix.core.phones import normalise_phone, validate_phone
from dealix.core.states import machine

__all__ = ["Affiliate", "AffiliatePerformance", "AffiliateDeal", "Commission", "Payout", "Dispute", "PolicyAcceptance",
           "RiskSignal"]


class Affiliate(SearchableModel):
    """A partner who refers leads for commission. An applicant has no login yet (`user` is set on
    approval), so the applicant's own details (`full_name`, `email`, `phone`, `city`, not in the seed)
    live here; `evaluation` holds the application's scores and risk flags, `risk_score` the fraud
    signals' total (over 80 holds commissions), `status_reason` why it was suspended or terminated."""

    SEARCH_FIELDS = ("full_name", "email", "referral_code")
    PHONE_FIELDS = ("phone",)
    STATES = machine("status", {
        AffiliateStatus.APPLIED: {AffiliateStatus.APPROVED, AffiliateStatus.TERMINATED},
        AffiliateStatus.APPROVED: {AffiliateStatus.ACTIVE, AffiliateStatus.SUSPENDED, AffiliateStatus.TERMINATED},
        AffiliateStatus.ACTIVE: {AffiliateStatus.SUSPENDED, AffiliateStatus.TERMINATED},
        AffiliateStatus.SUSPENDED: {AffiliateStatus.ACTIVE, AffiliateStatus.TERMINATED},
    }, stamps={AffiliateStatus.APPROVED: "approved_at"})

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="affiliate")
    full_name = models.CharField(_("full name"), max_length=255)
    email = models.EmailField(_("email"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    city = models.CharField(_("city"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AffiliateStatus.choices,
                              default=AffiliateStatus.APPLIED)
    status_reason = models.TextField(_("status reason"), blank=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.BRONZE)
    referral_code = models.CharField(_("referral code"), max_length=20, unique=True, null=True, blank=True)
    commission_rate = percent_field(_("commission rate (%)"), null=True, blank=True)
    evaluation = models.JSONField(_("evaluation"), default=dict, blank=True)
    risk_score = models.PositiveSmallIntegerField(_("risk score"), default=0)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    # Not in the seed: an application turned down (it may be made again `reapply_after_days` later).
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True, editable=False)
    # Not in the seed: where the affiliate is paid (a bank transfer needs a valid Saudi IBAN).
    payout_method = models.CharField(_("payout method"), max_length=20, choices=PayoutMethod.choices,
                                     default=PayoutMethod.BANK_TRANSFER)
    bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_saudi_iban])
    wallet_account = models.CharField(_("wallet account"), max_length=100, blank=True)
    # Not in the seed: "eligible for hiring" after 3 consecutive months of 10+ paid deals, for a person to act on.
    hiring_eligible_at = models.DateTimeField(_("eligible for hiring since"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("affiliate")
        verbose_name_plural = _("affiliates")
        ordering = ["full_name"]
        indexes = [models.Index(fields=["status", "tier"], name="aff_affiliate_status_idx")]
        constraints = [
            percentage("aff_affiliate", "commission_rate"),
            between("aff_affiliate", "risk_score", 0, 100),
            models.CheckConstraint(condition=Q(referral_code__isnull=True) | Q(referral_code__regex=r"^[A-Z0-9]{4,20}$"),
                                   name="aff_affiliate_referral_code_format",
                                   violation_error_message=_("A referral code is 4 to 20 capital letters or digits.")),
            models.CheckConstraint(
                condition=Q(status=AffiliateStatus.APPLIED) | Q(status=AffiliateStatus.TERMINATED)
                | Q(referral_code__isnull=False),
                name="aff_affiliate_approved_has_code",
                violation_error_message=_("An approved affiliate needs a referral code.")),
            models.CheckConstraint(condition=Q(iban="") | Q(iban__regex=SAUDI_IBAN_PATTERN),
                                   name="aff_affiliate_iban_format",
                                   violation_error_message=_("An IBAN here is SA followed by 22 digits.")),
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        self.email = (self.email or "").strip().lower()
        if self.phone:
            self.phone = normalise_phone(self.phone) or self.phone
        if self.referral_code:
            self.referral_code = self.referral_code.strip().upper()
        self.iban = normalise_iban(self.iban)


class AffiliatePerformance(TimeStampedModel):
    """An affiliate's month (`period` is the first day of the month), computed by the monthly job."""

    affiliate = models.ForeignKey(Affiliate, verbose_name=_("affiliate"), on_delete=models.PROTECT,
                                  related_name="performances")
    period = models.DateField(_("period"))
    leads_generated = models.PositiveIntegerField(_("leads generated"), default=0)
    deals_closed = models.PositiveIntegerField(_("deals closed"), default=0)
    revenue_attributed = money_field(_("revenue attributed"))
    commission_earned = money_field(_("commission earned"))
    conversion_rate = percent_field(_("conversion rate (%)"), default=0)

    class Meta:
        verbose_name = _("affiliate performance")
        verbose_name_plural = _("affiliate performances")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "period"], name="aff_performance_affiliate_period_unique",
                                    violation_error_message=_("This affiliate already has figures for that month.")),
            models.CheckConstraint(condition=Q(period__day=1), name="aff_performance_period_month_start",
                                   violation_error_message=_("A period starts on the first day of a month.")),
            non_negative("aff_performance", "revenue_attributed"),
            percentage("aff_performance", "conversion_rate"),
        ]

    def __str__(self):
        return f"{self.affiliate} · {self.period:%Y-%m}"


class AffiliateDeal(TimeStampedModel):
    """An attribution: this affiliate brought this lead (and, once there is one, its deal). Registered
    when the lead arrives, so `deal` is nullable; `attributed_at` / `expires_at` hold the 90-day window
    (+30 in negotiation) and `share_percent` an admin's split (the shares of a lead sum to 100).
    Not in the seed: `share_percent`, `attributed_at`, `expires_at`, `source` (how the claim arrived),
    `direct_interaction` (the affiliate recorded talking to the lead: it wins a same-day tie), `note`
    (why an admin split or moved it)."""

    STATES = machine("status", {
        AttributionStatus.PENDING: {AttributionStatus.CONFIRMED, AttributionStatus.REJECTED, AttributionStatus.EXPIRED,
                                    AttributionStatus.DISPUTED},
        AttributionStatus.CONFIRMED: {AttributionStatus.PAID, AttributionStatus.DISPUTED, AttributionStatus.REJECTED},
        AttributionStatus.DISPUTED: {AttributionStatus.PENDING, AttributionStatus.CONFIRMED, AttributionStatus.REJECTED},
        AttributionStatus.REJECTED: {AttributionStatus.PENDING, AttributionStatus.CONFIRMED},
    })

    affiliate = models.ForeignKey(Affiliate, verbose_name=_("affiliate"), on_delete=models.PROTECT,
                                  related_name="attributions")
    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="attributions")
    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), on_delete=models.PROTECT,
                             related_name="attributions")
    attributed_revenue = money_field(_("attributed revenue"))
    commission_amount = money_field(_("commission amount"))
    share_percent = percent_field(_("share (%)"), default=100)
    status = models.CharField(_("status"), max_length=20, choices=AttributionStatus.choices,
                              default=AttributionStatus.PENDING)
    attributed_at = models.DateTimeField(_("attributed at"))
    expires_at = models.DateTimeField(_("expires at"))
    source = models.CharField(_("source"), max_length=20, choices=AttributionSource.choices,
                              default=AttributionSource.FORM)
    direct_interaction = models.BooleanField(_("direct interaction recorded"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("attributed deal")
        verbose_name_plural = _("attributed deals")
        ordering = ["-attributed_at"]
        indexes = [models.Index(fields=["affiliate", "status"], name="aff_attribution_status_idx"),
                   models.Index(fields=["lead", "status"], name="aff_attribution_lead_idx")]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "lead"], name="aff_attribution_affiliate_lead_unique",
                                    violation_error_message=_("This lead is already attributed to this affiliate.")),
            non_negative("aff_attribution", "attributed_revenue"),
            models.CheckConstraint(condition=Q(share_percent__gt=0, share_percent__lte=100),
                                   name="aff_attribution_share_between_0_100",
                                   violation_error_message=_("A share is more than 0 and at most 100 %.")),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("attributed_at")),
                                   name="aff_attribution_expires_after_start"),
        ]

    def __str__(self):
        return f"{self.affiliate} → {self.lead}"


class Commission(TimeStampedModel):
    """Money an affiliate earned (RULES.md §6). `kind` (not in the seed) says why: a won deal, a monthly
    payment, a bonus, or a clawback; a clawback is negative (`reverses` points at what it claws back),
    every other kind is positive. `payout` (not in the seed) is the payout that paid it; `held` and
    `hold_reason` freeze it for a fraud review or a dispute. One commission per affiliate, deal, kind
    and month, so the monthly run can be repeated without creating anything new."""

    STATES = machine("status", {
        CommissionStatus.PENDING: {CommissionStatus.APPROVED, CommissionStatus.DISPUTED, CommissionStatus.CANCELLED},
        CommissionStatus.APPROVED: {CommissionStatus.PAID, CommissionStatus.DISPUTED, CommissionStatus.CANCELLED,
                                    CommissionStatus.PENDING},
        CommissionStatus.DISPUTED: {CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.CANCELLED},
    }, stamps={CommissionStatus.APPROVED: "approved_at"}, stamp_actor={CommissionStatus.APPROVED: "approved_by"})

    affiliate = models.ForeignKey(Affiliate, verbose_name=_("affiliate"), on_delete=models.PROTECT,
                                  related_name="commissions")
    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="commissions")
    kind = models.CharField(_("kind"), max_length=20, choices=CommissionKind.choices, default=CommissionKind.DEAL)
    reverses = models.ForeignKey("self", verbose_name=_("claws back"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="clawbacks")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = currency_field()
    rate = percent_field(_("rate (%)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=CommissionStatus.choices,
                              default=CommissionStatus.PENDING)
    held = models.BooleanField(_("held"), default=False)
    hold_reason = models.TextField(_("hold reason"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="approved_commissions")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    period = models.DateField(_("period"))
    # Not in the seed: every riyal explained: revenue, share, plan, tier, rate (or the bonus rule).
    basis = models.JSONField(_("how it was computed"), default=dict, blank=True)
    payout = models.ForeignKey("affiliates.Payout", verbose_name=_("payout"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="commissions")

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["-period", "-created_at"]
        indexes = [
            models.Index(fields=["affiliate", "status"], name="aff_commission_status_idx"),
            models.Index(fields=["period"], name="aff_commission_period_idx"),
        ]
        constraints = [
            percentage("aff_commission", "rate"),
            models.CheckConstraint(
                condition=(Q(kind=CommissionKind.CLAWBACK) & Q(amount__lt=0) & Q(reverses__isnull=False))
                | (~Q(kind=CommissionKind.CLAWBACK) & Q(amount__gte=0)),
                name="aff_commission_sign_matches_kind",
                violation_error_message=_("Only a clawback is negative, and it must name what it claws back.")),
            models.UniqueConstraint(fields=["affiliate", "deal", "kind", "period"],
                                    condition=Q(kind__in=[CommissionKind.DEAL, CommissionKind.RECURRING]),
                                    name="aff_commission_once_per_deal_month",
                                    violation_error_message=_("This commission already exists for that month.")),
            models.UniqueConstraint(fields=["affiliate", "period"], condition=Q(kind=CommissionKind.BONUS),
                                    name="aff_commission_one_bonus_per_month"),
            models.UniqueConstraint(fields=["reverses"], condition=Q(kind=CommissionKind.CLAWBACK),
                                    name="aff_commission_one_clawback_each"),
            models.CheckConstraint(condition=~Q(status=CommissionStatus.PAID) | Q(payout__isnull=False),
                                   name="aff_commission_paid_has_payout",
                                   violation_error_message=_("A paid commission must name its payout.")),
        ]

    def __str__(self):
        return f"{self.affiliate} · {self.amount} {self.currency} · {self.get_status_display()}"


class Payout(TimeStampedModel):
    """A payment to an affiliate of approved commissions (RULES.md §6): pending → processing →
    completed | failed. A bank transfer needs a valid Saudi IBAN. `period` (not in the seed) is the
    month of the batch; `failure_reason` why a payout failed."""

    STATES = machine("status", {
        PayoutStatus.PENDING: {PayoutStatus.PROCESSING, PayoutStatus.FAILED},
        PayoutStatus.PROCESSING: {PayoutStatus.COMPLETED, PayoutStatus.FAILED},
    }, stamps={PayoutStatus.COMPLETED: "processed_at", PayoutStatus.FAILED: "processed_at"})

    affiliate = models.ForeignKey(Affiliate, verbose_name=_("affiliate"), on_delete=models.PROTECT,
                                  related_name="payouts")
    amount = money_field(_("amount"))
    currency = currency_field()
    method = models.CharField(_("method"), max_length=20, choices=PayoutMethod.choices,
                              default=PayoutMethod.BANK_TRANSFER)
    status = models.CharField(_("status"), max_length=20, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_saudi_iban])
    wallet_account = models.CharField(_("wallet account"), max_length=100, blank=True)
    period = models.DateField(_("period"), null=True, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["affiliate", "status"], name="aff_payout_status_idx")]
        constraints = [
            non_negative("aff_payout", "amount"),
            models.CheckConstraint(condition=Q(iban="") | Q(iban__regex=SAUDI_IBAN_PATTERN), name="aff_payout_iban_format",
                                   violation_error_message=_("An IBAN here is SA followed by 22 digits.")),
            models.CheckConstraint(condition=Exact(iban_checksum("iban"), 1), name="aff_payout_iban_checksum",
                                   violation_error_message=_("This IBAN's check digits are wrong: check it for a typo.")),
            models.CheckConstraint(condition=~Q(method=PayoutMethod.BANK_TRANSFER) | ~Q(iban=""),
                                   name="aff_payout_bank_transfer_needs_iban",
                                   violation_error_message=_("A bank transfer needs an IBAN.")),
        ]

    def __str__(self):
        return f"{self.affiliate} · {self.amount} {self.currency}"

    def clean(self):
        self.iban = normalise_iban(self.iban)


class Dispute(TimeStampedModel):
    """An affiliate's objection to a commission, an attribution, a payout or a guarantee decision
    (RULES.md §6). Not in the seed: `amount_frozen` (excluded from payouts while open), `appeal_of`
    (the one appeal of a decided dispute), `due_at` (the service level), `attribution` (the referral
    an attribution dispute is about)."""

    STATES = machine("status", {
        DisputeStatus.OPEN: {DisputeStatus.UNDER_REVIEW, DisputeStatus.ESCALATED, DisputeStatus.CLOSED},
        DisputeStatus.UNDER_REVIEW: {DisputeStatus.RESOLVED, DisputeStatus.ESCALATED},
        DisputeStatus.ESCALATED: {DisputeStatus.RESOLVED},
        DisputeStatus.RESOLVED: {DisputeStatus.CLOSED},
    }, stamps={DisputeStatus.RESOLVED: "resolved_at"}, stamp_actor={DisputeStatus.RESOLVED: "resolved_by"})

    commission = models.ForeignKey(Commission, verbose_name=_("commission"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="disputes")
    # The referral an attribution dispute is about, commission or not: its decision puts it back.
    attribution = models.ForeignKey(AffiliateDeal, verbose_name=_("referral"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="disputes")
    affiliate = models.ForeignKey(Affiliate, verbose_name=_("affiliate"), on_delete=models.PROTECT,
                                  related_name="disputes")
    appeal_of = models.OneToOneField("self", verbose_name=_("appeal of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="appeal")
    type = models.CharField(_("type"), max_length=20, choices=DisputeType.choices, default=DisputeType.COMMISSION)
    status = models.CharField(_("status"), max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    description = models.TextField(_("description"))
    resolution = models.TextField(_("resolution"), blank=True)
    amount_frozen = money_field(_("amount frozen"))
    due_at = models.DateTimeField(_("decide by"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="resolved_disputes")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="aff_dispute_status_idx")]
        constraints = [
            non_negative("aff_dispute", "amount_frozen"),
            models.CheckConstraint(condition=~Q(status=DisputeStatus.RESOLVED) | ~Q(resolution=""),
                                   name="aff_dispute_resolved_needs_resolution",
                                   violation_error_message=_("A resolved dispute needs a written resolution.")),
        ]

    def __str__(self):
        return f"{self.get_type_display()} · {self.affiliate}"


class PolicyAcceptance(TimeStampedModel):
    """An affiliate accepted a version of a policy (the commission policy, the programme rules) on
    approval or when a new version came out. Append-only: the record of what they agreed to."""

    affiliate = models.ForeignKey(Affiliate, verbose_name=_("affiliate"), on_delete=models.PROTECT,
                                  related_name="policy_acceptances")
    policy = models.ForeignKey("compliance.Policy", verbose_name=_("policy"), on_delete=models.PROTECT,
                               related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy acceptance")
        verbose_name_plural = _("policy acceptances")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "policy"], name="aff_policy_acceptance_once",
                                    violation_error_message=_("This affiliate already accepted this policy version.")),
        ]

    def __str__(self):
        return f"{self.affiliate} · {self.policy}"


class RiskSignal(TimeStampedModel):
    """One fraud signal raised about an affiliate (RULES.md §6), with its evidence and points toward the
    risk score. A person reviews it; nothing is decided automatically beyond holding commissions."""

    affiliate = models.ForeignKey(Affiliate, verbose_name=_("affiliate"), on_delete=models.PROTECT,
                                  related_name="risk_signals")
    kind = models.CharField(_("kind"), max_length=30, choices=RiskSignalKind.choices)
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="risk_signals")
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reviewed_risk_signals")
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["affiliate", "reviewed_at"], name="aff_risk_signal_open_idx")]
        constraints = [
            between("aff_risk_signal", "points", 0, 100),
            models.UniqueConstraint(fields=["affiliate", "kind", "lead"], condition=Q(lead__isnull=False),
                                    name="aff_risk_signal_once_per_lead"),
        ]

    def __str__(self):
        return f"{self.affiliate} · {self.get_kind_display()}"
