"""Django admin of the CRM tables. Saves are audited (TenantModelAdmin); statuses move only by the
"Move to" actions (StateMachineAdminMixin), which run the same transition the pages run."""
from django import forms
from django.contrib import admin

from crm import services
from crm.choices import BookingStatus, DealStage, LeadStatus, MessageStatus, ProposalStatus
from crm.models import (Activity, AutoBooking, Call, Company, Contact, Customer, Deal, Lead, Message, Payment,
                        Proposal, Prospect, Scorecard, Template)
from crm.models.imports import LeadImport
from dealix.accounts import roles
from dealix.accounts.models import User
from dealix.core.admin_base import (DeactivateAdminMixin, NoDeleteAdminMixin, NormalisedSearchAdminMixin,
                                    ReadOnlyAdminMixin, StateMachineAdminMixin, TenantModelAdmin)
from dealix.core.audit import audit_update, snapshot


def sales_team():
    """Who may own leads and deals: active users whose role works the CRM (not affiliates or viewers)."""
    working_roles = [role for role, capabilities in roles.CAPABILITIES.items() if roles.CRM_WORK in capabilities]
    return User.objects.filter(is_active=True, role__in=working_roles)


class AssignedToSalesTeamMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = sales_team()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Company)
class CompanyAdmin(NormalisedSearchAdminMixin, DeactivateAdminMixin, NoDeleteAdminMixin, TenantModelAdmin):
    list_display = ["name", "name_ar", "sector", "size", "city", "cr_number", "is_active", "created_at"]
    list_filter = ["is_active", "size", "sector", "city"]
    date_hierarchy = "created_at"


@admin.register(Contact)
class ContactAdmin(NormalisedSearchAdminMixin, DeactivateAdminMixin, NoDeleteAdminMixin, TenantModelAdmin):
    list_display = ["full_name", "company", "owner", "phone", "email", "language", "consent_status", "is_active",
                    "created_at"]
    list_filter = ["consent_status", "is_active", "language", "owner"]
    list_select_related = ["company", "owner"]
    autocomplete_fields = ["company", "lead", "owner"]
    # The consent summary follows the append-only consent records; anonymising is an erasure request.
    readonly_fields = ["consent_status", "anonymised_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Lead)
class LeadAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, AssignedToSalesTeamMixin, NoDeleteAdminMixin,
                TenantModelAdmin):
    """Saves and status moves go through crm.services, as the pages do: scoring, round-robin
    assignment, conversion into company, contact and deal, and their audit rows."""

    list_display = ["full_name", "company_name", "phone", "status", "score", "source", "sector", "city",
                    "assigned_to", "created_at"]
    list_filter = ["status", "source", "sector", "city", "assigned_to"]
    list_select_related = ["assigned_to"]
    autocomplete_fields = ["assigned_to"]
    readonly_fields = ["score", "score_breakdown"]
    reason_fields = {LeadStatus.LOST: "lost_reason"}
    date_hierarchy = "created_at"
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if not change:
            created = services.lead_create(actor=request.user, data=data)
            obj.pk = created.pk
            obj._state.adding = False
        else:
            services.lead_update(actor=request.user, lead=obj, data=data)
            if "assigned_to" in form.changed_data:
                if data.get("assigned_to") is not None:
                    services.lead_assign(actor=request.user, lead=obj, assignee=data["assigned_to"])
                else:
                    self._unassign(request, obj)
        obj.refresh_from_db()

    def _unassign(self, request, lead):
        # The service only assigns to someone; taking a lead away from everyone is still audited.
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        before = snapshot(lead, ["assigned_to"])
        lead.assigned_to = None
        lead.save(update_fields=["assigned_to", "updated_at"])
        audit_update(actor=request.user, instance=lead, before=before)

    def apply_transition(self, request, obj, target, reason=""):
        if target == LeadStatus.CONVERTED:
            return services.lead_convert(actor=request.user, lead=obj)
        return services.lead_change_status(actor=request.user, lead=obj, status=target, lost_reason=reason)


@admin.register(Prospect)
class ProspectAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, TenantModelAdmin):
    list_display = ["company", "contact", "owner", "status", "priority", "sector", "estimated_value", "created_at"]
    list_filter = ["status", "priority", "sector", "owner"]
    list_select_related = ["company", "contact", "owner"]
    autocomplete_fields = ["company", "contact", "owner"]
    search_text_fields = ("company__search_text", "contact__search_text")
    date_hierarchy = "created_at"


@admin.register(Deal)
class DealAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, AssignedToSalesTeamMixin, NoDeleteAdminMixin,
                TenantModelAdmin):
    list_display = ["title", "company", "contact", "assigned_to", "stage", "value", "currency", "probability",
                    "expected_close", "created_at"]
    list_filter = ["stage", "assigned_to"]
    list_select_related = ["company", "contact", "assigned_to"]
    autocomplete_fields = ["lead", "company", "contact", "assigned_to"]
    reason_fields = {DealStage.CLOSED_LOST: "lost_reason"}
    date_hierarchy = "created_at"
    show_full_result_count = False

    def apply_transition(self, request, obj, target, reason=""):
        # The service sets the stage's probability, and closing won creates the customer and tells the
        # affiliate programme (RULES.md §4).
        return services.deal_move(actor=request.user, deal=obj, stage=target, lost_reason=reason)


@admin.register(Customer)
class CustomerAdmin(NormalisedSearchAdminMixin, NoDeleteAdminMixin, TenantModelAdmin):
    list_display = ["full_name", "company_name", "phone", "email", "lifetime_value", "activated_at", "created_at"]
    list_filter = ["activated_at"]
    autocomplete_fields = ["lead", "deal"]
    # Activation is stamped when the deal closes won (it starts the guarantee window); anonymising is
    # an erasure request.
    readonly_fields = ["activated_at", "anonymised_at"]
    date_hierarchy = "created_at"


@admin.register(Payment)
class PaymentAdmin(NoDeleteAdminMixin, TenantModelAdmin):
    """Customers' monthly payments: recurring affiliate commissions are computed from the confirmed ones."""
    list_display = ["customer", "period", "amount", "currency", "status", "paid_at", "refunded_at"]
    list_filter = ["status", "period"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    search_fields = ["customer__full_name", "reference"]
    date_hierarchy = "paid_at"


@admin.register(Proposal)
class ProposalAdmin(StateMachineAdminMixin, TenantModelAdmin):
    list_display = ["title", "deal", "version", "status", "sent_at", "viewed_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["deal"]
    autocomplete_fields = ["deal"]
    search_fields = ["title", "deal__title"]
    date_hierarchy = "created_at"
    # "Viewed" is stamped when the client opens the link, not by a person.
    manual_targets = (ProposalStatus.SENT, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)

    def has_delete_permission(self, request, obj=None):
        # A proposal a client has seen is a record of what was offered; only drafts may go.
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == ProposalStatus.DRAFT)


@admin.register(Activity)
class ActivityAdmin(TenantModelAdmin):
    list_display = ["subject", "type", "user", "lead", "deal", "scheduled_at", "completed_at", "created_at"]
    list_filter = ["type", "user"]
    list_select_related = ["user", "lead", "deal"]
    autocomplete_fields = ["user", "lead", "deal"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(AutoBooking)
class AutoBookingAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, TenantModelAdmin):
    list_display = ["__str__", "lead", "agent", "status", "channel", "confirmed_time", "reschedule_count", "no_show"]
    list_filter = ["status", "meeting_type", "channel", "no_show", "agent"]
    list_select_related = ["lead", "agent"]
    autocomplete_fields = ["lead", "agent"]
    search_text_fields = ("lead__search_text",)
    readonly_fields = ["reschedule_count"]
    date_hierarchy = "proposed_time"

    def transition_changes(self, obj, target):
        # RULES.md §3: at most two reschedules; the model's constraint refuses a third with a message.
        if target == BookingStatus.RESCHEDULED:
            return {"reschedule_count": obj.reschedule_count + 1}
        return {}


@admin.register(Call)
class CallAdmin(NormalisedSearchAdminMixin, TenantModelAdmin):
    list_display = ["__str__", "lead", "contact", "user", "duration_seconds", "sentiment", "outcome", "created_at"]
    list_filter = ["direction", "status", "sentiment", "user"]
    list_select_related = ["lead", "contact", "user"]
    autocomplete_fields = ["lead", "contact", "user"]
    search_text_fields = ("lead__search_text", "contact__search_text")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Message)
class MessageAdmin(NormalisedSearchAdminMixin, StateMachineAdminMixin, NoDeleteAdminMixin, TenantModelAdmin):
    list_display = ["__str__", "lead", "contact", "direction", "status", "scheduled_for", "sent_at", "created_at"]
    list_filter = ["channel", "direction", "status"]
    list_select_related = ["lead", "contact"]
    autocomplete_fields = ["lead", "contact", "template"]
    search_text_fields = ("lead__search_text", "contact__search_text")
    # The provider's id comes back from the provider; sent/delivered/read come from the provider too.
    readonly_fields = ["provider_message_id"]
    reason_fields = {MessageStatus.FAILED: "failure_reason"}
    date_hierarchy = "created_at"
    show_full_result_count = False
    manual_targets = (MessageStatus.QUEUED, MessageStatus.FAILED)  # retry, or stop a queued send


class TemplateAdminForm(forms.ModelForm):
    """The admin checks a template as the template editor does (known variables, channel limits)."""

    class Meta:
        model = Template
        fields = "__all__"

    def clean(self):
        from crm.templating import validate_template
        cleaned = super().clean()
        if cleaned.get("type") and cleaned.get("body"):
            validate_template(type=cleaned["type"], subject=cleaned.get("subject", ""), body=cleaned["body"],
                              language=cleaned.get("language"))
        return cleaned


@admin.register(Template)
class TemplateAdmin(DeactivateAdminMixin, TenantModelAdmin):
    form = TemplateAdminForm
    list_display = ["name", "key", "type", "language", "is_active", "approved", "updated_at"]
    list_filter = ["type", "language", "is_active"]
    search_fields = ["name", "key", "subject"]
    date_hierarchy = "created_at"


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdminMixin, TenantModelAdmin):
    """Computed by the monthly job from the agent's records; a correction is a re-run, not an edit."""

    list_display = ["user", "period", "leads_handled", "deals_closed", "revenue_generated", "avg_response_time",
                    "customer_satisfaction", "composite_score"]
    list_filter = ["user"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email"]
    date_hierarchy = "period"


@admin.register(LeadImport)
class LeadImportAdmin(ReadOnlyAdminMixin, TenantModelAdmin):
    """The import wizard's records: who imported which file, when, and what came of it."""

    list_display = ["original_name", "user", "status", "row_count", "created_at"]
    list_filter = ["status", "file_format"]
    list_select_related = ["user"]
    search_fields = ["original_name", "user__email"]
    date_hierarchy = "created_at"
