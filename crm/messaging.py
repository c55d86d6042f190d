"""The message service: every message in or out goes through here, whoever writes it (a page, a
follow-up, a booking, an assistant, a bulk send), so the sending rules live in one place.

Outbound, a message is written first (`message_send`), checked against the rules (crm.sending_rules)
and then delivered by an RQ job (`deliver_message`) after the transaction commits. Its row is the
record of everything that happened to it: refused with a reason, deferred to a time, retried, sent,
delivered, read or failed. Nothing is silently dropped.

Exactly once, as far as a provider lets us: the job locks the row, *claims* it (`send_started_at`,
committed before the provider is called), calls the provider outside any transaction, and records the
provider's id at once. A job that runs again finds the id and does nothing. A worker killed between
the provider's answer and our record leaves a claim with no id: the next run cannot know whether the
message went, so it marks it failed with "outcome unknown" for a person to check rather than risk
sending it twice.
"""
from __future__ import annotations

import datetime
import logging
import re

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from compliance.services import consent_granted, consent_record
from crm import sending_rules
from crm.channels import channel_for
from crm.channels.base import Outgoing, PermanentSendError, TransientSendError
from crm.choices import Direction, LeadSource, MessageChannel, MessagePurpose, MessageReason, MessageStatus
from crm.models import Contact, Lead, Message, Template
from dealix.accounts import roles
from dealix.core import jobs
from dealix.core.audit import audit, audit_create
from dealix.core.choices import AuditAction
from dealix.core.phones import normalise_phone
from dealix.core.states import transition
from dealix.core.text import normalise_text
from dealix.tenancy.rules import current_rules
from dealix.tenancy.services import tenant_url

logger = logging.getLogger(__name__)

# RULES.md §2, compared after normalisation (alef forms folded, so إلغاء and الغاء are one word).
OPT_OUT_KEYWORDS = frozenset(normalise_text(word) for word in (
    "وقف", "إيقاف", "إلغاء", "الغاء", "لا أريد", "stop", "unsubscribe"))
LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
MAX_LENGTH = {MessageChannel.WHATSAPP: 4096, MessageChannel.SMS: 1000, MessageChannel.EMAIL: 50_000,
              MessageChannel.IN_APP: 4096}
TEMPLATE_TYPE_FOR_CHANNEL = {MessageChannel.WHATSAPP: "whatsapp", MessageChannel.EMAIL: "email",
                             MessageChannel.SMS: "sms"}
UNSUBSCRIBE_SALT = "dealix.unsubscribe"
# A claim older than this belongs to a worker that died mid-send.
STALE_CLAIM = datetime.timedelta(minutes=10)


# --- writing a message ---------------------------------------------------------------------------------

@transaction.atomic
def message_send(*, actor, channel: str, contact: Contact | None = None, lead: Lead | None = None, body: str = "",
                 subject: str = "", template: Template | None = None, context: dict | None = None,
                 purpose: str = MessagePurpose.MANUAL, attachments: list[dict] | None = None,
                 now: datetime.datetime | None = None) -> Message:
    """Write an outbound message and ask the rules about it. Returns the row: queued (going out now or
    at `scheduled_for`) or failed with its `reason_code`. Bad input raises ValidationError."""
    now = now or timezone.now()
    if actor is not None:
        roles.require(actor, roles.CRM_WORK)
    if channel not in MessageChannel.values:
        raise ValidationError({"channel": _("Choose a channel.")})
    contact = _recipient_contact(contact, lead)
    lead = lead or (contact.lead if contact is not None else None)
    if contact is None and lead is None:
        raise ValidationError(_("A message needs a lead or a contact."))
    _require_visible(actor, lead=lead, contact=contact)

    payload: dict = {}
    if template is not None:
        body, subject, payload = _from_template(template, channel, contact=contact, lead=lead, actor=actor,
                                                context=context)
    body, subject = (body or "").strip(), (subject or "").strip()
    _validate_text(channel, body=body, subject=subject, contact=contact)
    if attachments:
        payload["attachments"] = attachments

    message = Message(lead=lead, contact=contact, template=template, channel=channel, direction=Direction.OUTBOUND,
                      purpose=purpose, sent_by=actor if getattr(actor, "is_authenticated", False) else None,
                      to_address=_address(channel, contact, lead), subject=subject[:255], content=body,
                      payload=payload, status=MessageStatus.QUEUED)
    # The foreign keys are objects in hand and the table's constraints are checked by PostgreSQL; what
    # full_clean adds here is the fields' own validation (lengths, choices).
    message.full_clean(exclude=["lead", "contact", "template", "sent_by"], validate_constraints=False)
    message.save()
    audit_create(actor=actor, instance=message)

    decision = sending_rules.evaluate(message=message, contact=contact, now=now, rules=current_rules(),
                                      tenant=connection.tenant)
    if decision.refused:
        _fail(message, decision.reason)
    elif decision.deferred:
        Message.objects.filter(pk=message.pk).update(scheduled_for=decision.not_before, reason_code=decision.reason)
        message.scheduled_for, message.reason_code = decision.not_before, decision.reason
    else:
        jobs.enqueue(deliver_message, str(message.pk))  # reaches Redis when this transaction commits
    return message


def _recipient_contact(contact, lead):
    if contact is not None or lead is None:
        return contact
    return lead.contacts.filter(merged_into__isnull=True).order_by("created_at").first()


def _require_visible(actor, *, lead, contact) -> None:
    if actor is None:
        return
    if lead is not None and not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise Lead.DoesNotExist("lead not visible to this user")
    if lead is None and contact is not None and not Contact.objects.visible_to(actor).filter(pk=contact.pk).exists():
        raise Contact.DoesNotExist("contact not visible to this user")


def _from_template(template: Template, channel: str, *, contact, lead, actor, context) -> tuple[str, str, dict]:
    from crm import templating

    if not template.is_active:
        raise ValidationError({"template": _("This template is switched off.")})
    if TEMPLATE_TYPE_FOR_CHANNEL.get(channel) != template.type:
        raise ValidationError({"template": _("This template is not for this channel.")})
    full_context = templating.context_for(contact=contact, lead=lead, sender=actor, extra=context,
                                          language=template.language)
    rendered = templating.render(template, full_context)
    payload = {}
    if channel == MessageChannel.WHATSAPP and template.approved:
        payload["template"] = {"name": template.provider_name or template.key, "language": template.language,
                               "params": rendered.params}
    return rendered.body, rendered.subject, payload


def _validate_text(channel: str, *, body: str, subject: str, contact) -> None:
    if not body:
        raise ValidationError({"content": _("Write a message or choose a template.")})
    if len(body) > MAX_LENGTH[channel]:
        raise ValidationError({"content": _("The message is too long for this channel (at most %(max)s characters).")
                               % {"max": MAX_LENGTH[channel]}})
    if channel == MessageChannel.EMAIL and not subject:
        raise ValidationError({"subject": _("An email needs a subject.")})
    if channel == MessageChannel.SMS and LINK.search(body) and _first_sms(contact):
        raise ValidationError({"content": _("The first text message to a contact may not contain a link.")})


def _first_sms(contact) -> bool:
    if contact is None:
        return True
    return not Message.objects.filter(sending_rules.GONE_OUT, contact=contact, channel=MessageChannel.SMS,
                                      direction=Direction.OUTBOUND).exists()


def _address(channel: str, contact, lead) -> str:
    """Where the message goes, fixed when it is written (so the thread shows the number it went to)."""
    if channel == MessageChannel.EMAIL:
        return (contact.email if contact else "") or (lead.email if lead else "")
    if channel == MessageChannel.WHATSAPP:
        return (contact.whatsapp or contact.phone if contact else "") or (lead.phone if lead else "")
    if channel == MessageChannel.SMS:
        return (contact.phone if contact else "") or (lead.phone if lead else "")
    return str(contact.pk) if contact else str(lead.pk)


def _fail(message: Message, reason: str, detail: str = "") -> None:
    """Fail a message with its reason. The row keeps the reason code (shown translated to whoever reads
    the thread) and any provider detail; `failure_reason` is never empty (a database rule)."""
    transition(actor=None, instance=message, target=MessageStatus.FAILED,
               changes={"reason_code": reason, "failure_reason": (detail or reason)[:2000],
                        "send_started_at": None, "scheduled_for": None})
    message.status, message.reason_code, message.failure_reason = MessageStatus.FAILED, reason, detail or reason


# --- delivering it ---------------------------------------------------------------------------------------

def deliver_message(message_id: str, now_iso: str | None = None) -> str:
    """The RQ job: send one queued message if the rules still allow it. Idempotent. Returns what it did
    (for logs and tests): sent, deferred, refused, retrying, failed, unknown, waiting or nothing."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    with transaction.atomic():
        message = (Message.objects.select_for_update(of=("self",)).select_related("template", "contact", "lead")
                   .filter(pk=message_id, direction=Direction.OUTBOUND).first())
        if message is None or message.status != MessageStatus.QUEUED or message.provider_message_id:
            return "nothing"
        if message.send_started_at is not None:
            _fail(message, MessageReason.UNKNOWN_OUTCOME)
            _tell_sender_it_failed(message)
            return "unknown"
        if message.scheduled_for and message.scheduled_for > now:
            return "waiting"
        if message.contact_id:
            # One send at a time per contact, so the WhatsApp limits count every message before this one.
            Contact.objects.select_for_update().filter(pk=message.contact_id).first()
        decision = sending_rules.evaluate(message=message, contact=message.contact, now=now, rules=current_rules(),
                                          tenant=connection.tenant)
        if decision.refused:
            _fail(message, decision.reason)
            _tell_sender_it_failed(message)
            return "refused"
        if decision.deferred:
            Message.objects.filter(pk=message.pk).update(scheduled_for=decision.not_before,
                                                         reason_code=decision.reason)
            return "deferred"
        Message.objects.filter(pk=message.pk).update(send_started_at=now, attempts=message.attempts + 1,
                                                     reason_code="", scheduled_for=None)
        message.attempts += 1
    # The claim is committed; the provider is called outside any transaction.
    try:
        sent = channel_for(message.channel).send(_outgoing(message))
    except TransientSendError as error:
        return _after_transient_error(message, str(error), now)
    except PermanentSendError as error:
        with transaction.atomic():
            _fail(message, MessageReason.PROVIDER_ERROR, str(error))
            _tell_sender_it_failed(message)
        return "failed"
    _record_sent(message, sent)
    return "sent"


def _record_sent(message: Message, sent) -> None:
    """One conditional UPDATE and its audit row: the hot path of every send, kept lean (the state
    machine allows queued → sent → delivered; the WHERE clause is the check)."""
    now = timezone.now()
    status = MessageStatus.DELIVERED if sent.delivered else MessageStatus.SENT
    changes = {"status": [MessageStatus.QUEUED, status], "provider_message_id": ["", sent.provider_message_id[:255]]}
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
            status=status, provider_message_id=sent.provider_message_id[:255], send_started_at=None, sent_at=now,
            delivered_at=now if sent.delivered else None, updated_at=now)
        if updated:
            audit(actor=None, action=AuditAction.UPDATE, instance=message, changes=changes)


def _after_transient_error(message: Message, detail: str, now: datetime.datetime) -> str:
    """Retry 60 s × attempt, `send_retries` times (RULES.md §2); then give up, visibly."""
    rules = current_rules()
    with transaction.atomic():
        if message.attempts > rules.send_retries:
            _fail(message, MessageReason.GAVE_UP, detail)
            _tell_sender_it_failed(message)
            return "failed"
        retry_at = now + datetime.timedelta(seconds=rules.send_retry_base_seconds * message.attempts)
        Message.objects.filter(pk=message.pk).update(send_started_at=None, scheduled_for=retry_at,
                                                     failure_reason=detail[:2000])
    jobs.enqueue_at(retry_at, deliver_message, str(message.pk))
    return "retrying"


def _outgoing(message: Message) -> Outgoing:
    attachments = tuple(import_string(spec["builder"])(*spec.get("args", []))
                        for spec in message.payload.get("attachments", []))
    language = message.contact.language if message.contact else connection.tenant.language
    return Outgoing(message_id=str(message.pk), channel=message.channel, to=message.to_address, body=message.content,
                    subject=message.subject, language=language, template=message.payload.get("template", {}),
                    unsubscribe_url=unsubscribe_url(message) if message.channel == MessageChannel.EMAIL else "",
                    attachments=attachments,
                    is_first_sms=message.channel == MessageChannel.SMS and _first_sms(message.contact))


def _tell_sender_it_failed(message: Message) -> None:
    """The agent who wrote it, or the lead's owner for an automatic message, hears of a failed send."""
    from dealix.core.notifications import notify

    user = message.sent_by or (message.lead.assigned_to if message.lead_id else None)
    if user is None:
        return
    with translation.override(user.language):
        title = _("A message could not be sent: %(reason)s") % {"reason": message.get_reason_code_display()}
        transaction.on_commit(lambda: notify(user=user, type="send_failed", title=title[:255],
                                             body=message.content[:300], url=thread_url(message)))


def send_due_messages(now_iso: str | None = None) -> int:
    """Every minute: queue the delivery of messages whose time has come (deferred to a window, waiting
    out a gap, or due a retry), and of any whose job was lost; settle claims left by dead workers."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    due = (Message.objects.filter(direction=Direction.OUTBOUND, status=MessageStatus.QUEUED)
           .filter(Q(send_started_at__isnull=True, scheduled_for__lte=now)
                   | Q(send_started_at__isnull=True, scheduled_for__isnull=True,
                       created_at__lte=now - datetime.timedelta(minutes=2))
                   | Q(send_started_at__lte=now - STALE_CLAIM))
           .order_by("scheduled_for", "created_at").values_list("pk", flat=True)[:5000])
    count = 0
    for message_id in due:
        jobs.enqueue(deliver_message, str(message_id))
        count += 1
    return count


# --- what comes back ---------------------------------------------------------------------------------------

STATUS_RANK = {MessageStatus.QUEUED: 0, MessageStatus.SENT: 1, MessageStatus.DELIVERED: 2, MessageStatus.READ: 3}


@transaction.atomic
def message_status_update(*, channel: str, provider_message_id: str, status: str, error: str = "",
                          at: datetime.datetime | None = None) -> Message | None:
    """A provider's delivery report. Statuses only move forward (a late "delivered" after "read" is
    ignored); "failed" counts only before delivery."""
    message = (Message.objects.select_for_update()
               .filter(channel=channel, provider_message_id=provider_message_id, direction=Direction.OUTBOUND).first())
    if message is None or status == message.status or message.status == MessageStatus.FAILED:
        return message
    if status == MessageStatus.FAILED:
        if message.status == MessageStatus.SENT:
            _fail(message, MessageReason.DELIVERY_FAILED, error)
            _tell_sender_it_failed(message)
        return message
    if status in STATUS_RANK and STATUS_RANK[status] > STATUS_RANK.get(message.status, 0):
        if message.status == MessageStatus.QUEUED:
            return message  # cannot happen: the id is recorded with "sent"
        transition(actor=None, instance=message, target=status)
        message.refresh_from_db()
    return message


@transaction.atomic
def message_receive(*, channel: str, from_address: str, body: str, provider_message_id: str = "",
                    received_at: datetime.datetime | None = None) -> Message:
    """An inbound message. Finds the contact by number or address (a stranger becomes a new lead), keeps
    the message in the thread, applies opt-out keywords, and tells the lead's owner."""
    received_at = received_at or timezone.now()
    if provider_message_id:
        known = Message.objects.filter(channel=channel, provider_message_id=provider_message_id).first()
        if known is not None:  # the provider delivered the same webhook again
            return known
    contact = find_contact(channel, from_address) or _contact_for_stranger(channel, from_address)
    message = Message(contact=contact, lead=contact.lead, channel=channel, direction=Direction.INBOUND,
                      purpose=MessagePurpose.REPLY, to_address=from_address[:255], content=(body or "").strip()[:50_000]
                      or "-", provider_message_id=provider_message_id[:255], status=MessageStatus.DELIVERED,
                      sent_at=received_at, delivered_at=received_at)
    message.full_clean()
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the same webhook, delivered twice at the same moment
        return Message.objects.get(channel=channel, provider_message_id=provider_message_id)
    audit_create(actor=None, instance=message)
    if is_opt_out(body):
        _opt_out(contact, channel)
    else:
        _tell_owner_of_reply(message)
    return message


def find_contact(channel: str, address: str) -> Contact | None:
    contacts = Contact.objects.filter(merged_into__isnull=True)
    if channel == MessageChannel.EMAIL:
        return contacts.filter(email__iexact=address.strip()).order_by("-updated_at").first()
    phone = normalise_phone(address)
    if not phone:
        return None
    return contacts.filter(Q(whatsapp=phone) | Q(phone=phone)).order_by("-updated_at").first()


def _contact_for_stranger(channel: str, address: str) -> Contact:
    """Someone we do not know wrote to us: a new lead (with its contact), assigned like any other. Writing
    to us is not consent to be messaged back by marketing; the agent asks for it."""
    from crm.services import lead_create

    phone = normalise_phone(address) if channel != MessageChannel.EMAIL else ""
    email = address.strip() if channel == MessageChannel.EMAIL else ""
    if channel != MessageChannel.EMAIL and not phone:
        raise ValidationError(_("The sender's number is not a valid phone number."))
    source = LeadSource.WHATSAPP if channel == MessageChannel.WHATSAPP else LeadSource.WEB
    lead = lead_create(actor=None, data={"full_name": phone or email, "phone": phone or "", "email": email,
                                          "source": source})
    contact = Contact(full_name=lead.full_name, phone=phone or "", email=email, lead=lead, owner=lead.assigned_to,
                      whatsapp=phone if channel == MessageChannel.WHATSAPP else "")
    contact.full_clean()
    contact.save()
    audit_create(actor=None, instance=contact)
    return contact


def is_opt_out(body: str) -> bool:
    text = normalise_text(body or "").strip(" \t\r\n.!?؟،,")
    return text in OPT_OUT_KEYWORDS


def _opt_out(contact: Contact, channel: str) -> None:
    """Revoke the channel's consent at once and confirm it, once (a second "stop" gets no second reply)."""
    consent_channel = sending_rules.CONSENT_FOR_CHANNEL.get(channel)
    if consent_channel is None:
        return
    already_revoked = not consent_granted(contact, consent_channel)
    consent_record(actor=None, contact=contact, channel=consent_channel, granted=False, source="opt_out_keyword")
    if already_revoked and Message.objects.filter(contact=contact, channel=channel,
                                                  purpose=MessagePurpose.OPT_OUT_CONFIRMATION).exists():
        return
    send_opt_out_confirmation(contact, channel)


def send_opt_out_confirmation(contact: Contact, channel: str) -> Message | None:
    from crm import templating

    template_type = TEMPLATE_TYPE_FOR_CHANNEL.get(channel)
    template = templating.standard_template("opt_out_confirmation", template_type, contact.language)
    channel_label = MessageChannel(channel).label
    with translation.override(contact.language):
        if template is None:
            body = _("You will receive no more messages from us on %(channel)s.") % {"channel": channel_label}
            return message_send(actor=None, channel=channel, contact=contact, body=body, subject=body[:80],
                                purpose=MessagePurpose.OPT_OUT_CONFIRMATION)
        return message_send(actor=None, channel=channel, contact=contact, template=template,
                            context={"channel_name": str(channel_label)}, purpose=MessagePurpose.OPT_OUT_CONFIRMATION)


def _tell_owner_of_reply(message: Message) -> None:
    from dealix.core.notifications import notify

    owner = (message.lead.assigned_to if message.lead_id else None) or message.contact.owner
    if owner is None:
        return
    with translation.override(owner.language):
        title = _("%(name)s replied on %(channel)s") % {"name": message.contact.full_name,
                                                       "channel": message.get_channel_display()}
    transaction.on_commit(lambda: notify(user=owner, type="reply_received", title=title[:255],
                                         body=message.content[:300], url=thread_url(message)))


# --- a person's actions on a message -----------------------------------------------------------------------

RETRYABLE = {MessageReason.PROVIDER_ERROR, MessageReason.GAVE_UP, MessageReason.UNKNOWN_OUTCOME,
             MessageReason.DELIVERY_FAILED, MessageReason.NO_CONSENT, MessageReason.NO_ADDRESS,
             MessageReason.UNANSWERED, MessageReason.TEMPLATE_ONLY, MessageReason.QUOTA, MessageReason.CANCELLED}


@transaction.atomic
def message_retry(*, actor, message: Message, now: datetime.datetime | None = None) -> Message:
    """Send a failed message again. The rules are asked afresh, so a retry without consent fails again
    with the same reason; nothing goes around them."""
    roles.require(actor, roles.CRM_WORK)
    _require_visible(actor, lead=message.lead, contact=message.contact)
    if message.direction != Direction.OUTBOUND or message.status != MessageStatus.FAILED:
        raise ValidationError(_("Only a failed outgoing message can be sent again."))
    if message.reason_code not in RETRYABLE:
        raise ValidationError(_("This message cannot be sent again."))
    transition(actor=actor, instance=message, target=MessageStatus.QUEUED,
               changes={"reason_code": "", "failure_reason": "", "send_started_at": None, "scheduled_for": None,
                        "attempts": 0})
    message.refresh_from_db()
    decision = sending_rules.evaluate(message=message, contact=message.contact, now=now or timezone.now(),
                                      rules=current_rules(), tenant=connection.tenant)
    if decision.refused:
        _fail(message, decision.reason)
    elif decision.deferred:
        Message.objects.filter(pk=message.pk).update(scheduled_for=decision.not_before, reason_code=decision.reason)
        message.refresh_from_db()
    else:
        jobs.enqueue(deliver_message, str(message.pk))
    return message


@transaction.atomic
def message_cancel(*, actor, message: Message) -> Message:
    """Stop a message that has not gone out yet (a deferred one, typically)."""
    roles.require(actor, roles.CRM_WORK)
    _require_visible(actor, lead=message.lead, contact=message.contact)
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.status != MessageStatus.QUEUED or locked.send_started_at is not None:
        raise ValidationError(_("This message is already on its way and cannot be stopped."))
    transition(actor=actor, instance=locked, target=MessageStatus.FAILED,
               changes={"reason_code": MessageReason.CANCELLED, "failure_reason": MessageReason.CANCELLED,
                        "scheduled_for": None})
    locked.refresh_from_db()
    return locked


# --- links ---------------------------------------------------------------------------------------------------

def thread_url(message: Message) -> str:
    if message.lead_id:
        return reverse("crm:lead_detail", args=[message.lead_id]) + "#conversation"
    return reverse("crm:contact_detail", args=[message.contact_id]) + "#conversation"


def unsubscribe_token(contact_id, channel: str = MessageChannel.EMAIL) -> str:
    return signing.dumps({"contact": str(contact_id), "channel": channel}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(message: Message) -> str:
    if message.contact_id is None:
        return ""
    return tenant_url(reverse("crm_public:unsubscribe", args=[unsubscribe_token(message.contact_id, message.channel)]))


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """The contact id and channel of an unsubscribe link; None when it was tampered with. Links do not
    expire: an old email must still let its reader stop the next one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return data.get("contact"), data.get("channel")


@transaction.atomic
def unsubscribe(*, contact: Contact, channel: str, ip_address: str | None = None) -> bool:
    """The reader of an email clicked its unsubscribe link: revoke that channel's consent. Returns False if
    it was already revoked (nothing is written twice)."""
    consent_channel = sending_rules.CONSENT_FOR_CHANNEL.get(channel)
    if consent_channel is None or not consent_granted(contact, consent_channel):
        return False
    consent_record(actor=None, contact=contact, channel=consent_channel, granted=False, source="unsubscribe_link",
                   ip_address=ip_address)
    return True
