"""Thin views of the CRM: parse the request, call one service or selector, render."""
from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext as _, ngettext
from django.views.decorators.http import require_POST

from crm import services
from crm import selectors
from crm.merge import merges_of
from dealix.core import properties
from crm.choices import ActivityType, DealStage, LeadStatus, MessageStatus
from crm.forms import BulkLeadForm, ConvertForm, DealMoveForm, LeadForm, NoteForm, StatusForm, TaskForm
from crm.lists import LEADS
from crm.views_records import export_view
from crm.views_conversations import conversation_context
from crm.models import Activity, Deal, Lead
from crm.filtersets import assignee_choices, team_members
from dealix.accounts import roles
from dealix.core.entity_list import render_entity_list
from dealix.core.http import safe_next
from dealix.core.exports import csv_response
from dealix.tenancy.rules import current_rules

SCORE_LABELS = {"company_size": gettext_lazy("Company size"), "industry_fit": gettext_lazy("Industry fit"),
                "engagement": gettext_lazy("Engagement"), "budget": gettext_lazy("Budget signals"),
                "timing": gettext_lazy("Timing")}


@roles.capability_required(roles.CRM_VIEW)
def index(request):
    return redirect("crm:lead_list")


@roles.capability_required(roles.CRM_VIEW)
def lead_list(request):
    return render_entity_list(request, LEADS, template="crm/lead_list.html")


lead_export = export_view(LEADS)


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


def _visible_lead(request, pk) -> Lead:
    return get_object_or_404(Lead.objects.visible_to(request.user).select_related("assigned_to"), pk=pk)


def _lead_context(request, lead: Lead, **extra) -> dict:
    rules = current_rules()
    allowed = [target for target in Lead.STATES.allowed_from(lead.status) if target != LeadStatus.CONVERTED]
    return {
        "lead": lead,
        "band": rules.band(lead.score),
        "score_rows": score_rows(lead),
        "timeline": selectors.lead_timeline(lead),
        "tasks": selectors.open_tasks_for(lead),
        "status_choices": [(value, label) for value, label in LeadStatus.choices if value in allowed],
        "can_work": roles.can(request.user, roles.CRM_WORK),
        "can_reassign": roles.can(request.user, roles.CRM_REASSIGN),
        "assignee_choices": assignee_choices(request) if roles.can(request.user, roles.CRM_REASSIGN) else [],
        "note_form": NoteForm(), "task_form": TaskForm(), "convert_form": ConvertForm(), "now": timezone.now(),
        "merges": merges_of(lead),
        "custom_fields": custom_fields_of("lead", lead),
        **conversation_context(request, lead=lead),
        **extra,
    }


@roles.capability_required(roles.CRM_VIEW)
def lead_detail(request, pk):
    lead = _visible_lead(request, pk)
    return render(request, "crm/lead_detail.html", _lead_context(request, lead))


@roles.capability_required(roles.CRM_WORK)
def lead_edit(request, pk):
    """Inline edit of the details card (htmx), or a full page without JavaScript."""
    lead = _visible_lead(request, pk)
    form = LeadForm(request.POST or None, instance=lead)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_update(actor=request.user, lead=lead, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Lead saved."))
            if request.htmx:
                response = HttpResponse()
                response["HX-Redirect"] = reverse("crm:lead_detail", args=[lead.pk])
                return response
            return redirect("crm:lead_detail", pk=lead.pk)
    template = "crm/partials/lead_edit_form.html" if request.htmx else "crm/lead_form.html"
    return render(request, template, {"form": form, "lead": lead})


@require_POST
@roles.capability_required(roles.CRM_WORK)
def lead_status(request, pk):
    lead = _visible_lead(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.lead_change_status(actor=request.user, lead=lead, status=form.cleaned_data["status"],
                                        lost_reason=form.cleaned_data["lost_reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Status changed."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("crm:lead_detail", pk=lead.pk)


@require_POST
@roles.capability_required(roles.CRM_WORK)
def lead_convert(request, pk):
    lead = _visible_lead(request, pk)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("crm:lead_detail", pk=lead.pk)
    try:
        deal = services.lead_convert(actor=request.user, lead=lead, deal_title=form.cleaned_data["deal_title"],
                                     deal_value=form.cleaned_data["deal_value"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("crm:lead_detail", pk=lead.pk)
    messages.success(request, _("Converted: the deal “%(title)s” is in the pipeline.") % {"title": deal.title})
    return redirect("crm:pipeline")


@require_POST
@roles.capability_required(roles.CRM_REASSIGN)
def lead_reassign(request, pk):
    lead = _visible_lead(request, pk)
    assignee = team_members(request).filter(pk=request.POST.get("assignee") or None).first()
    if assignee is None:
        messages.error(request, _("Choose someone to assign the lead to."))
    else:
        try:
            services.lead_assign(actor=request.user, lead=lead, assignee=assignee)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.full_name})
    return redirect("crm:lead_detail", pk=lead.pk)


@require_POST
@roles.capability_required(roles.CRM_WORK)
def lead_add_note(request, pk):
    lead = _visible_lead(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        body = form.cleaned_data["body"].strip()
        services.activity_create(actor=request.user, lead=lead, data={
            "type": ActivityType.NOTE, "subject": body.splitlines()[0][:120], "body": body,
            "completed_at": timezone.now()})
        form = NoteForm()
    if request.htmx:
        return render(request, "crm/partials/lead_timeline.html", _lead_context(request, lead, note_form=form))
    return redirect("crm:lead_detail", pk=lead.pk)


@require_POST
@roles.capability_required(roles.CRM_WORK)
def lead_add_task(request, pk):
    lead = _visible_lead(request, pk)
    form = TaskForm(request.POST)
    if form.is_valid():
        services.activity_create(actor=request.user, lead=lead, data={
            "type": ActivityType.TASK, "subject": form.cleaned_data["subject"],
            "scheduled_at": form.cleaned_data["scheduled_at"]})
        form = TaskForm()
    if request.htmx:
        return render(request, "crm/partials/lead_tasks.html", _lead_context(request, lead, task_form=form))
    return redirect("crm:lead_detail", pk=lead.pk)


@require_POST
@roles.capability_required(roles.CRM_WORK)
def task_done(request, pk):
    task = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk, type=ActivityType.TASK)
    services.task_complete(actor=request.user, task=task, done=request.POST.get("done", "1") == "1")
    if request.htmx:
        return HttpResponse("")  # the task's row is removed from the list it was in
    return redirect(safe_next(request, "home"))


def score_rows(lead: Lead) -> list[tuple[str, int, int]]:
    rules = current_rules()
    maxima = {"company_size": rules.size_max, "industry_fit": rules.industry_max,
              "engagement": rules.engagement_max, "budget": rules.budget_max, "timing": rules.timing_max}
    return [(SCORE_LABELS[key], lead.score_breakdown.get(key, 0), maximum) for key, maximum in maxima.items()]


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
    if action == "send":
        return _bulk_send(request, leads, form.cleaned_data["template"])
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
        more = len(refused) - 10
        messages.error(request, ngettext("…and %(count)d more was refused.", "…and %(count)d more were refused.",
                                         more) % {"count": more})
    return redirect(safe_next(request, "crm:lead_list"))


@roles.capability_required(roles.CRM_WORK)
def bulk_template_options(request):
    """The templates a bulk send may use, as the <option>s of the bulk bar's select."""
    from crm.models import Template
    templates = (Template.objects.filter(is_active=True, type__in=("whatsapp", "email", "sms"))
                 .order_by("type", "language", "name"))
    return render(request, "crm/partials/bulk_template_options.html", {"templates": templates})


def _bulk_send(request, leads, template_id):
    """One template to every selected lead, each through the message service, so consent, windows and
    limits apply lead by lead; the agent reads how many went, wait and were refused, and why."""
    from crm.messaging import TEMPLATE_TYPE_FOR_CHANNEL, message_send
    from crm.models import Template

    channel_for_type = {template_type: channel for channel, template_type in TEMPLATE_TYPE_FOR_CHANNEL.items()}
    template = Template.objects.filter(pk=template_id, is_active=True, type__in=channel_for_type).first()
    if template is None:
        messages.error(request, _("Choose a WhatsApp, email or SMS template to send."))
        return redirect(safe_next(request, "crm:lead_list"))
    going, waiting, refused, problems = 0, 0, Counter(), []
    for lead in leads:
        try:
            with transaction.atomic():
                message = message_send(actor=request.user, channel=channel_for_type[template.type], lead=lead,
                                       template=template)
        except ValidationError as error:
            problems.append(f"{lead.full_name}: {' '.join(error.messages)}")
            continue
        if message.status == MessageStatus.FAILED:
            refused[message.get_reason_code_display()] += 1
        elif message.scheduled_for:
            waiting += 1
        else:
            going += 1
    if going:
        messages.success(request, ngettext("%(count)d message is on its way.", "%(count)d messages are on their way.",
                                           going) % {"count": going})
    if waiting:
        messages.warning(request, ngettext("%(count)d message waits for its sending window.",
                                           "%(count)d messages wait for their sending window.", waiting)
                         % {"count": waiting})
    for reason, count in refused.most_common():
        messages.error(request, _("Not sent (%(count)d): %(reason)s") % {"count": count, "reason": reason})
    for problem in problems[:10]:
        messages.error(request, problem)
    return redirect(safe_next(request, "crm:lead_list"))


# --- pipeline board -------------------------------------------------------------------------------

def _board_context(request):
    owner = None
    owner_id = request.GET.get("owner") or request.POST.get("owner")
    if owner_id:
        owner = team_members(request).filter(pk=owner_id).first() if _is_uuid(owner_id) else None
    columns = selectors.pipeline_board(request.user, owner=owner,
                                       closed_since=timezone.now() - timezone.timedelta(days=30))
    return {"columns": columns, "member_choices": assignee_choices(request), "owner": owner,
            "can_work": roles.can(request.user, roles.CRM_WORK), "stages": DealStage.choices}


def _is_uuid(value) -> bool:
    import uuid
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@roles.capability_required(roles.CRM_VIEW)
def pipeline(request):
    context = _board_context(request)
    if request.htmx and not request.htmx.boosted:
        response = render(request, "crm/partials/pipeline_board.html", context)
    else:
        response = render(request, "crm/pipeline.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


@require_POST
@roles.capability_required(roles.CRM_WORK)
def deal_move(request, pk):
    """Drop a card on another column (htmx), or pick a stage from the card's menu (no mouse needed)."""
    deal = get_object_or_404(Deal.objects.visible_to(request.user), pk=pk)
    form = DealMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage."))
    else:
        try:
            services.deal_move(actor=request.user, deal=deal, stage=form.cleaned_data["stage"],
                               lost_reason=form.cleaned_data["lost_reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("“%(title)s” moved to %(stage)s.") % {
                "title": deal.title, "stage": dict(DealStage.choices)[form.cleaned_data["stage"]]})
    if request.htmx:
        # Answered 200 even when refused: htmx swaps only 2xx, and the re-rendered board carries the message.
        return render(request, "crm/partials/pipeline_board.html", _board_context(request))
    return redirect(safe_next(request, "crm:pipeline"))


@roles.capability_required(roles.CRM_VIEW)
def search(request):
    """The header's search: a dropdown of results for htmx, a page of results otherwise."""
    from crm.search import global_search
    query = (request.GET.get("q") or "").strip()[:200]
    groups = global_search(request.user, query, per_kind=5 if request.htmx else 20)
    template = "crm/partials/search_results.html" if request.htmx and not request.htmx.boosted else "crm/search.html"
    response = render(request, template, {"query": query, "groups": groups})
    response.headers["Vary"] = "HX-Request"
    return response


def custom_fields_of(entity_type: str, record) -> list[tuple]:
    """(definition, label, value) for each custom field of the record's type."""
    definitions = list(properties.definitions_for(entity_type))
    if not definitions:  # most tenants define none: no need to read the record's values
        return []
    values = properties.values_for(entity_type, record.pk)
    return [(definition, definition.display_label(get_language()), values.get(definition.key, ""))
            for definition in definitions]


@require_POST
@roles.capability_required(roles.CRM_WORK)
def lead_properties(request, pk):
    lead = _visible_lead(request, pk)
    raw = {key[len("prop_"):]: value for key, value in request.POST.items() if key.startswith("prop_")}
    try:
        properties.properties_save(actor=request.user, entity_type="lead", entity_id=lead.pk, raw_values=raw)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Custom fields saved."))
    return redirect("crm:lead_detail", pk=lead.pk)
