"""The lead import wizard: upload → map columns → preview with every row's errors → import."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from crm import imports
from crm.models.imports import DuplicateMode, ImportStatus, LeadImport
from dealix.accounts import roles

PREVIEW_ROWS = 50


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or Excel file"),
                           help_text=gettext_lazy("UTF-8 or Arabic Windows (1256) CSV, or .xlsx; up to 15 MB."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}))


@roles.capability_required(roles.CRM_WORK)
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead_import = imports.import_start(actor=request.user, uploaded=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("crm:lead_import", pk=lead_import.pk)
    recent = LeadImport.objects.filter(user=request.user)[:10]
    return render(request, "crm/import_upload.html", {"form": form, "recent": recent})


def _own_import(request, pk) -> LeadImport:
    return get_object_or_404(LeadImport, pk=pk, user=request.user)


@roles.capability_required(roles.CRM_WORK)
def import_detail(request, pk):
    """Map the columns (POST), then see the preview of every row's problems before importing."""
    lead_import = _own_import(request, pk)
    errors = []
    if request.method == "POST" and lead_import.status != ImportStatus.COMMITTED:
        mapping = {}
        for name in imports.IMPORT_FIELDS:
            value = request.POST.get(f"map_{name}", "")
            if value.isdigit():
                mapping[name] = int(value)
        mode = request.POST.get("duplicate_mode", DuplicateMode.SKIP)
        if mode not in DuplicateMode.values:
            mode = DuplicateMode.SKIP
        try:
            imports.import_set_mapping(actor=request.user, lead_import=lead_import, mapping=mapping,
                                       duplicate_mode=mode)
        except ValidationError as error:
            errors = error.messages
        else:
            return redirect("crm:lead_import", pk=lead_import.pk)
    result = None
    if lead_import.status == ImportStatus.PREVIEWED and not errors:
        try:
            result = imports.preview(lead_import)
        except ValidationError as error:
            errors = error.messages
    context = {
        "lead_import": lead_import,
        "fields": [(name, label) for name, (label, _names) in imports.IMPORT_FIELDS.items()],
        "columns": list(enumerate(lead_import.headers)),
        "duplicate_modes": DuplicateMode.choices,
        "errors": errors,
        "result": result,
        "preview_rows": result.rows[:PREVIEW_ROWS] if result else [],
        "error_rows": result.errors[:500] if result else [],
    }
    return render(request, "crm/import_detail.html", context)


@require_POST
@roles.capability_required(roles.CRM_WORK)
def import_commit(request, pk):
    lead_import = _own_import(request, pk)
    try:
        summary = imports.import_commit(actor=request.user, lead_import=lead_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("crm:lead_import", pk=lead_import.pk)
    messages.success(request, _("Imported: %(created)d new leads, %(merged)d merged, %(skipped)d duplicates skipped.")
                     % summary)
    return redirect("crm:lead_list")
