"""The CRM's list pages, declared once: what they show, filter, sort and export."""
from django.utils.translation import gettext_lazy as _

from crm.choices import LeadStatus
from crm.filtersets import LeadFilterSet, team_members
from crm.models import Lead
from crm.tables import LeadTable
from dealix.accounts import roles
from dealix.core.entity_list import EntityList, Sort


def lead_list_context(request):
    can_reassign = roles.can(request.user, roles.CRM_REASSIGN)
    return {
        "can_work": roles.can(request.user, roles.CRM_WORK),
        "can_reassign": can_reassign,
        "assignees": team_members(request) if can_reassign else [],
        "bulk_statuses": [choice for choice in LeadStatus.choices if choice[0] != LeadStatus.CONVERTED],
    }

LEADS = EntityList(
    key="leads",
    title=_("Leads"),
    queryset=lambda user: Lead.objects.visible_to(user).select_related("assigned_to"),
    filterset_class=LeadFilterSet,
    table_class=LeadTable,
    sorts={
        "-created": Sort(_("Newest first"), ("-created_at", "-id")),
        "created": Sort(_("Oldest first"), ("created_at", "id")),
        "-score": Sort(_("Highest score"), ("-score", "-created_at", "-id")),
        "name": Sort(_("Name A–Z"), ("full_name", "id")),
        "-updated": Sort(_("Recently updated"), ("-updated_at", "-id")),
    },
    default_sort="-created",
    url_name="crm:lead_list",
    create_url_name="crm:lead_create",
    export_url_name="crm:lead_export",
    bulk_template="crm/partials/lead_bulk_actions.html",
    extra_context=lead_list_context,
    export_columns=[
        (_("Name"), lambda lead: lead.full_name),
        (_("Company"), lambda lead: lead.company_name),
        (_("Phone"), lambda lead: lead.phone),
        (_("Email"), lambda lead: lead.email),
        (_("Status"), lambda lead: lead.get_status_display()),
        (_("Score"), lambda lead: lead.score),
        (_("Owner"), lambda lead: lead.assigned_to.full_name if lead.assigned_to else ""),
        (_("Sector"), lambda lead: lead.sector),
        (_("City"), lambda lead: lead.city),
        (_("Source"), lambda lead: lead.get_source_display()),
        (_("Created"), lambda lead: lead.created_at.isoformat()),
    ],
)
