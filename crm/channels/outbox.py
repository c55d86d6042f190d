"""The offline outbox: where a message goes when the tenant has not configured that channel.

Nothing leaves the building. The message row is the record of what would have been sent; the adapter
only gives it a provider id, so the send completes like any other and the thread can say "recorded in
the outbox, not sent" (`really_sends = False`). A tenant can work, demo and test every flow before
connecting WhatsApp, email or SMS.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.channels.base import Channel, Outgoing, Sent


class OutboxChannel(Channel):
    name = _("Outbox (not sent)")
    really_sends = False

    def send(self, outgoing: Outgoing) -> Sent:
        return Sent(provider_message_id=f"outbox-{outgoing.message_id}", delivered=False)
