"""Deals in the pipeline, the customers they make, and the proposals sent for them."""
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.choices import CustomerPlan, DealStage, PaymentStatus, ProposalStatus
from dealix.core.constraints import between, currency_field, money_field, non_negative
from crm.querysets import CustomerQuerySet, DealQuerySet, ProposalQuerySet
from dealix.core.models import SearchableModel, TimeStampedModel
from dealix.core.phones import normalise_phone, validate_phone
from dealix.core.states import machine

__all__ = ["Deal", "Customer", "Payment", "Proposal"]

# RULES.md §4: default probability by stage.
STAGE_PROBABILITY = {DealStage.DISCOVERY: 10, DealStage.PROPOSAL: 30, DealStage.NEGOTIATION: 60,
                     DealStage.CLOSED_WON: 100, DealStage.CLOSED_LOST: 0}
OPEN_STAGES = (DealStage.DISCOVERY, DealStage.PROPOSAL, DealStage.NEGOTIATION)


class Deal(SearchableModel):
    """An opportunity moving through the pipeline (RULES.md §4). A deal may move between open stages in
    either direction and close from any open stage; closed deals stay closed. Closing lost needs a
    reason (also a database constraint). Not in the seed: `company` and `contact` (what conversion
    creates alongside the deal), `search_text`."""

    SEARCH_FIELDS = ("title",)
    STATES = machine("stage", {
        stage: set(OPEN_STAGES + (DealStage.CLOSED_WON, DealStage.CLOSED_LOST)) - {stage}
        for stage in OPEN_STAGES
    }, stamps={DealStage.CLOSED_WON: "closed_at", DealStage.CLOSED_LOST: "closed_at"})

    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="deals")
    company = models.ForeignKey("crm.Company", verbose_name=_("company"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="deals")
    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="deals")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="assigned_deals")
    title = models.CharField(_("title"), max_length=255)
    stage = models.CharField(_("stage"), max_length=20, choices=DealStage.choices, default=DealStage.DISCOVERY)
    value = money_field(_("value"))
    currency = currency_field()
    probability = models.PositiveSmallIntegerField(_("probability"), default=10)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    lost_reason = models.TextField(_("lost reason"), blank=True)
    # Not in the seed: the plan the customer buys, which sets an affiliate's commission rate (RULES.md §6).
    plan = models.CharField(_("plan"), max_length=20, choices=CustomerPlan.choices, blank=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["stage", "-created_at"], name="crm_deal_stage_idx"),
            # The pipeline board's columns: the 50 most recently moved deals of a stage.
            models.Index(fields=["stage", "-updated_at", "-id"], name="crm_deal_board_idx"),
            models.Index(fields=["assigned_to", "stage"], name="crm_deal_owner_stage_idx"),
            models.Index(fields=["expected_close"], name="crm_deal_expected_close_idx"),
            models.Index(fields=["-created_at", "id"], name="crm_deal_created_idx"),
            GinIndex(fields=["search_text"], name="crm_deal_search_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            non_negative("crm_deal", "value"),
            between("crm_deal", "probability", 0, 100),
            models.CheckConstraint(condition=~Q(stage=DealStage.CLOSED_LOST) | ~Q(lost_reason=""),
                                   name="crm_deal_lost_needs_reason",
                                   violation_error_message=_("A lost deal needs a reason.")),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class Customer(SearchableModel):
    """A lead whose deal was won. `activated_at` (not in the seed) starts the 30-day guarantee window
    (RULES.md §8); it is stamped when the deal closes won. Anonymised, never deleted."""

    SEARCH_FIELDS = ("full_name", "email", "company_name")
    PHONE_FIELDS = ("phone",)

    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="customers")
    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="customers")
    full_name = models.CharField(_("full name"), max_length=255)
    email = models.EmailField(_("email"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    company_name = models.CharField(_("company name"), max_length=255, blank=True)
    lifetime_value = money_field(_("lifetime value"))
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # Not in the seed: the subscription, for recurring commissions (they stop the month after cancellation).
    plan = models.CharField(_("plan"), max_length=20, choices=CustomerPlan.choices, blank=True)
    monthly_amount = money_field(_("monthly amount"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        indexes = [GinIndex(fields=["search_text"], name="crm_customer_search_trgm", opclasses=["gin_trgm_ops"])]
        constraints = [non_negative("crm_customer", "lifetime_value")]

    def __str__(self):
        return self.full_name

    def clean(self):
        self.email = (self.email or "").strip().lower()
        if self.phone:
            self.phone = normalise_phone(self.phone) or self.phone


class Payment(TimeStampedModel):
    """A customer's payment for one month of their subscription (not in the seed). Confirmed payments
    earn affiliates their recurring commission (RULES.md §6); a refund cancels or claws it back."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="payments")
    period = models.DateField(_("month"))
    amount = money_field(_("amount"))
    currency = currency_field()
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices,
                              default=PaymentStatus.CONFIRMED)
    paid_at = models.DateTimeField(_("paid at"))
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-period"]
        indexes = [models.Index(fields=["period", "status"], name="crm_payment_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "period"], name="crm_payment_customer_month_unique",
                                    violation_error_message=_("This customer already paid for that month.")),
            models.CheckConstraint(condition=Q(period__day=1), name="crm_payment_period_month_start",
                                   violation_error_message=_("A period starts on the first day of a month.")),
            non_negative("crm_payment", "amount"),
            models.CheckConstraint(condition=~Q(status=PaymentStatus.REFUNDED) | Q(refunded_at__isnull=False),
                                   name="crm_payment_refund_has_time"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.period:%Y-%m} · {self.amount} {self.currency}"


class Proposal(TimeStampedModel):
    """A versioned proposal for a deal (RULES.md §4): draft → sent → viewed → accepted | rejected.
    `content` holds the structured lines (items, quantities, prices, discount); totals with 15 % VAT are
    computed from it."""

    STATES = machine("status", {
        ProposalStatus.DRAFT: {ProposalStatus.SENT},
        ProposalStatus.SENT: {ProposalStatus.VIEWED, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED},
        ProposalStatus.VIEWED: {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED},
    }, stamps={ProposalStatus.SENT: "sent_at", ProposalStatus.VIEWED: "viewed_at"})

    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="proposals")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    content = models.JSONField(_("content"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    viewed_at = models.DateTimeField(_("viewed at"), null=True, blank=True, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["deal", "-version"]
        indexes = [models.Index(fields=["status"], name="crm_proposal_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["deal", "version"], name="crm_proposal_deal_version_unique",
                                    violation_error_message=_("This deal already has a proposal with that version.")),
            models.CheckConstraint(condition=Q(version__gte=1), name="crm_proposal_version_positive"),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"
