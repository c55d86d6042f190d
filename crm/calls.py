"""Phone calls: logging one, the script an agent reads when calling, and when to stop calling.

A logged call is a `crm.Call` row (audited). The lead's timeline already lists calls
(`crm.selectors.lead_timeline`), so no Activity of type "call" is written beside it, which would show
the call twice. Notes typed with the call become a note on the lead, as notes typed on the timeline do.

RULES (issue 5): two unanswered calls → switch channel. `channel_switch_suggestion` says so once the
lead's last outbound calls went unanswered, naming the next channel the contact consented to.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from crm.choices import ActivityType, CallStatus, Direction, MessageChannel, Sentiment, TemplateType
from crm.models import Activity, Call, Contact, Lead
from dealix.accounts import roles
from dealix.core.audit import audit_create
from dealix.tenancy.rules import current_rules

MAX_CALL_SECONDS = 24 * 60 * 60  # a longer "call" is a typing mistake, not a call
UNANSWERED = (CallStatus.MISSED, CallStatus.VOICEMAIL, CallStatus.FAILED)
NO_CONVERSATION = (CallStatus.MISSED, CallStatus.FAILED)  # nobody spoke, so the call lasted 0 seconds
# The order in which another channel is suggested, with where each one sends to.
SWITCH_ORDER = (
    (MessageChannel.WHATSAPP, ("whatsapp", "phone")),
    (MessageChannel.EMAIL, ("email",)),
    (MessageChannel.SMS, ("phone",)),
)


# --- logging a call ---------------------------------------------------------------------------------

@transaction.atomic
def call_log(*, actor, lead: Lead | None = None, contact: Contact | None = None, data: dict) -> Call:
    """Record a call with a lead (and its contact) that the actor may work. `data`: direction, status,
    duration_seconds, outcome, recording_url, transcript, sentiment and notes (all optional but status).
    Bad input raises ValidationError keyed by field, and nothing is written."""
    roles.require(actor, roles.CRM_WORK)
    if lead is None and contact is None:
        raise ValidationError(_("A call is with a lead or a contact."), code="no_party")
    if lead is not None and not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise Lead.DoesNotExist("lead not visible to this user")
    if contact is not None:
        if not Contact.objects.visible_to(actor).filter(pk=contact.pk).exists():
            raise Contact.DoesNotExist("contact not visible to this user")
        if lead is not None and contact.lead_id != lead.pk:
            raise ValidationError({"contact": _("This contact does not belong to the lead.")}, code="other_lead")
        lead = lead or contact.lead
    elif lead is not None:
        contact = lead.contacts.filter(merged_into__isnull=True).order_by("created_at").first()

    call = Call(lead=lead, contact=contact, user=actor, **_cleaned(data))
    call.full_clean()
    call.save()
    audit_create(actor=actor, instance=call)
    notes = (data.get("notes") or "").strip()
    if notes and lead is not None:
        note = Activity(user=actor, lead=lead, type=ActivityType.NOTE, subject=notes.splitlines()[0][:120],
                        body=notes, completed_at=timezone.now())
        note.full_clean()
        note.save()
        audit_create(actor=actor, instance=note)
    return call


def _cleaned(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    direction = data.get("direction") or Direction.OUTBOUND
    if direction not in Direction.values:
        errors.setdefault("direction", []).append(_("Choose whether you called or were called."))
    status = data.get("status") or ""
    if status not in CallStatus.values:
        errors.setdefault("status", []).append(_("Choose how the call went."))
    sentiment = data.get("sentiment") or ""
    if sentiment and sentiment not in Sentiment.values:
        errors.setdefault("sentiment", []).append(_("Choose the mood of the call from the list."))
    try:
        duration = int(data.get("duration_seconds") or 0)
    except (TypeError, ValueError):
        duration = -1
    if duration < 0:
        errors.setdefault("duration_seconds", []).append(_("The duration cannot be negative."))
    elif duration > MAX_CALL_SECONDS:
        errors.setdefault("duration_seconds", []).append(_("A call cannot last more than 24 hours."))
    elif status in NO_CONVERSATION and duration:
        errors.setdefault("duration_seconds", []).append(
            _("A missed or failed call lasted 0 seconds: nobody spoke."))
    recording_url = (data.get("recording_url") or "").strip()
    if recording_url and not recording_url.lower().startswith(("https://", "http://")):
        errors.setdefault("recording_url", []).append(_("The recording link must start with https:// or http://."))
    if errors:
        raise ValidationError(errors)
    return {"direction": direction, "status": status, "duration_seconds": duration, "sentiment": sentiment,
            "outcome": (data.get("outcome") or "").strip(), "recording_url": recording_url,
            "transcript": (data.get("transcript") or "").strip()}


def recent_calls(lead: Lead, *, limit: int = 10) -> list[Call]:
    return list(lead.calls.select_related("user", "contact").order_by("-created_at")[:limit])


# --- the script -------------------------------------------------------------------------------------

def script_language(*, lead: Lead, user) -> str:
    """The language of the person called (the lead's contact), else the agent's."""
    contact = lead.contacts.filter(merged_into__isnull=True).order_by("created_at").first()
    return getattr(contact, "language", None) or user.language


def call_script(*, lead: Lead, user, language: str | None = None) -> str:
    """The call opener (standard template "call_opener", type voice) filled in for this lead and agent,
    in `language` (default: `script_language`). A value the records lack shows as its label in brackets,
    so the agent sees what to ask rather than a hole. "" when the tenant has no active call script."""
    from crm import templating

    language = language or script_language(lead=lead, user=user)
    template = templating.standard_template("call_opener", TemplateType.VOICE, language)
    if template is None:
        return ""
    contact = lead.contacts.filter(merged_into__isnull=True).order_by("created_at").first()
    context = templating.context_for(lead=lead, contact=contact, sender=user, language=template.language)
    from django.utils import translation
    with translation.override(template.language):
        for name in templating.missing_variables(template, context):
            context[name] = f"[{templating.VARIABLES.get(name, name)}]"
    return templating.render(template, context).body


# --- when to stop calling ---------------------------------------------------------------------------

def unanswered_calls_before_switch() -> int:
    return current_rules().unanswered_calls_before_switch


def unanswered_streak(lead: Lead) -> int:
    """How many of the lead's latest outbound calls went unanswered since the last answered call."""
    needed = unanswered_calls_before_switch()
    streak = 0
    for direction, status in (lead.calls.exclude(status=CallStatus.RINGING).order_by("-created_at")
                              .values_list("direction", "status")[:50]):
        if status == CallStatus.ANSWERED:
            break
        if direction == Direction.OUTBOUND and status in UNANSWERED:
            streak += 1
            if streak >= needed:
                break
    return streak


def channel_switch_suggestion(lead: Lead) -> str | None:
    """After the rule's number of unanswered calls in a row, what to do instead, in the active language:
    the first channel (WhatsApp, email, SMS) a contact of the lead consented to and can be reached on, or
    to get consent first. None while calling is still worth it."""
    from compliance.services import consent_granted

    needed = unanswered_calls_before_switch()
    if unanswered_streak(lead) < needed:
        return None
    contacts = list(lead.contacts.filter(merged_into__isnull=True, is_active=True).order_by("created_at"))
    for channel, address_fields in SWITCH_ORDER:
        for contact in contacts:
            if any(getattr(contact, name) for name in address_fields) and consent_granted(contact, channel):
                return ngettext(
                    "%(count)d call went unanswered: write to %(name)s by %(channel)s instead.",
                    "%(count)d calls in a row went unanswered: write to %(name)s by %(channel)s instead.",
                    needed) % {"count": needed, "name": contact.full_name, "channel": MessageChannel(channel).label}
    return ngettext(
        "%(count)d call went unanswered. Switch channel: first ask for consent to write by WhatsApp, email or "
        "SMS, then write instead of calling.",
        "%(count)d calls in a row went unanswered. Switch channel: first ask for consent to write by WhatsApp, "
        "email or SMS, then write instead of calling.",
        needed) % {"count": needed}
