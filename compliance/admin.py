"""Django admin of the compliance centre: consent history (append-only), complaints, policies, guarantee
claims and refunds. Claims and refunds are money: never deleted, locked once started, moved by actions."""
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from compliance.choices import ClaimStatus, ComplaintStatus
from compliance.models import Complaint, Consent, GuaranteeClaim, Policy, Refund
from dealix.accounts import roles
from dealix.core.admin_base import (AppendOnlyAdminMixin, LockedOnceStartedAdminMixin, NoDeleteAdminMixin,
                                    NormalisedSearchAdminMixin, StateMachineAdminMixin, TenantModelAdmin)
from dealix.core.audit import audit_update, snapshot


@admin.register(Consent)
class ConsentAdmin(NormalisedSearchAdminMixin, AppendOnlyAdminMixin, TenantModelAdmin):
    """PDPL consent history: a change of mind is a new row (granted or revoked), never an edit."""

    list_display = ["contact", "channel", "status", "granted_at", "revoked_at", "source", "ip_address", "created_at"]
    list_filter = ["channel", "status", "source"]
    list_select_related = ["contact"]
    autocomplete_fields = ["contact"]
    search_text_fields = ("contact__search_text",)
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Complaint)
class ComplaintAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, NoDeleteAdminMixin, TenantModelAdmin):
    list_display = ["__str__", "severity", "status", "contact", "customer", "assigned_to", "escalated", "due_at",
                    "created_at"]
    list_filter = ["status", "severity", "category", "escalated", "assigned_to"]
    list_select_related = ["contact", "customer", "assigned_to"]
    autocomplete_fields = ["contact", "customer", "assigned_to"]
    search_text_fields = ("contact__search_text", "customer__search_text")
    date_hierarchy = "created_at"
    reason_fields = {ComplaintStatus.RESOLVED: "resolution"}
    transition_capability = roles.COMPLAINTS_ASSIGN


@admin.register(Policy)
class PolicyAdmin(NoDeleteAdminMixin, TenantModelAdmin):
    """Versioned; affiliates' acceptances point at a version, so versions stay. Exactly one is active per
    type: the "Make this the active version" action swaps them in one step."""

    list_display = ["name", "type", "version", "is_active", "effective_from", "updated_at"]
    list_filter = ["type", "is_active"]
    search_fields = ["name"]
    date_hierarchy = "effective_from"
    actions = ["activate"]

    @admin.action(description=_("Make this the active version"), permissions=["change"])
    def activate(self, request, queryset):
        chosen = list(queryset)
        if len({policy.type for policy in chosen}) != len(chosen):
            messages.error(request, gettext("Choose at most one version of each policy type."))
            return
        with transaction.atomic():
            for policy in chosen:
                for other in Policy.objects.filter(type=policy.type, is_active=True).exclude(pk=policy.pk):
                    self._set_active(request, other, False)
                self._set_active(request, policy, True)
        messages.success(request, ngettext("%(count)d policy version is now active.",
                                           "%(count)d policy versions are now active.", len(chosen)) % {
            "count": len(chosen)})

    def _set_active(self, request, policy, active):
        if policy.is_active == active:
            return
        before = snapshot(policy)
        policy.is_active = active
        policy.save(update_fields=["is_active", "updated_at"])
        audit_update(actor=request.user, instance=policy, before=before)


@admin.register(GuaranteeClaim)
class GuaranteeClaimAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, LockedOnceStartedAdminMixin,
                          TenantModelAdmin):
    list_display = ["customer", "deal", "claim_type", "status", "amount_claimed", "amount_approved", "reviewed_by",
                    "reviewed_at", "created_at"]
    list_filter = ["status", "claim_type"]
    list_select_related = ["customer", "deal", "reviewed_by"]
    autocomplete_fields = ["deal", "customer"]
    search_text_fields = ("customer__search_text",)
    locked_fields = ("deal", "customer", "claim_type", "amount_claimed", "description", "evidence")
    date_hierarchy = "created_at"
    transition_capabilities = {ClaimStatus.REFUNDED: roles.REFUNDS_PROCESS}
    transition_capability = roles.GUARANTEE_REVIEW

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # The reviewer enters the approved amount while reviewing; once decided it is fixed.
        if obj is not None and obj.status not in (ClaimStatus.SUBMITTED, ClaimStatus.REVIEWING):
            fields = [*fields, "amount_approved"]
        return fields

    def transition_refusal(self, request, obj, target):
        if target != ClaimStatus.APPROVED:
            return None
        if obj.amount_approved is None:
            return gettext("Enter the approved amount before approving the claim.")
        from dealix.tenancy.rules import current_rules
        limit = current_rules().guarantee_owner_approval_over
        if obj.amount_approved > limit and not roles.can(request.user, roles.GUARANTEE_APPROVE_LARGE):
            return gettext("Only an owner may approve a claim over %(limit)s SAR.") % {"limit": limit}
        return None


@admin.register(Refund)
class RefundAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, LockedOnceStartedAdminMixin, TenantModelAdmin):
    list_display = ["__str__", "guarantee_claim", "deal", "method", "reference", "processed_at", "created_at"]
    list_filter = ["status", "method"]
    # The claim column prints its customer, so that is joined too.
    list_select_related = ["guarantee_claim__customer", "deal"]
    autocomplete_fields = ["guarantee_claim", "deal"]
    search_text_fields = ("guarantee_claim__customer__search_text", "deal__search_text")
    locked_fields = ("guarantee_claim", "deal", "amount", "currency", "method")
    date_hierarchy = "created_at"
    transition_capability = roles.REFUNDS_PROCESS
