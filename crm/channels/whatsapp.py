"""WhatsApp through Meta's WhatsApp Business Cloud API.

`POST {api_base}/{phone_number_id}/messages` with the tenant's access token: free text inside the
24-hour window, an approved template outside it (the message service decides which; an `Outgoing` with
a `template` is sent as one). Our message id rides along as `biz_opaque_callback_data`, which Meta
echoes in the status webhooks.
"""
from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _

from crm.channels.base import Channel, Outgoing, PermanentSendError, Sent, TransientSendError
from crm.channels.transport import DEFAULT_TIMEOUT_SECONDS, json_or_empty, post

DEFAULT_API_BASE = "https://graph.facebook.com/v21.0"

# Meta answers some throttling and outage errors with HTTP 400; these pass if we wait, so they are
# retried like a 5xx: 2 temporary service issue, 4 / 80007 / 130429 rate limits, 131016 service
# unavailable, 131056 too many messages to this number.
RETRYABLE_ERROR_CODES = {2, 4, 80007, 130429, 131016, 131056}


class WhatsAppChannel(Channel):
    name = _("Cloud API")

    def __init__(self, config: dict):
        """`config` is `Tenant.settings["channels"]["whatsapp"]`."""
        self.config = config

    @property
    def url(self) -> str:
        base = (self.config.get("api_base") or DEFAULT_API_BASE).rstrip("/")
        return f"{base}/{self.config['phone_number_id']}/messages"

    def send(self, outgoing: Outgoing) -> Sent:
        status, body = post(
            self.url, data=json.dumps(self.payload(outgoing), ensure_ascii=False).encode("utf-8"),
            headers={"Authorization": f"Bearer {self.config['access_token']}",
                     "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
            timeout=float(self.config.get("timeout") or DEFAULT_TIMEOUT_SECONDS))
        answer = json_or_empty(body)
        if status == 429 or status >= 500:
            raise TransientSendError(_error_text(status, answer, body))
        if status >= 400:
            code = (answer.get("error") or {}).get("code")
            raise (TransientSendError if code in RETRYABLE_ERROR_CODES else PermanentSendError)(
                _error_text(status, answer, body))
        try:
            provider_id = answer["messages"][0]["id"]
        except (KeyError, IndexError, TypeError):
            # Accepted with an answer we cannot read: the message may be on its way, so not retried.
            raise PermanentSendError(f"HTTP {status}: unexpected answer {body[:200]!r}") from None
        return Sent(provider_message_id=provider_id)

    def template_language(self, language: str) -> str:
        """The code Meta approved the template under (`en_US`…), as set on the Channels page; else ours."""
        configured = {"ar": self.config.get("arabic_template_language"),
                      "en": self.config.get("english_template_language")}
        return configured.get(language) or language

    def payload(self, outgoing: Outgoing) -> dict:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual",
                   "to": outgoing.to.lstrip("+"), "biz_opaque_callback_data": str(outgoing.message_id)}
        template = outgoing.template
        if template:
            language = self.template_language(template.get("language") or outgoing.language)
            body = {"name": template["name"], "language": {"code": language}}
            params = template.get("params") or []
            if params:
                body["components"] = [{"type": "body", "parameters": [
                    {"type": "text", "text": str(value)} for value in params]}]
            payload.update(type="template", template=body)
        else:
            payload.update(type="text", text={"body": outgoing.body, "preview_url": "://" in outgoing.body})
        return payload


def _error_text(status: int, answer: dict, body: bytes) -> str:
    """Meta's own words: `error.message` (and `error_data.details`, which says what to fix)."""
    error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
    message = error.get("message") or body[:200].decode("utf-8", "replace") or f"HTTP {status}"
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else ""
    if details and details not in message:
        message = f"{message}: {details}"
    code = error.get("code")
    return f"{message} (code {code})" if code else message
