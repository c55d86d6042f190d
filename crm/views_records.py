"""The CRM's record lists and pages beside leads: prospects, deals, contacts, companies, customers,
activities and calls. Every read starts from the user's visible queryset, so a record they may not
see is a 404; lists are declared in crm/lists.py and served by dealix.core.entity_list."""
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from crm import selectors, services
from crm.choices import DealStage
from crm.lists import ACTIVITIES, CALLS, COMPANIES, CONTACTS, CUSTOMERS, DEALS, MESSAGES, PROSPECTS
from crm.models import Company, Contact, Customer, Deal, Prospect
from crm.views_conversations import conversation_context
from dealix.accounts import roles
from dealix.core.entity_list import EntityList, export_rows, render_entity_list
from dealix.core.exports import csv_response, xlsx_response

LIST_TEMPLATE = "crm/records/list.html"
EXPORT_FORMATS = ("csv", "xlsx")


def _export(request, entity_list: EntityList, fmt: str):
    """The current filter and sort of a list as CSV or XLSX, audited (who took which rows out)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    queryset, _filterset = export_rows(request, entity_list)
    services.record_export(actor=request.user, entity_type=queryset.model._meta.label_lower,
                           count=queryset.count(), filters={key: value for key, value in request.GET.items()})
    if fmt == "xlsx":
        return xlsx_response(queryset, entity_list.export_columns, entity_list.key,
                             right_to_left=get_language() == "ar")
    return csv_response(queryset, entity_list.export_columns, entity_list.key)


def list_view(entity_list: EntityList):
    @roles.capability_required(roles.CRM_VIEW)
    def view(request):
        return render_entity_list(request, entity_list, template=LIST_TEMPLATE)
    view.__name__ = f"{entity_list.key}_list"
    return view


def export_view(entity_list: EntityList):
    @roles.capability_required(roles.CRM_EXPORT)
    def view(request, fmt):
        return _export(request, entity_list, fmt)
    view.__name__ = f"{entity_list.key}_export"
    return view


# --- lists and their exports -------------------------------------------------------------------------

prospect_list, prospect_export = list_view(PROSPECTS), export_view(PROSPECTS)
deal_list, deal_export = list_view(DEALS), export_view(DEALS)
contact_list, contact_export = list_view(CONTACTS), export_view(CONTACTS)
company_list, company_export = list_view(COMPANIES), export_view(COMPANIES)
customer_list, customer_export = list_view(CUSTOMERS), export_view(CUSTOMERS)
activity_list, activity_export = list_view(ACTIVITIES), export_view(ACTIVITIES)
call_list, call_export = list_view(CALLS), export_view(CALLS)
message_list, message_export = list_view(MESSAGES), export_view(MESSAGES)


# --- record pages ------------------------------------------------------------------------------------

@roles.capability_required(roles.CRM_VIEW)
def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("company", "lead", "owner"),
                                pk=pk)
    return render(request, "crm/records/contact_detail.html", {
        "contact": contact, **selectors.contact_page(request.user, contact),
        **conversation_context(request, contact=contact)})


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
