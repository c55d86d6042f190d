"""The CRM's record lists and pages beside leads: prospects, deals, contacts, companies, customers,
activities and calls. Every read starts from the user's visible queryset, so a record they may not
see is a 404; lists are declared in crm/lists.py and served by dealix.core.entity_list."""
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from crm import selectors, services
from crm.choices import DealStage
from crm.lists import ACTIVITIES, CALLS, COMPANIES, CONTACTS, CUSTOMERS, DEALS, PROSPECTS
from crm.models import Company, Contact, Customer, Deal, Prospect
from dealix.accounts import roles
from dealix.core.entity_list import EntityList, export_rows, render_entity_list
from dealix.core.exports import csv_response, xlsx_response

LIST_TEMPLATE = "crm/records/list.html"
EXPORT_FORMATS = ("csv", "xlsx")


def _export(request, entity_list: EntityList, fmt: str, *, entity_type: str, filename: str):
    """The current filter and sort of a list as CSV or XLSX, audited (who took which rows out)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    queryset, _filterset = export_rows(request, entity_list)
    services.record_export(actor=request.user, entity_type=entity_type, count=queryset.count(),
                           filters={key: value for key, value in request.GET.items()})
    if fmt == "xlsx":
        return xlsx_response(queryset, entity_list.export_columns, filename, right_to_left=get_language() == "ar")
    return csv_response(queryset, entity_list.export_columns, filename)


# --- lists and their exports -------------------------------------------------------------------------

@roles.capability_required(roles.CRM_VIEW)
def prospect_list(request):
    return render_entity_list(request, PROSPECTS, template=LIST_TEMPLATE)


@roles.capability_required(roles.CRM_EXPORT)
def prospect_export(request, fmt):
    return _export(request, PROSPECTS, fmt, entity_type="crm.prospect", filename="prospects")


@roles.capability_required(roles.CRM_VIEW)
def deal_list(request):
    return render_entity_list(request, DEALS, template=LIST_TEMPLATE)


@roles.capability_required(roles.CRM_EXPORT)
def deal_export(request, fmt):
    return _export(request, DEALS, fmt, entity_type="crm.deal", filename="deals")


@roles.capability_required(roles.CRM_VIEW)
def contact_list(request):
    return render_entity_list(request, CONTACTS, template=LIST_TEMPLATE)


@roles.capability_required(roles.CRM_EXPORT)
def contact_export(request, fmt):
    return _export(request, CONTACTS, fmt, entity_type="crm.contact", filename="contacts")


@roles.capability_required(roles.CRM_VIEW)
def company_list(request):
    return render_entity_list(request, COMPANIES, template=LIST_TEMPLATE)


@roles.capability_required(roles.CRM_EXPORT)
def company_export(request, fmt):
    return _export(request, COMPANIES, fmt, entity_type="crm.company", filename="companies")


@roles.capability_required(roles.CRM_VIEW)
def customer_list(request):
    return render_entity_list(request, CUSTOMERS, template=LIST_TEMPLATE)


@roles.capability_required(roles.CRM_EXPORT)
def customer_export(request, fmt):
    return _export(request, CUSTOMERS, fmt, entity_type="crm.customer", filename="customers")


@roles.capability_required(roles.CRM_VIEW)
def activity_list(request):
    return render_entity_list(request, ACTIVITIES, template=LIST_TEMPLATE)


@roles.capability_required(roles.CRM_EXPORT)
def activity_export(request, fmt):
    return _export(request, ACTIVITIES, fmt, entity_type="crm.activity", filename="activities")


@roles.capability_required(roles.CRM_VIEW)
def call_list(request):
    return render_entity_list(request, CALLS, template=LIST_TEMPLATE)


@roles.capability_required(roles.CRM_EXPORT)
def call_export(request, fmt):
    return _export(request, CALLS, fmt, entity_type="crm.call", filename="calls")


# --- record pages ------------------------------------------------------------------------------------

@roles.capability_required(roles.CRM_VIEW)
def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("company", "lead", "owner"),
                                pk=pk)
    return render(request, "crm/records/contact_detail.html", {
        "contact": contact, **selectors.contact_page(request.user, contact)})


@roles.capability_required(roles.CRM_VIEW)
def company_detail(request, pk):
    company = get_object_or_404(Company.objects.visible_to(request.user), pk=pk)
    return render(request, "crm/records/company_detail.html", {
        "company": company, **selectors.company_page(request.user, company)})


@roles.capability_required(roles.CRM_VIEW)
def customer_detail(request, pk):
    customer = get_object_or_404(Customer.objects.visible_to(request.user)
                                 .select_related("deal", "deal__assigned_to", "lead"), pk=pk)
    return render(request, "crm/records/customer_detail.html", {"customer": customer})


@roles.capability_required(roles.CRM_VIEW)
def prospect_detail(request, pk):
    prospect = get_object_or_404(Prospect.objects.visible_to(request.user)
                                 .select_related("company", "contact", "owner"), pk=pk)
    return render(request, "crm/records/prospect_detail.html", {"prospect": prospect})


@roles.capability_required(roles.CRM_VIEW)
def deal_detail(request, pk):
    """The deal with its activities, proposals and the customer it made (replaces crm.views.deal_detail)."""
    deal = get_object_or_404(Deal.objects.visible_to(request.user)
                             .select_related("assigned_to", "company", "contact", "lead"), pk=pk)
    return render(request, "crm/deal_detail.html", {
        "deal": deal, "can_work": roles.can(request.user, roles.CRM_WORK), "stages": DealStage.choices,
        "allowed": Deal.STATES.allowed_from(deal.stage),
        **selectors.deal_page(request.user, deal)})
