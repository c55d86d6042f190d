"""The reply box of a conversation."""
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.choices import MessageChannel
from crm.models import Template
from crm.messaging import TEMPLATE_TYPE_FOR_CHANNEL

SENDABLE_CHANNELS = [(value, label) for value, label in MessageChannel.choices if value != MessageChannel.IN_APP]


class MessageForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=SENDABLE_CHANNELS)
    template = forms.ModelChoiceField(label=_("Template"), queryset=Template.objects.none(), required=False,
                                      empty_label=_("No template: write the message"))
    subject = forms.CharField(label=_("Subject (email)"), max_length=255, required=False)
    content = forms.CharField(label=_("Message"), required=False, max_length=50_000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = (Template.objects.filter(is_active=True,
                                                                    type__in=TEMPLATE_TYPE_FOR_CHANNEL.values())
                                            .order_by("type", "language", "name"))
        self.fields["template"].label_from_instance = lambda template: (
            f"{template.get_type_display()} · {template.name} ({template.get_language_display()})")

    def clean(self):
        cleaned = super().clean()
        template, channel = cleaned.get("template"), cleaned.get("channel")
        if template is None and not (cleaned.get("content") or "").strip():
            self.add_error("content", _("Write a message or choose a template."))
        if template is not None and channel and TEMPLATE_TYPE_FOR_CHANNEL.get(channel) != template.type:
            self.add_error("template", _("This template is not for this channel."))
        return cleaned
