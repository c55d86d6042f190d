"""The CRM's list pages, declared once: what they show, filter, sort and export."""
import datetime

from django.db.models import Case, DateField, DateTimeField, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from crm.choices import LeadStatus, Priority
from crm.filtersets import (ActivityFilterSet, CallFilterSet, CompanyFilterSet, ContactFilterSet, CustomerFilterSet,
                            DealFilterSet, LeadFilterSet, MessageFilterSet, ProspectFilterSet, assignee_choices)
from crm.models import Activity, Call, Company, Contact, Customer, Deal, Lead, Message, Prospect
from crm.tables import (ActivityTable, CallTable, CompanyTable, ContactTable, CustomerTable, DealTable, LeadTable,
                        MessageTable, ProspectTable)
from dealix.accounts import roles
from dealix.core.entity_list import NEWEST_FIRST, OLDEST_FIRST, RECENTLY_UPDATED, EntityList, Sort


def lead_list_context(request):
    can_reassign = roles.can(request.user, roles.CRM_REASSIGN)
    return {
        "can_work": roles.can(request.user, roles.CRM_WORK),
        "can_reassign": can_reassign,
        "assignee_choices": assignee_choices(request) if can_reassign else [],
        "bulk_statuses": [choice for choice in LeadStatus.choices if choice[0] != LeadStatus.CONVERTED],
    }

LEADS = EntityList(
    key="leads",
    title=_("Leads"),
    queryset=lambda user: Lead.objects.visible_to(user).select_related("assigned_to"),
    filterset_class=LeadFilterSet,
    table_class=LeadTable,
    sorts={
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "-score": Sort(_("Highest score"), ("-score", "-created_at", "-id")),
        "name": Sort(_("Name A–Z"), ("full_name", "id")),
        "-updated": RECENTLY_UPDATED,
    },
    default_sort="-created",
    url_name="crm:lead_list",
    create_url_name="crm:lead_create",
    export_url_name="crm:lead_export",
    bulk_template="crm/partials/lead_bulk_actions.html",
    extra_context=lead_list_context,
    page_fields=("id", "full_name", "company_name", "phone", "email", "status", "score", "sector", "city", "source",
                 "created_at", "updated_at", "assigned_to_id", "assigned_to__id", "assigned_to__full_name"),
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


# --- prospects, deals, contacts, companies, customers, activities, calls ------------------------------

def _when(value) -> str:
    return value.isoformat() if value else ""


def _name(user) -> str:
    return user.full_name if user else ""


def _search_hint(text):
    """The search box's placeholder says what a list's search looks in."""
    return lambda request: {"search_placeholder": text}


# Sorting by a nullable column would lose its NULL rows between keyset pages; sort by a stand-in
# that puts "no date" after every real date instead.
NO_DATE = datetime.date(9000, 1, 1)
NO_TIME = datetime.datetime(9000, 1, 1, tzinfo=datetime.timezone.utc)
PRIORITY_RANK = Case(*(When(priority=value, then=Value(rank)) for rank, value in enumerate(Priority.values)),
                     default=Value(0), output_field=IntegerField())

PROSPECTS = EntityList(
    key="prospects",
    title=_("Prospects"),
    queryset=lambda user: (Prospect.objects.visible_to(user).select_related("company", "contact", "owner")
                           .annotate(priority_rank=PRIORITY_RANK)),
    filterset_class=ProspectFilterSet,
    table_class=ProspectTable,
    sorts={
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "-priority": Sort(_("Highest priority"), ("-priority_rank", "-created_at", "-id")),
        "-value": Sort(_("Highest value"), ("-estimated_value", "-created_at", "-id")),
        "-updated": RECENTLY_UPDATED,
    },
    default_sort="-created",
    url_name="crm:prospect_list",
    export_url_name="crm:prospect_export",
    extra_context=_search_hint(_("Search by company or contact")),
    export_columns=[
        (_("Company"), lambda prospect: prospect.company.name if prospect.company else ""),
        (_("Contact"), lambda prospect: prospect.contact.full_name if prospect.contact else ""),
        (_("Status"), lambda prospect: prospect.get_status_display()),
        (_("Priority"), lambda prospect: prospect.get_priority_display()),
        (_("Sector"), lambda prospect: prospect.sector),
        (_("Estimated value"), lambda prospect: prospect.estimated_value),
        (_("Owner"), lambda prospect: _name(prospect.owner)),
        (_("Source"), lambda prospect: prospect.source),
        (_("Created"), lambda prospect: _when(prospect.created_at)),
    ],
)

DEALS = EntityList(
    key="deals",
    title=_("Deals"),
    queryset=lambda user: (Deal.objects.visible_to(user).select_related("company", "contact", "assigned_to")
                           .annotate(close_on=Coalesce("expected_close", Value(NO_DATE), output_field=DateField()))),
    filterset_class=DealFilterSet,
    table_class=DealTable,
    sorts={
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "-value": Sort(_("Highest value"), ("-value", "-created_at", "-id")),
        "close": Sort(_("Closing soonest"), ("close_on", "id")),
        "title": Sort(_("Title A–Z"), ("title", "id")),
        "-updated": RECENTLY_UPDATED,
    },
    default_sort="-created",
    url_name="crm:deal_list",
    export_url_name="crm:deal_export",
    extra_context=_search_hint(_("Search by deal title")),
    export_columns=[
        (_("Title"), lambda deal: deal.title),
        (_("Company"), lambda deal: deal.company.name if deal.company else ""),
        (_("Contact"), lambda deal: deal.contact.full_name if deal.contact else ""),
        (_("Stage"), lambda deal: deal.get_stage_display()),
        (_("Value"), lambda deal: deal.value),
        (_("Currency"), lambda deal: deal.currency),
        (_("Probability"), lambda deal: deal.probability),
        (_("Owner"), lambda deal: _name(deal.assigned_to)),
        (_("Expected close"), lambda deal: _when(deal.expected_close)),
        (_("Closed"), lambda deal: _when(deal.closed_at)),
        (_("Created"), lambda deal: _when(deal.created_at)),
    ],
)

CONTACTS = EntityList(
    key="contacts",
    title=_("Contacts"),
    queryset=lambda user: Contact.objects.visible_to(user).select_related("company", "owner"),
    filterset_class=ContactFilterSet,
    table_class=ContactTable,
    sorts={
        "name": Sort(_("Name A–Z"), ("full_name", "id")),
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "-updated": RECENTLY_UPDATED,
    },
    default_sort="name",
    url_name="crm:contact_list",
    export_url_name="crm:contact_export",
    extra_context=_search_hint(_("Search by name, phone, email or job title")),
    export_columns=[
        (_("Name"), lambda contact: contact.full_name),
        (_("Company"), lambda contact: contact.company.name if contact.company else ""),
        (_("Job title"), lambda contact: contact.job_title),
        (_("Phone"), lambda contact: contact.phone),
        (_("WhatsApp"), lambda contact: contact.whatsapp),
        (_("Email"), lambda contact: contact.email),
        (_("Consent"), lambda contact: contact.get_consent_status_display()),
        (_("Language"), lambda contact: contact.get_language_display()),
        (_("Owner"), lambda contact: _name(contact.owner)),
        (_("Created"), lambda contact: _when(contact.created_at)),
    ],
)

COMPANIES = EntityList(
    key="companies",
    title=_("Companies"),
    queryset=lambda user: Company.objects.visible_to(user),
    filterset_class=CompanyFilterSet,
    table_class=CompanyTable,
    sorts={
        "name": Sort(_("Name A–Z"), ("name", "id")),
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "-updated": RECENTLY_UPDATED,
    },
    default_sort="name",
    url_name="crm:company_list",
    export_url_name="crm:company_export",
    extra_context=_search_hint(_("Search by name, commercial registration or website")),
    export_columns=[
        (_("Name"), lambda company: company.name),
        (_("Arabic name"), lambda company: company.name_ar),
        (_("Sector"), lambda company: company.sector),
        (_("Size"), lambda company: company.get_size_display()),
        (_("City"), lambda company: company.city),
        (_("Region"), lambda company: company.region),
        (_("Commercial registration"), lambda company: company.cr_number),
        (_("Website"), lambda company: company.website),
        (_("Active"), lambda company: str(_("Yes") if company.is_active else _("No"))),
        (_("Created"), lambda company: _when(company.created_at)),
    ],
)

CUSTOMERS = EntityList(
    key="customers",
    title=_("Customers"),
    queryset=lambda user: Customer.objects.visible_to(user).select_related("deal", "deal__assigned_to"),
    filterset_class=CustomerFilterSet,
    table_class=CustomerTable,
    sorts={
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "-value": Sort(_("Highest lifetime value"), ("-lifetime_value", "-created_at", "-id")),
        "name": Sort(_("Name A–Z"), ("full_name", "id")),
        "-updated": RECENTLY_UPDATED,
    },
    default_sort="-created",
    url_name="crm:customer_list",
    export_url_name="crm:customer_export",
    extra_context=_search_hint(_("Search by name, phone, email or company")),
    export_columns=[
        (_("Name"), lambda customer: customer.full_name),
        (_("Company"), lambda customer: customer.company_name),
        (_("Phone"), lambda customer: customer.phone),
        (_("Email"), lambda customer: customer.email),
        (_("Lifetime value"), lambda customer: customer.lifetime_value),
        (_("Deal"), lambda customer: customer.deal.title if customer.deal else ""),
        (_("Owner"), lambda customer: _name(customer.deal.assigned_to) if customer.deal else ""),
        (_("Activated"), lambda customer: _when(customer.activated_at)),
        (_("Created"), lambda customer: _when(customer.created_at)),
    ],
)

ACTIVITIES = EntityList(
    key="activities",
    title=_("Activities"),
    queryset=lambda user: (Activity.objects.visible_to(user).select_related("user", "lead", "deal")
                           .annotate(due_on=Coalesce("scheduled_at", Value(NO_TIME),
                                                     output_field=DateTimeField()))),
    filterset_class=ActivityFilterSet,
    table_class=ActivityTable,
    sorts={
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "due": Sort(_("Due soonest"), ("due_on", "id")),
        "-updated": RECENTLY_UPDATED,
    },
    default_sort="-created",
    url_name="crm:activity_list",
    export_url_name="crm:activity_export",
    extra_context=_search_hint(_("Search by subject")),
    export_columns=[
        (_("Subject"), lambda activity: activity.subject),
        (_("Type"), lambda activity: activity.get_type_display()),
        (_("Lead"), lambda activity: activity.lead.full_name if activity.lead else ""),
        (_("Deal"), lambda activity: activity.deal.title if activity.deal else ""),
        (_("Owner"), lambda activity: _name(activity.user)),
        (_("Due"), lambda activity: _when(activity.scheduled_at)),
        (_("Done"), lambda activity: _when(activity.completed_at)),
        (_("Created"), lambda activity: _when(activity.created_at)),
    ],
)

CALLS = EntityList(
    key="calls",
    title=_("Calls"),
    queryset=lambda user: Call.objects.visible_to(user).select_related("user", "lead", "contact"),
    filterset_class=CallFilterSet,
    table_class=CallTable,
    sorts={
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
        "-duration": Sort(_("Longest first"), ("-duration_seconds", "-created_at", "-id")),
    },
    default_sort="-created",
    url_name="crm:call_list",
    export_url_name="crm:call_export",
    extra_context=_search_hint(_("Search by the lead’s or contact’s name or phone")),
    export_columns=[
        (_("When"), lambda call: _when(call.created_at)),
        (_("Lead"), lambda call: call.lead.full_name if call.lead else ""),
        (_("Contact"), lambda call: call.contact.full_name if call.contact else ""),
        (_("Direction"), lambda call: call.get_direction_display()),
        (_("Status"), lambda call: call.get_status_display()),
        (_("Duration (seconds)"), lambda call: call.duration_seconds),
        (_("Agent"), lambda call: _name(call.user)),
        (_("Sentiment"), lambda call: call.get_sentiment_display()),
        (_("Outcome"), lambda call: call.outcome),
    ],
)

MESSAGES = EntityList(
    key="messages",
    title=_("Messages"),
    queryset=lambda user: Message.objects.visible_to(user).select_related("lead", "contact"),
    filterset_class=MessageFilterSet,
    table_class=MessageTable,
    sorts={
        "-created": NEWEST_FIRST,
        "created": OLDEST_FIRST,
    },
    default_sort="-created",
    url_name="crm:message_list",
    export_url_name="crm:message_export",
    extra_context=_search_hint(_("Search by the lead’s or contact’s name or phone")),
    export_columns=[
        (_("When"), lambda message: _when(message.created_at)),
        (_("Lead"), lambda message: message.lead.full_name if message.lead else ""),
        (_("Contact"), lambda message: message.contact.full_name if message.contact else ""),
        (_("Channel"), lambda message: message.get_channel_display()),
        (_("Direction"), lambda message: message.get_direction_display()),
        (_("Status"), lambda message: message.get_status_display()),
        (_("Reason"), lambda message: message.get_reason_code_display()),
        (_("To"), lambda message: message.to_address),
        (_("Subject"), lambda message: message.subject),
        (_("Message"), lambda message: message.content),
    ],
)
