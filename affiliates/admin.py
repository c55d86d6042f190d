"""Django admin of the affiliate programme. Money rows are never deleted and never freely edited once they
left their first state: their status moves by the "Move to" actions, which enforce the state machines
of RULES.md §6 and the role that may take each step (§9)."""
from django.contrib import admin
from django.utils.translation import gettext

from affiliates.choices import AffiliateStatus, CommissionStatus, DisputeStatus, PayoutStatus
from affiliates.models import (Affiliate, AffiliateDeal, AffiliatePerformance, Commission, Dispute, Payout,
                               PolicyAcceptance, RiskSignal)
from dealix.accounts import roles
from dealix.core.admin_base import (LockedOnceStartedAdminMixin, NoDeleteAdminMixin, NormalisedSearchAdminMixin,
                                    ReadOnlyAdminMixin, StateMachineAdminMixin, TenantModelAdmin)


@admin.register(Affiliate)
class AffiliateAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, NoDeleteAdminMixin, TenantModelAdmin):
    list_display = ["full_name", "referral_code", "email", "phone", "city", "status", "tier", "risk_score",
                    "approved_at", "created_at"]
    list_filter = ["status", "tier", "city"]
    autocomplete_fields = ["user"]
    # The application's evaluation and the fraud signals' total are computed, not typed.
    readonly_fields = ["evaluation", "risk_score"]
    reason_fields = {AffiliateStatus.SUSPENDED: "status_reason", AffiliateStatus.TERMINATED: "status_reason"}
    date_hierarchy = "created_at"


@admin.register(AffiliatePerformance)
class AffiliatePerformanceAdmin(NormalisedSearchAdminMixin, ReadOnlyAdminMixin, TenantModelAdmin):
    """Computed by the monthly job; it sets the tier and so the commission rate, so nobody edits it."""

    list_display = ["affiliate", "period", "leads_generated", "deals_closed", "revenue_attributed",
                    "commission_earned", "conversion_rate"]
    list_select_related = ["affiliate"]
    search_text_fields = ("affiliate__search_text",)
    date_hierarchy = "period"


@admin.register(AffiliateDeal)
class AffiliateDealAdmin(NormalisedSearchAdminMixin, LockedOnceStartedAdminMixin, TenantModelAdmin):
    list_display = ["affiliate", "lead", "deal", "status", "share_percent", "attributed_revenue",
                    "commission_amount", "attributed_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["affiliate", "lead", "deal"]
    autocomplete_fields = ["affiliate", "lead", "deal"]
    search_text_fields = ("affiliate__search_text", "lead__search_text")
    # The attribution status moves through the attribution services (confirm, pay, dispute, split),
    # never by typing it here.
    readonly_fields = ["status"]
    locked_fields = ("affiliate", "lead", "deal", "attributed_revenue", "commission_amount", "share_percent",
                     "attributed_at", "expires_at")
    date_hierarchy = "attributed_at"


@admin.register(Commission)
class CommissionAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, LockedOnceStartedAdminMixin,
                      TenantModelAdmin):
    list_display = ["affiliate", "kind", "amount", "currency", "rate", "status", "held", "period", "deal",
                    "approved_at"]
    list_filter = ["status", "kind", "held"]
    list_select_related = ["affiliate", "deal"]
    autocomplete_fields = ["affiliate", "deal", "reverses"]
    search_text_fields = ("affiliate__search_text", "deal__search_text")
    # The payout batch links the commissions it pays.
    readonly_fields = ["payout"]
    locked_fields = ("affiliate", "deal", "kind", "reverses", "amount", "currency", "rate", "period")
    date_hierarchy = "period"
    # RULES.md §9: managers approve and hold, admins pay and claw back.
    transition_capabilities = {
        CommissionStatus.PENDING: roles.COMMISSIONS_APPROVE,
        CommissionStatus.APPROVED: roles.COMMISSIONS_APPROVE,
        CommissionStatus.DISPUTED: roles.COMMISSIONS_APPROVE,
        CommissionStatus.PAID: roles.COMMISSIONS_PAY,
        CommissionStatus.CANCELLED: roles.COMMISSIONS_PAY,
    }

    def transition_refusal(self, request, obj, target):
        if obj.held and target in (CommissionStatus.APPROVED, CommissionStatus.PAID):
            return gettext("This commission is held (%(reason)s); release the hold first.") % {
                "reason": obj.hold_reason or gettext("no reason given")}
        if target == CommissionStatus.APPROVED and obj.status == CommissionStatus.PENDING:
            # The same rule as the programme's page: not before the guarantee window and a confirmed payment.
            from affiliates.commissions import approvable
            allowed, reason = approvable(obj)
            if not allowed:
                return reason
        if target == CommissionStatus.PAID and obj.status == CommissionStatus.APPROVED:
            return gettext("A commission is paid by completing its payout.")
        return None


@admin.register(Payout)
class PayoutAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, LockedOnceStartedAdminMixin, TenantModelAdmin):
    list_display = ["affiliate", "amount", "currency", "method", "status", "period", "reference", "processed_at",
                    "created_at"]
    list_filter = ["status", "method"]
    list_select_related = ["affiliate"]
    autocomplete_fields = ["affiliate"]
    search_text_fields = ("affiliate__search_text",)
    locked_fields = ("affiliate", "amount", "currency", "method", "bank_name", "iban", "period")
    date_hierarchy = "created_at"
    reason_fields = {PayoutStatus.FAILED: "failure_reason"}
    transition_capability = roles.PAYOUTS_PROCESS


@admin.register(Dispute)
class DisputeAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, LockedOnceStartedAdminMixin,
                   TenantModelAdmin):
    list_display = ["affiliate", "type", "status", "commission", "amount_frozen", "due_at", "resolved_at",
                    "created_at"]
    list_filter = ["status", "type"]
    # The commission column prints its affiliate, so that is joined too.
    list_select_related = ["affiliate", "commission__affiliate"]
    autocomplete_fields = ["commission", "affiliate", "appeal_of"]
    search_text_fields = ("affiliate__search_text",)
    locked_fields = ("commission", "affiliate", "appeal_of", "type", "amount_frozen")
    date_hierarchy = "created_at"
    reason_fields = {DisputeStatus.RESOLVED: "resolution"}
    transition_capability = roles.DISPUTES_RESOLVE


@admin.register(PolicyAcceptance)
class PolicyAcceptanceAdmin(ReadOnlyAdminMixin, TenantModelAdmin):
    """The record of what each affiliate agreed to: written by approval and the portal, never edited."""
    list_display = ["affiliate", "policy", "accepted_at", "ip_address"]
    list_select_related = ["affiliate", "policy"]
    search_fields = ["affiliate__full_name", "affiliate__email"]
    date_hierarchy = "accepted_at"


@admin.register(RiskSignal)
class RiskSignalAdmin(ReadOnlyAdminMixin, TenantModelAdmin):
    """Fraud signals with their evidence; reviewed on the programme's pages, where the review is audited."""
    list_display = ["affiliate", "kind", "points", "lead", "reviewed_at", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["affiliate", "lead"]
    search_fields = ["affiliate__full_name", "affiliate__email"]
    date_hierarchy = "created_at"
