"""SMS through a Unifonic-style HTTP API: one form-encoded POST per message, a JSON answer.

    POST {api_url}  AppSid, SenderID, Recipient (digits, no +), Body, CorrelationID (our message id)
    → {"success": true, "data": {"MessageID": ...}}  or  {"success": false, "message": ...}

The body goes as UTF-8 (Arabic included); the provider picks the encoding on the air. RULES.md §2: the
first SMS to a contact carries no link; such a message is refused here rather than sent against the rule.
"""
from __future__ import annotations

import re
import urllib.parse

from django.utils.translation import gettext, gettext_lazy as _

from crm.channels.base import Channel, Outgoing, PermanentSendError, Sent, TransientSendError
from crm.channels.transport import DEFAULT_TIMEOUT_SECONDS, json_or_empty, post

LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+")


class SmsChannel(Channel):
    name = _("SMS gateway")

    def __init__(self, config: dict):
        """`config` is `Tenant.settings["channels"]["sms"]`."""
        self.config = config

    def send(self, outgoing: Outgoing) -> Sent:
        if outgoing.is_first_sms and LINK.search(outgoing.body):
            raise PermanentSendError(gettext("The first text message to a contact may not contain a link."))
        status, body = post(
            self.config["api_url"], data=urllib.parse.urlencode(self.form(outgoing), encoding="utf-8").encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "Accept": "application/json"},
            timeout=float(self.config.get("timeout") or DEFAULT_TIMEOUT_SECONDS))
        answer = json_or_empty(body)
        words = str(answer.get("message") or answer.get("errorCode") or body[:200].decode("utf-8", "replace")
                    or f"HTTP {status}")
        if status == 429 or status >= 500:
            raise TransientSendError(words)
        if status >= 400 or answer.get("success") is not True:
            raise PermanentSendError(words)
        provider_id = (answer.get("data") or {}).get("MessageID") if isinstance(answer.get("data"), dict) else None
        if provider_id in (None, ""):
            raise PermanentSendError(f"HTTP {status}: unexpected answer {body[:200]!r}")
        return Sent(provider_message_id=str(provider_id))

    def form(self, outgoing: Outgoing) -> dict:
        return {"AppSid": self.config["app_sid"], "SenderID": self.config["sender_id"],
                "Recipient": "".join(ch for ch in outgoing.to if ch.isdigit()), "Body": outgoing.body,
                "CorrelationID": str(outgoing.message_id)}
