"""Automatic follow-ups (RULES.md §1–§2), run by the scheduler tenant by tenant:

- a welcome to every new lead within minutes (`send_welcomes`, every minute);
- follow-ups to open leads that went quiet (`run_follow_ups`, every five minutes). How long "quiet" is
  depends on the lead's score band: a hot lead hears from us after 24 h, a warm one every 3 days, a cold
  one every 30 days; after the first, each further follow-up waits at least 72 h ("no response"). At
  most 3 follow-ups go unanswered; then the lead rests 7 days before the next round of 3. An answer
  (an inbound message) starts the count again.

Every message goes through the message service, so consent, windows and WhatsApp limits apply: a
follow-up to a lead without consent on any channel is simply not written. Each lead is handled under a
row lock, so two workers running the same job at once do not write the same follow-up twice.
"""
from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from compliance.services import consent_granted
from crm import templating
from crm.choices import Direction, LeadStatus, MessageChannel, MessagePurpose, MessageStatus
from crm.messaging import message_send
from crm.models import Activity, Call, Lead, Message
from crm.sending_rules import CONSENT_FOR_CHANNEL
from dealix.tenancy.rules import TenantRules, current_rules

logger = logging.getLogger(__name__)

OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
FOLLOW_UP_PURPOSES = (MessagePurpose.FOLLOW_UP, MessagePurpose.NO_RESPONSE)
# Which channels automatic messages use, in order of preference, and their templates.
AUTOMATIC_CHANNELS = (MessageChannel.WHATSAPP, MessageChannel.EMAIL, MessageChannel.SMS)
TEMPLATE_KEYS = {
    MessagePurpose.WELCOME: ("welcome",),
    MessagePurpose.FOLLOW_UP: ("warm_whatsapp_follow_up", "no_response_follow_up"),
    MessagePurpose.NO_RESPONSE: ("no_response_follow_up", "warm_whatsapp_follow_up"),
}
BATCH = 500


def _recipient(lead: Lead):
    return lead.contacts.filter(merged_into__isnull=True).order_by("created_at").first()


def _automatic_send(lead: Lead, purpose: str, now: datetime.datetime) -> Message | None:
    """Write the automatic message on the first channel the contact consented to that has a template."""
    contact = _recipient(lead)
    if contact is None:
        return None
    for channel in AUTOMATIC_CHANNELS:
        if not consent_granted(contact, CONSENT_FOR_CHANNEL[channel]):
            continue
        template = next((found for key in TEMPLATE_KEYS[purpose]
                         if (found := templating.standard_template(key, channel, contact.language))), None)
        if template is None:
            continue
        try:
            with transaction.atomic():
                return message_send(actor=None, channel=channel, contact=contact, lead=lead, template=template,
                                    purpose=purpose, now=now)
        except ValidationError as error:
            # A template an admin edited into something this lead cannot fill (a missing value): skip this
            # lead, keep going with the others, and leave a trace for whoever looks at the logs.
            logger.warning("automatic %s to lead %s not written: %s", purpose, lead.pk, "; ".join(error.messages))
            return None
    return None


def send_welcomes(now_iso: str | None = None) -> int:
    """A welcome to each lead created in the last day that has none yet."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    candidates = (Lead.objects.filter(status=LeadStatus.NEW, merged_into__isnull=True,
                                      created_at__gte=now - datetime.timedelta(days=1))
                  .exclude(messages__purpose=MessagePurpose.WELCOME)
                  .values_list("pk", flat=True).order_by("created_at")[:BATCH])
    sent = 0
    for lead_id in list(candidates):
        with transaction.atomic():
            lead = Lead.objects.select_for_update(skip_locked=True).filter(pk=lead_id).first()
            if lead is None or Message.objects.filter(lead=lead, purpose=MessagePurpose.WELCOME).exists():
                continue
            if _automatic_send(lead, MessagePurpose.WELCOME, now) is not None:
                sent += 1
    return sent


def _last_touch_annotations():
    """When anything last happened with the lead: an activity, a message either way, or a call."""
    newest = lambda model: Subquery(model.objects.filter(lead=OuterRef("pk")).order_by("-created_at")  # noqa: E731
                                    .values("created_at")[:1])
    return Greatest("created_at", Coalesce(newest(Activity), "created_at"), Coalesce(newest(Message), "created_at"),
                    Coalesce(newest(Call), "created_at"))


def quiet_for(lead: Lead, rules: TenantRules, unanswered: int) -> datetime.timedelta:
    band = rules.band(lead.score)
    first = {"hot": datetime.timedelta(hours=rules.reminder_after_hours),
             "warm": datetime.timedelta(days=rules.warm_nurture_days),
             "cold": datetime.timedelta(days=rules.cold_drip_days)}[band]
    if unanswered % rules.max_unanswered_follow_ups == 0:
        return first
    return max(first, datetime.timedelta(hours=rules.no_response_after_hours))


def follow_up_state(lead: Lead) -> tuple[int, datetime.datetime | None]:
    """How many follow-ups went unanswered since the lead last wrote, and when the last one was written."""
    last_inbound = (Message.objects.filter(Q(lead=lead) | Q(contact__lead=lead), direction=Direction.INBOUND)
                    .aggregate(at=Max("created_at"))["at"])
    follow_ups = Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, purpose__in=FOLLOW_UP_PURPOSES
                                        ).exclude(status=MessageStatus.FAILED)
    if last_inbound:
        follow_ups = follow_ups.filter(created_at__gt=last_inbound)
    found = follow_ups.aggregate(at=Max("created_at"))
    return follow_ups.count(), found["at"]


def run_follow_ups(now_iso: str | None = None) -> int:
    """Write the follow-ups that are due; returns how many were written."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    rules = current_rules()
    shortest_quiet = datetime.timedelta(hours=min(rules.reminder_after_hours, rules.no_response_after_hours))
    candidates = (Lead.objects.filter(status__in=OPEN_STATUSES, merged_into__isnull=True, contacts__isnull=False)
                  .annotate(last_touch=_last_touch_annotations())
                  .filter(last_touch__lte=now - shortest_quiet)
                  .order_by("last_touch").values_list("pk", flat=True).distinct()[:BATCH])
    written = 0
    for lead_id in list(candidates):
        with transaction.atomic():
            lead = (Lead.objects.select_for_update(skip_locked=True, of=("self",))
                    .annotate(last_touch=_last_touch_annotations()).filter(pk=lead_id).first())
            if lead is None or not _follow_up_due(lead, rules, now):
                continue
            unanswered, _last = follow_up_state(lead)
            first_of_round = unanswered % rules.max_unanswered_follow_ups == 0
            purpose = MessagePurpose.FOLLOW_UP if first_of_round else MessagePurpose.NO_RESPONSE
            if _automatic_send(lead, purpose, now) is not None:
                written += 1
    return written


def _follow_up_due(lead: Lead, rules: TenantRules, now: datetime.datetime) -> bool:
    unanswered, last_follow_up = follow_up_state(lead)
    round_done = unanswered and unanswered % rules.max_unanswered_follow_ups == 0
    if round_done and last_follow_up and now - last_follow_up < datetime.timedelta(days=rules.follow_up_cool_down_days):
        return False
    return now - lead.last_touch >= quiet_for(lead, rules, unanswered)
