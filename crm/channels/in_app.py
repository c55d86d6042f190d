"""In-app messages (to a user of the portal or the app): the message row is the delivery, so
sending only confirms it."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.channels.base import Channel, Outgoing, Sent


class InAppChannel(Channel):
    name = _("in the app")

    def send(self, outgoing: Outgoing) -> Sent:
        return Sent(provider_message_id=f"inapp-{outgoing.message_id}", delivered=True)
