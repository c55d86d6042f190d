"""Duplicates: the finder, the side-by-side merge page, and undoing a merge."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.merge import MERGE_FIELDS, MERGEABLE, find_duplicates, merge_records, merge_undo
from dealix.accounts import roles
from dealix.core.models import AuditLog

DETAIL_URLS = {"lead": "crm:lead_detail", "contact": "crm:contact_detail", "company": "crm:company_detail"}


def _kind(request) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or "lead"
    if kind not in MERGEABLE:
        raise Http404
    return kind


def detail_url(kind: str, pk) -> str:
    try:
        return reverse(DETAIL_URLS[kind], args=[pk])
    except NoReverseMatch:
        return reverse("crm:duplicates") + f"?kind={kind}"


@roles.capability_required(roles.CRM_WORK)
def duplicates(request):
    kind = _kind(request)
    groups = find_duplicates(kind, request.user)
    return render(request, "crm/duplicates.html", {"kind": kind, "groups": groups,
                                                   "kinds": [("lead", _("Leads")), ("contact", _("Contacts")),
                                                             ("company", _("Companies"))]})


@roles.capability_required(roles.CRM_WORK)
def merge(request):
    kind = _kind(request)
    model = MERGEABLE[kind]
    ids = request.POST.getlist("ids") or request.GET.getlist("ids")
    records = list(model.objects.visible_to(request.user).filter(pk__in=ids).order_by("created_at"))
    if len(records) < 2 or len(records) != len(set(ids)):
        raise Http404
    fields = [model._meta.get_field(name) for name in MERGE_FIELDS[kind]]
    if request.method == "POST":
        survivor = next((record for record in records if str(record.pk) == request.POST.get("survivor")), None)
        if survivor is None:
            messages.error(request, _("Choose which record to keep."))
        else:
            chosen = {}
            for field in fields:
                source = next((r for r in records if str(r.pk) == request.POST.get(f"field_{field.name}")), survivor)
                chosen[field.name] = getattr(source, field.attname)
            try:
                merge_records(actor=request.user, kind=kind, survivor=survivor,
                              duplicates=[r for r in records if r.pk != survivor.pk], chosen=chosen)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, _("Merged. You can undo it from the kept record's page."))
                return redirect(detail_url(kind, survivor.pk))
    rows = []
    for field in fields:
        values = [(record, getattr(record, field.name)) for record in records]
        differs = len({str(getattr(record, field.attname)) for record in records}) > 1
        rows.append({"field": field, "values": values, "differs": differs})
    return render(request, "crm/merge.html", {"kind": kind, "records": records, "rows": rows})


@require_POST
@roles.capability_required(roles.CRM_WORK)
def undo(request, pk):
    entry = get_object_or_404(AuditLog, pk=pk, changes__has_key="merge")
    kind = entry.changes["merge"]["kind"]
    model = MERGEABLE[kind]
    get_object_or_404(model.objects.visible_to(request.user), pk=entry.entity_id)
    try:
        merge_undo(actor=request.user, entry=entry)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The merge was undone: the records are separate again."))
    return redirect(detail_url(kind, entry.entity_id))
