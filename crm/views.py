"""Thin views of the CRM: parse the request, call one service or selector, render."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext as _, ngettext
from django.views.decorators.http import require_POST

from crm import services
from crm.forms import BulkLeadForm, LeadForm
from crm.lists import LEADS
from crm.models import Lead
from crm.filtersets import team_members
from dealix.accounts import roles
from dealix.accounts.models import User
from dealix.core.entity_list import export_rows, render_entity_list
from dealix.core.http import safe_next
from dealix.core.exports import csv_response, xlsx_response


@roles.capability_required(roles.CRM_VIEW)
def index(request):
    return redirect("crm:lead_list")


@roles.capability_required(roles.CRM_VIEW)
def lead_list(request):
    return render_entity_list(request, LEADS, template="crm/lead_list.html")


@roles.capability_required(roles.CRM_EXPORT)
def lead_export(request, fmt):
    queryset, filterset = export_rows(request, LEADS)
    services.record_export(actor=request.user, entity_type="crm.lead", count=queryset.count(),
                           filters={key: value for key, value in request.GET.items()})
    if fmt == "xlsx":
        return xlsx_response(queryset, LEADS.export_columns, "leads", right_to_left=get_language() == "ar")
    return csv_response(queryset, LEADS.export_columns, "leads")


@roles.capability_required(roles.CRM_WORK)
def lead_create(request):
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Lead “%(name)s” created.") % {"name": lead.full_name})
            return redirect("crm:lead_detail", pk=lead.pk)
    return render(request, "crm/lead_form.html", {"form": form})


@roles.capability_required(roles.CRM_VIEW)
def lead_detail(request, pk):
    lead = get_object_or_404(Lead.objects.visible_to(request.user).select_related("assigned_to"), pk=pk)
    return render(request, "crm/lead_detail.html", {"lead": lead})


@require_POST
@roles.capability_required(roles.CRM_WORK)
def lead_bulk(request):
    form = BulkLeadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the leads and what to do with them."))
        return redirect(safe_next(request, "crm:lead_list"))
    if form.cleaned_data["action"] == "assign" and not roles.can(request.user, roles.CRM_REASSIGN):
        messages.error(request, _("Only managers can reassign leads."))
        return redirect(safe_next(request, "crm:lead_list"))
    leads = list(Lead.objects.visible_to(request.user).filter(pk__in=form.cleaned_data["selected"]))
    action = form.cleaned_data["action"]
    if action == "export":
        queryset = Lead.objects.visible_to(request.user).filter(pk__in=[lead.pk for lead in leads])
        services.record_export(actor=request.user, entity_type="crm.lead", count=len(leads),
                               filters={"selected": len(leads)})
        return csv_response(queryset.select_related("assigned_to"), LEADS.export_columns, "leads")
    done, refused = 0, []
    for lead in leads:
        try:
            if action == "assign":
                assignee = team_members(request).filter(pk=form.cleaned_data["assignee"]).first()
                if assignee is None:
                    raise ValidationError(_("Choose someone to assign the leads to."))
                services.lead_assign(actor=request.user, lead=lead, assignee=assignee)
            elif action == "status":
                services.lead_change_status(actor=request.user, lead=lead, status=form.cleaned_data["status"],
                                            lost_reason=form.cleaned_data["lost_reason"])
            done += 1
        except ValidationError as error:
            refused.append(f"{lead.full_name}: {' '.join(error.messages)}")
    if done:
        messages.success(request, ngettext("%(count)d lead updated.", "%(count)d leads updated.", done) % {"count": done})
    for reason in refused[:10]:
        messages.error(request, reason)
    if len(refused) > 10:
        messages.error(request, _("…and %(count)d more were refused.") % {"count": len(refused) - 10})
    return redirect(safe_next(request, "crm:lead_list"))
