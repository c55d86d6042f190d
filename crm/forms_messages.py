"""The reply box of a conversation."""
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.choices import MessageChannel, TemplateType
from crm.messaging import TEMPLATE_TYPE_FOR_CHANNEL
from crm.models import Template
from dealix.accounts.choices import Language

SENDABLE_CHANNELS = [(value, label) for value, label in MessageChannel.choices if value != MessageChannel.IN_APP]


class MessageForm(forms.Form):
    """The template choice is a plain choice of ids, labelled in one pass: the lead page draws this box
    on every visit, and a model choice field would label every option through the ORM and the widget
    templates (a third of the page's time)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=SENDABLE_CHANNELS)
    template = forms.ChoiceField(label=_("Template"), required=False)
    subject = forms.CharField(label=_("Subject (email)"), max_length=255, required=False)
    content = forms.CharField(label=_("Message"), required=False, max_length=50_000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type_labels = {value: str(label) for value, label in TemplateType.choices}
        language_labels = {value: str(label) for value, label in Language.choices}
        rows = (Template.objects.filter(is_active=True, type__in=TEMPLATE_TYPE_FOR_CHANNEL.values())
                .order_by("type", "language", "name").values_list("pk", "type", "name", "language"))
        self.fields["template"].choices = [("", _("No template: write the message"))] + [
            (str(pk), f"{type_labels.get(kind, kind)} · {name} ({language_labels.get(language, language)})")
            for pk, kind, name, language in rows]

    def clean_template(self):
        chosen = self.cleaned_data.get("template")
        if not chosen:
            return None
        template = Template.objects.filter(pk=chosen, is_active=True).first()
        if template is None:
            raise forms.ValidationError(_("This template is switched off."))
        return template

    def clean(self):
        cleaned = super().clean()
        template, channel = cleaned.get("template"), cleaned.get("channel")
        if template is None and not (cleaned.get("content") or "").strip():
            self.add_error("content", _("Write a message or choose a template."))
        if template is not None and channel and TEMPLATE_TYPE_FOR_CHANNEL.get(channel) != template.type:
            self.add_error("template", _("This template is not for this channel."))
        return cleaned
