"""Connecting a tenant's channels: the credentials an admin enters for email (SMTP), WhatsApp (Cloud API)
and SMS, kept in `Tenant.settings["channels"]` (crm.channels reads them). Secrets are never shown back:
the form leaves a secret field empty to keep the stored one, and the audit row says a secret changed
without its value."""
from __future__ import annotations

import secrets

from django import forms
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from dealix.accounts import roles
from dealix.core.audit import audit
from dealix.core.choices import AuditAction

SECRET_FIELDS = {"password", "access_token", "app_secret", "webhook_secret"}


TEMPLATE_LANGUAGE = r"^[a-z]{2,3}(_[A-Z]{2})?$"


class _ChannelForm(forms.Form):
    def __init__(self, *args, stored: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = stored or {}
        for name, field in self.fields.items():
            if name in SECRET_FIELDS:
                field.required = False
                field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
                field.help_text = (_("Stored. Leave empty to keep it.") if self.stored.get(name)
                                   else _("Not set yet."))
            elif not self.is_bound and name in self.stored:
                field.initial = self.stored[name]

    def values(self) -> dict:
        """The settings to store: the form's values, a secret left empty keeping the stored one."""
        values = {}
        for name, value in self.cleaned_data.items():
            if name in SECRET_FIELDS and not value:
                value = self.stored.get(name, "")
            values[name] = value
        return {name: value for name, value in values.items() if value not in ("", None)}


class EmailChannelForm(_ChannelForm):
    host = forms.CharField(label=_("SMTP server"), max_length=255)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=587)
    username = forms.CharField(label=_("User name"), max_length=255, required=False)
    password = forms.CharField(label=_("Password"), max_length=255)
    use_tls = forms.BooleanField(label=_("STARTTLS"), required=False, initial=True)
    use_ssl = forms.BooleanField(label=_("SSL/TLS from the start (port 465)"), required=False)
    from_email = forms.EmailField(label=_("From address"))
    from_name = forms.CharField(label=_("From name"), max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("use_tls") and cleaned.get("use_ssl"):
            raise forms.ValidationError(_("Choose STARTTLS or SSL/TLS, not both."))
        return cleaned


class WhatsAppChannelForm(_ChannelForm):
    phone_number_id = forms.RegexField(label=_("Phone number ID"), regex=r"^\d{5,30}$", max_length=30,
                                       error_messages={"invalid": _("The phone number ID is the digits Meta shows "
                                                                    "for the number, not the number itself.")})
    access_token = forms.CharField(label=_("Access token"), max_length=1000)
    app_secret = forms.CharField(label=_("App secret"), max_length=255,
                                 help_text=_("Used to check that webhook calls really come from Meta."))
    verify_token = forms.CharField(label=_("Verify token"), max_length=255, required=False,
                                   help_text=_("Any text you choose; enter the same in Meta's webhook settings. "
                                               "Left empty, one is made for you."))
    api_base = forms.URLField(label=_("API address"), required=False, initial="https://graph.facebook.com/v21.0",
                              assume_scheme="https")
    # Meta approves each template in a language of its own naming: `ar`, but often `en_US` or `en_GB`.
    arabic_template_language = forms.RegexField(
        label=_("Language code of the Arabic templates"), regex=TEMPLATE_LANGUAGE, max_length=5, required=False,
        help_text=_("As approved at Meta, e.g. ar. Empty: ar."),
        error_messages={"invalid": _("A language code such as ar, en or en_US.")})
    english_template_language = forms.RegexField(
        label=_("Language code of the English templates"), regex=TEMPLATE_LANGUAGE, max_length=5, required=False,
        help_text=_("As approved at Meta, e.g. en or en_US. Empty: en."),
        error_messages={"invalid": _("A language code such as ar, en or en_US.")})

    def values(self) -> dict:
        values = super().values()
        values.setdefault("verify_token", secrets.token_urlsafe(24))
        return values


class SmsChannelForm(_ChannelForm):
    api_url = forms.URLField(label=_("Provider API address"), assume_scheme="https")
    app_sid = forms.CharField(label=_("Application ID (AppSid)"), max_length=255)
    sender_id = forms.RegexField(label=_("Sender ID"), regex=r"^[A-Za-z0-9 .-]{2,11}$", max_length=11,
                                 error_messages={"invalid": _("A sender ID is 2 to 11 Latin letters or digits, "
                                                              "as registered with the provider.")})
    webhook_secret = forms.CharField(label=_("Delivery report secret"), max_length=255, required=False)


CHANNEL_FORMS = {"email": EmailChannelForm, "whatsapp": WhatsAppChannelForm, "sms": SmsChannelForm}


def stored_settings(channel: str) -> dict:
    channels = (connection.tenant.settings or {}).get("channels") or {}
    return dict(channels.get(channel) or {})


@transaction.atomic
def channel_settings_update(*, actor, channel: str, values: dict | None) -> dict:
    """Store (or, with `values=None`, remove) one channel's settings on the current tenant, audited."""
    from dealix.tenancy.models import Tenant

    roles.require(actor, roles.SETTINGS_MANAGE)
    tenant = Tenant.objects.select_for_update().get(pk=connection.tenant.pk)
    settings = dict(tenant.settings or {})
    channels = dict(settings.get("channels") or {})
    before = dict(channels.get(channel) or {})
    if values is None:
        channels.pop(channel, None)
    else:
        channels[channel] = values
    settings["channels"] = channels
    Tenant.objects.filter(pk=tenant.pk).update(settings=settings)
    connection.tenant.settings = settings
    after = channels.get(channel) or {}
    changes = {key: ["***" if key in SECRET_FIELDS else before.get(key), "***" if key in SECRET_FIELDS else after.get(key)]
               for key in set(before) | set(after) if before.get(key) != after.get(key)}
    audit(actor=actor, action=AuditAction.UPDATE, entity_type="tenancy.tenant.channels", entity_id=tenant.pk,
          changes={channel: changes})
    return after
