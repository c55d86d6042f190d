"""Which adapter sends a tenant's messages on each channel.

A tenant's credentials live in `Tenant.settings["channels"]`:

    {"email":    {"host", "port", "username", "password", "use_tls", "use_ssl", "from_email", "from_name"},
     "whatsapp": {"api_base", "phone_number_id", "access_token", "app_secret", "verify_token"},
     "sms":      {"api_url", "app_sid", "sender_id"}}

(each may also set "timeout" in seconds). A channel without its required keys goes to the offline
outbox, so nothing is sent by accident from a tenant that has not connected that channel.
"""
from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy as _

from crm.channels.base import Channel, Outgoing, PermanentSendError, SendError, Sent, TransientSendError
from crm.channels.email import EmailChannel
from crm.channels.in_app import InAppChannel
from crm.channels.outbox import OutboxChannel
from crm.channels.sms import SmsChannel
from crm.channels.whatsapp import WhatsAppChannel
from crm.choices import MessageChannel

__all__ = ["Channel", "Outgoing", "PermanentSendError", "Sent", "SendError", "TransientSendError", "REQUIRED_KEYS",
           "channel_for", "channel_settings", "channel_status", "is_configured"]

# What each channel needs before it really sends; the other keys have defaults.
REQUIRED_KEYS = {
    MessageChannel.EMAIL: ("host", "from_email"),
    MessageChannel.WHATSAPP: ("phone_number_id", "access_token"),
    MessageChannel.SMS: ("api_url", "app_sid", "sender_id"),
}

NOT_CONFIGURED = _("outbox (not configured)")


def _tenant(tenant):
    """The given tenant, else the connection's (its row, also inside a bare schema context)."""
    if tenant is not None:
        return tenant
    from dealix.tenancy.rules import current_tenant
    return current_tenant()


def channel_settings(channel: str, tenant=None) -> dict:
    """The tenant's settings for one channel ({} when there are none)."""
    tenant = _tenant(tenant)
    channels = (getattr(tenant, "settings", None) or {}).get("channels") or {}
    config = channels.get(str(channel)) or {}
    return config if isinstance(config, dict) else {}


def is_configured(channel: str, tenant=None) -> bool:
    config = channel_settings(channel, tenant)
    return all(str(config.get(key) or "").strip() for key in REQUIRED_KEYS.get(channel, ()))


def channel_for(channel: str, tenant=None) -> Channel:
    """The adapter for `channel` with the tenant's settings (default: the connection's tenant)."""
    tenant = _tenant(tenant)
    if channel == MessageChannel.IN_APP:
        return InAppChannel()
    if channel not in REQUIRED_KEYS:
        raise ValueError(f"unknown channel {channel!r}")
    if not is_configured(channel, tenant):
        return OutboxChannel()
    config = channel_settings(channel, tenant)
    if channel == MessageChannel.EMAIL:
        from dealix.tenancy.services import host_for  # imports models: not at app-loading time
        return EmailChannel(config, host=host_for(tenant.slug))
    if channel == MessageChannel.WHATSAPP:
        return WhatsAppChannel(config)
    return SmsChannel(config)


def channel_status(tenant=None) -> dict[str, str]:
    """Each channel and how it goes out, for a settings page: {"whatsapp": "WhatsApp: Cloud API",
    "sms": "SMS: outbox (not configured)", ...}, in the active language."""
    tenant = _tenant(tenant)
    status = {}
    for channel in MessageChannel:
        adapter = channel_for(channel, tenant)
        how = adapter.name if adapter.really_sends else NOT_CONFIGURED
        status[channel.value] = gettext("%(channel)s: %(adapter)s") % {"channel": channel.label, "adapter": how}
    return status
