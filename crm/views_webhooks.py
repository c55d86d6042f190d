"""Webhooks the providers call on the tenant's host: no login, no CSRF (the caller is a server, not a
browser); each request proves where it comes from with the tenant's own secret instead.

WhatsApp (`/webhooks/whatsapp/`, the callback URL set in the tenant's Meta app):
- GET is Meta's verify handshake: `hub.verify_token` must be the tenant's `verify_token`.
- POST carries inbound messages and delivery statuses, signed `X-Hub-Signature-256: sha256=<HMAC-SHA256
  of the raw body with the app secret>`. Anything unsigned or signed with another secret is refused
  (403) before the body is read. Each message and status goes through the message service, which knows
  a provider id it has seen, so Meta's retries of the same delivery write nothing twice.

SMS (`/webhooks/sms/`): the provider's delivery reports, with the tenant's `sms.webhook_secret` in an
`X-Webhook-Token` header or a `token` query parameter (most SMS providers can only be given a URL). The
fields, form-encoded or JSON: `MessageID`, `Status` (sent, delivered, failed, rejected, undelivered,
expired) and optionally `Error`.

The answer is 200 as soon as the items are recorded (a few rows; any notification goes to the job queue),
400 for a body that is not JSON, and 500 only for a fault of ours, which Meta retries.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crm.channels import channel_settings
from crm.choices import MessageChannel, MessageStatus
from crm.messaging import message_receive, message_status_update

logger = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="

# What an inbound WhatsApp message that is not text shows in the thread (a caption follows, if any).
PLACEHOLDERS = {
    "image": _("[image]"),
    "video": _("[video]"),
    "audio": _("[voice message]"),
    "document": _("[document]"),
    "sticker": _("[sticker]"),
    "location": _("[location]"),
    "contacts": _("[contact card]"),
    "reaction": _("[reaction]"),
    "order": _("[order]"),
}
WHATSAPP_STATUSES = {"sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED,
                     "read": MessageStatus.READ, "failed": MessageStatus.FAILED}
SMS_STATUSES = {"sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED, "failed": MessageStatus.FAILED,
                "rejected": MessageStatus.FAILED, "undelivered": MessageStatus.FAILED,
                "expired": MessageStatus.FAILED}


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    config = channel_settings(MessageChannel.WHATSAPP, request.tenant)
    if request.method == "GET":
        return _verify_handshake(request, config)
    if not signature_is_valid(request.body, request.headers.get("X-Hub-Signature-256", ""),
                              config.get("app_secret") or ""):
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return HttpResponseBadRequest("malformed JSON", content_type="text/plain")
    if not isinstance(payload, dict):
        return HttpResponseBadRequest("malformed JSON", content_type="text/plain")

    with translation.override(request.tenant.language):
        for value in _changes(payload, phone_number_id=str(config.get("phone_number_id") or "")):
            for item in _dicts(value.get("messages")):
                _receive_whatsapp(item)
            for item in _dicts(value.get("statuses")):
                _whatsapp_status(item)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


def signature_is_valid(body: bytes, header: str, secret: str) -> bool:
    if not secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len(SIGNATURE_PREFIX):].strip().lower())


def _verify_handshake(request, config: dict) -> HttpResponse:
    expected = str(config.get("verify_token") or "")
    given = request.GET.get("hub.verify_token", "")
    if (request.GET.get("hub.mode") != "subscribe" or not expected
            or not hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))):
        return HttpResponseForbidden("verification failed", content_type="text/plain")
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def _changes(payload: dict, *, phone_number_id: str):
    """Each `entry[].changes[].value` for this tenant's number. A value naming another number (an app
    shared by several numbers) is not ours to record."""
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            their_number = str((value.get("metadata") or {}).get("phone_number_id") or "")
            if phone_number_id and their_number and their_number != phone_number_id:
                logger.warning("WhatsApp webhook for number %s ignored on a tenant with %s",
                               their_number, phone_number_id)
                continue
            yield value


def _receive_whatsapp(item: dict) -> None:
    sender, provider_id = str(item.get("from") or ""), str(item.get("id") or "")
    if not sender:
        return
    try:
        message_receive(channel=MessageChannel.WHATSAPP, from_address="+" + sender.lstrip("+"),
                        body=inbound_text(item), provider_message_id=provider_id,
                        received_at=_timestamp(item.get("timestamp")))
    except ValidationError as error:
        # e.g. a sender number we cannot read: nothing to record, and a retry by Meta would not help
        logger.warning("WhatsApp message %s not recorded: %s", provider_id, error)


def inbound_text(item: dict) -> str:
    """What the thread shows for one inbound WhatsApp message, in the active language for non-text."""
    kind = str(item.get("type") or "")
    content = item.get(kind) if isinstance(item.get(kind), dict) else {}
    if kind == "text":
        return str(content.get("body") or "")
    if kind == "button":
        return str(content.get("text") or content.get("payload") or "")
    if kind == "interactive":
        reply = content.get("button_reply") or content.get("list_reply") or {}
        return str(reply.get("title") or "") if isinstance(reply, dict) else ""
    label = str(PLACEHOLDERS[kind]) if kind in PLACEHOLDERS else (
        gettext("[%(type)s message]") % {"type": kind} if kind and kind != "unsupported"
        else gettext("[a message this app cannot show]"))
    details = []
    if kind in ("image", "video", "document"):
        details = [content.get("filename"), content.get("caption")]
    elif kind == "location":
        details = [content.get("name"), content.get("address")]
        if content.get("latitude") is not None and content.get("longitude") is not None:
            details.append(f"{content['latitude']},{content['longitude']}")
    elif kind == "reaction":
        details = [content.get("emoji")]
    elif kind == "contacts":
        people = item.get("contacts") if isinstance(item.get("contacts"), list) else []
        details = [(person.get("name") or {}).get("formatted_name") for person in _dicts(people)]
    return " ".join([label, *[str(part) for part in details if part]])


def _whatsapp_status(item: dict) -> None:
    status = WHATSAPP_STATUSES.get(str(item.get("status") or ""))
    provider_id = str(item.get("id") or "")
    if status is None or not provider_id:
        return
    error = ""
    errors = _dicts(item.get("errors"))
    if errors:
        first = errors[0]
        details = (first.get("error_data") or {}).get("details") if isinstance(first.get("error_data"), dict) else ""
        error = " — ".join(str(part) for part in (first.get("title") or first.get("message"), details) if part)
        if first.get("code"):
            error = f"{error} (code {first['code']})"
    message_status_update(channel=MessageChannel.WHATSAPP, provider_message_id=provider_id, status=status,
                          error=error, at=_timestamp(item.get("timestamp")))


@login_not_required
@csrf_exempt
@require_http_methods(["POST"])
def sms(request):
    secret = str(channel_settings(MessageChannel.SMS, request.tenant).get("webhook_secret") or "")
    given = request.headers.get("X-Webhook-Token") or request.GET.get("token") or ""
    if not secret or not hmac.compare_digest(secret.encode("utf-8"), given.encode("utf-8")):
        return HttpResponseForbidden("invalid token", content_type="text/plain")
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, ValueError):
            return HttpResponseBadRequest("malformed JSON", content_type="text/plain")
        reports = data if isinstance(data, list) else [data]
    else:
        reports = [request.POST.dict()]
    for report in _dicts(reports):
        fields = {key.lower().replace("_", ""): value for key, value in report.items()}
        status = SMS_STATUSES.get(str(fields.get("status") or "").strip().lower())
        provider_id = str(fields.get("messageid") or "")
        if status is None or not provider_id:
            continue
        message_status_update(channel=MessageChannel.SMS, provider_message_id=provider_id, status=status,
                              error=str(fields.get("error") or fields.get("reason") or ""))
    return HttpResponse("OK", content_type="text/plain")


def _dicts(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _timestamp(value) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
