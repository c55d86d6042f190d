from django import forms
from django.utils.translation import gettext_lazy as _

from crm.choices import TemplateType
from crm.models import Template
from dealix.accounts.choices import Language


def _style(form: forms.Form) -> None:
    """Bootstrap's classes on every control."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class TemplateForm(forms.ModelForm):
    """The editor's fields. The text itself is checked by the service (crm.template_services), whose
    field-keyed errors the view puts back on these fields."""

    class Meta:
        model = Template
        fields = ["name", "type", "language", "subject", "body", "is_active", "approved", "provider_name"]
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto"}),
            "subject": forms.TextInput(attrs={"dir": "auto", "data-variable-target": ""}),
            "body": forms.Textarea(attrs={"rows": 12, "dir": "auto", "data-variable-target": ""}),
            "provider_name": forms.TextInput(attrs={"dir": "ltr", "placeholder": "dealix_welcome"}),
        }
        help_texts = {
            "subject": _("Email only."),
            "body": _("Write variables in braces, such as {contact_name}; they are filled in when the message is "
                      "sent."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class TemplateFilterForm(forms.Form):
    ACTIVE, INACTIVE, ALL = "active", "inactive", "all"
    STATUSES = [(ACTIVE, _("Active")), (INACTIVE, _("Inactive")), (ALL, _("All"))]

    type = forms.ChoiceField(label=_("Type"), choices=[("", _("All types"))] + list(TemplateType.choices),
                             required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("All languages"))] + list(Language.choices),
                                 required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def filters(self) -> dict:
        """Keyword arguments for `crm.templating.template_list`; anything invalid counts as not chosen."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or self.ACTIVE
        return {"type": data.get("type", ""), "language": data.get("language", ""),
                "active": {self.ACTIVE: True, self.INACTIVE: False, self.ALL: None}[status]}


class PreviewForm(forms.Form):
    """What the live preview reads from the editor as the user types; nothing is saved."""
    type = forms.ChoiceField(choices=TemplateType.choices, required=False)
    language = forms.ChoiceField(choices=Language.choices, required=False)
    subject = forms.CharField(required=False, strip=False, max_length=255)
    body = forms.CharField(required=False, strip=False, max_length=20000)

    def values(self) -> dict:
        """The typed values; a field that does not validate falls back to its default alone."""
        self.is_valid()
        data = self.cleaned_data
        return {"type": data.get("type") or TemplateType.WHATSAPP, "language": data.get("language") or Language.ARABIC,
                "subject": data.get("subject") or "", "body": data.get("body") or ""}
