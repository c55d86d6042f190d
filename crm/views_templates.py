"""Message templates: the list, the editor with its live preview, and deactivating. Everyone who reads
the CRM reads templates; managers and up write them (roles.TEMPLATES_MANAGE)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import template_services, templating
from crm.forms_templates import PreviewForm, TemplateFilterForm, TemplateForm
from crm.models import Template
from dealix.accounts import roles
from dealix.accounts.choices import Language

PREVIEW = "crm/templates/partials/preview.html"


@roles.capability_required(roles.CRM_VIEW)
def template_list(request):
    filters = TemplateFilterForm(request.GET)
    templates = templating.template_list(user=request.user, **filters.filters())
    context = {"filters": filters, "templates": templates,
               "can_manage": roles.can(request.user, roles.TEMPLATES_MANAGE)}
    if request.htmx and not request.htmx.boosted:
        response = render(request, "crm/templates/partials/table.html", context)
    else:
        response = render(request, "crm/templates/template_list.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


def _editor(request, form: TemplateForm, template: Template | None, can_manage: bool):
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    values = {"type": form["type"].value(), "language": form["language"].value(),
              "subject": form["subject"].value() or "", "body": form["body"].value() or ""}
    preview_form = PreviewForm(values)
    return render(request, "crm/templates/template_form.html", {
        "form": form, "template": template, "can_manage": can_manage,
        "preview": templating.preview(**preview_form.values()), "variables": _variables(),
    })


def _variables() -> list[tuple[str, str]]:
    return [(name, label) for name, label in templating.VARIABLES.items()]


@roles.capability_required(roles.TEMPLATES_MANAGE)
def template_create(request):
    initial = {"language": Language.ARABIC if get_language() == Language.ARABIC else Language.ENGLISH,
               "type": request.GET.get("type") or "whatsapp", "is_active": True}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = template_services.template_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Template “%(name)s” created.") % {"name": template.name})
            return redirect("crm:template_edit", pk=template.pk)
    return _editor(request, form, None, can_manage=True)


@roles.capability_required(roles.CRM_VIEW)
def template_edit(request, pk):
    """The editor for managers; the same page read-only, with its preview, for everyone else."""
    template = get_object_or_404(Template.objects.visible_to(request.user), pk=pk)
    can_manage = roles.can(request.user, roles.TEMPLATES_MANAGE)
    if request.method == "POST":
        roles.require(request.user, roles.TEMPLATES_MANAGE)
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        was_approved = template.approved
        try:
            template = template_services.template_update(actor=request.user, template=template,
                                                         data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Template saved."))
            if was_approved and form.cleaned_data.get("approved") and not template.approved:
                messages.warning(request, _("The text changed, so the WhatsApp approval was cleared. Submit the new "
                                            "text to WhatsApp and tick “approved” once it is accepted."))
            return redirect("crm:template_edit", pk=template.pk)
    # A failed save must show what the user typed, not what the unchanged row holds.
    return _editor(request, form, template, can_manage=can_manage)


@require_POST
@roles.capability_required(roles.TEMPLATES_MANAGE)
def template_set_active(request, pk):
    template = get_object_or_404(Template.objects.visible_to(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    template_services.template_set_active(actor=request.user, template=template, active=active)
    if active:
        messages.success(request, _("Template “%(name)s” is active again.") % {"name": template.name})
    else:
        messages.success(request, _("Template “%(name)s” deactivated: automations and the message composer no "
                                    "longer offer it.") % {"name": template.name})
    return redirect("crm:template_edit", pk=template.pk)


@require_POST
@roles.capability_required(roles.CRM_VIEW)
def template_preview(request):
    """The live preview fragment the editor includes, refreshed as the user types. Reads only."""
    form = PreviewForm(request.POST)
    return render(request, PREVIEW, {"preview": templating.preview(**form.values())})
