"""The sending rules of RULES.md §2, asked in one place (the message service) for every outbound message,
whoever asks for it: a page, a follow-up, a booking, an assistant or a bulk send.

`evaluate()` answers with a `Decision`: go now, wait until a given time (outside the channel's window,
the WhatsApp daily limit, the 30-minute gap), or refuse with a reason (no consent, nowhere to send,
free text outside WhatsApp's 24-hour window, too many unanswered messages, the plan's quota). The
service asks twice: when the message is written (so the agent sees the answer at once) and again just
before it goes out, with the contact locked, because consent may have been revoked in between and
other messages to the same contact may have gone first.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce

from compliance.choices import ConsentChannel
from compliance.services import consent_granted
from crm.choices import Direction, MessageChannel, MessagePurpose, MessageReason, MessageStatus
from dealix.tenancy.plans import limits_for
from dealix.tenancy.rules import TenantRules

# Which consent each channel needs. In-app messages reach a signed-in user inside the product, so PDPL
# marketing consent does not apply to them.
CONSENT_FOR_CHANNEL = {
    MessageChannel.WHATSAPP: ConsentChannel.WHATSAPP,
    MessageChannel.EMAIL: ConsentChannel.EMAIL,
    MessageChannel.SMS: ConsentChannel.SMS,
}
# A message counts against the limits once it has gone out or is on its way out.
GONE_OUT = Q(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ]) | Q(
    status=MessageStatus.QUEUED, send_started_at__isnull=False)


def _went_out_since(since: datetime.datetime) -> Q:
    """Sent since then, or on its way out since then (a message written yesterday and sent today counts
    for today)."""
    return Q(sent_at__gte=since) | Q(sent_at__isnull=True, send_started_at__gte=since)


@dataclass(frozen=True)
class Decision:
    reason: str = ""                              # a MessageReason, empty when the message may go now
    not_before: datetime.datetime | None = None   # set when the message waits rather than being refused

    @property
    def allowed(self) -> bool:
        return not self.reason

    @property
    def deferred(self) -> bool:
        return self.not_before is not None

    @property
    def refused(self) -> bool:
        return bool(self.reason) and self.not_before is None


GO = Decision()


def next_opening(channel: str, at: datetime.datetime, rules: TenantRules) -> datetime.datetime | None:
    """None when `at` is inside the channel's sending window; otherwise the next moment it opens."""
    window = rules.sending_windows.get(channel)
    if window is None:
        return None
    zone = ZoneInfo(rules.time_zone)
    local = at.astimezone(zone)
    start = datetime.time(window[0])
    is_open = local.time() >= start and (window[1] >= 24 or local.time() < datetime.time(window[1]))
    if local.weekday() in rules.work_days and is_open:
        return None
    day = local.date() if local.time() < start else local.date() + datetime.timedelta(days=1)
    while day.weekday() not in rules.work_days:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, start, tzinfo=zone)


def _start_of_local_day(at: datetime.datetime, rules: TenantRules) -> datetime.datetime:
    local = at.astimezone(ZoneInfo(rules.time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _start_of_local_month(at: datetime.datetime, rules: TenantRules) -> datetime.datetime:
    return _start_of_local_day(at, rules).replace(day=1)


def evaluate(*, message, contact, now: datetime.datetime, rules: TenantRules, tenant) -> Decision:
    """The rules for one outbound message, in the order a person would explain them: first what makes
    a message impossible, then what only makes it wait."""
    from crm.models import Message

    consent_channel = CONSENT_FOR_CHANNEL.get(message.channel)
    if consent_channel and not _consent_exempt(message) and (contact is None or not consent_granted(contact, consent_channel)):
        return Decision(MessageReason.NO_CONSENT)
    if not message.to_address:
        return Decision(MessageReason.NO_ADDRESS)

    others = Message.objects.filter(contact=contact, channel=message.channel).exclude(pk=message.pk)
    whatsapp = _whatsapp_history(others, now, rules) if message.channel == MessageChannel.WHATSAPP else None
    if whatsapp is not None:
        free_text = message.template_id is None or not message.template.approved
        last_inbound = whatsapp["last_inbound"]
        if free_text and (last_inbound is None
                          or now - last_inbound > datetime.timedelta(hours=rules.whatsapp_free_text_hours)):
            return Decision(MessageReason.TEMPLATE_ONLY)
        if (message.purpose != MessagePurpose.OPT_OUT_CONFIRMATION
                and whatsapp["unanswered"] >= rules.whatsapp_max_unanswered):
            return Decision(MessageReason.UNANSWERED)
        quota = limits_for(tenant).whatsapp_per_month
        if quota is not None:
            this_month = Message.objects.filter(GONE_OUT, _went_out_since(_start_of_local_month(now, rules)),
                                                channel=MessageChannel.WHATSAPP, direction=Direction.OUTBOUND
                                                ).exclude(pk=message.pk)
            if this_month.count() >= quota:
                return Decision(MessageReason.QUOTA)

    opening = next_opening(message.channel, now, rules)
    if opening is not None:
        return Decision(MessageReason.OUTSIDE_WINDOW, opening)

    if whatsapp is not None:
        if whatsapp["today"] >= rules.whatsapp_daily_limit:
            tomorrow = _start_of_local_day(now, rules) + datetime.timedelta(days=1)
            return Decision(MessageReason.DAILY_LIMIT, next_opening(message.channel, tomorrow, rules) or tomorrow)
        if whatsapp["last_out"]:
            gap_ends = whatsapp["last_out"] + datetime.timedelta(minutes=rules.whatsapp_min_gap_minutes)
            if gap_ends > now:
                return Decision(MessageReason.MIN_GAP, next_opening(message.channel, gap_ends, rules) or gap_ends)
    return GO


def _whatsapp_history(others, now, rules: TenantRules) -> dict:
    """What the WhatsApp rules need to know of a contact's other messages, in two queries: when they last
    wrote, and (since then) how many of ours went out, how many today, and when the last one did."""
    # When they wrote is when the provider received it (`sent_at` of an inbound message), not when the
    # webhook reached us.
    last_inbound = others.filter(direction=Direction.INBOUND).aggregate(
        at=Max(Coalesce("sent_at", "created_at")))["at"]
    outbound = others.filter(GONE_OUT, direction=Direction.OUTBOUND)
    went_out = Coalesce("sent_at", "send_started_at")
    counts = outbound.aggregate(
        unanswered=Count("pk", filter=_went_out_since(last_inbound)) if last_inbound else Count("pk"),
        today=Count("pk", filter=_went_out_since(_start_of_local_day(now, rules))),
        last_out=Max(went_out))
    return {"last_inbound": last_inbound, **counts}


def _consent_exempt(message) -> bool:
    # The one message that goes to someone who just withdrew consent: the confirmation that they did
    # (RULES.md §2), sent once; the service makes sure of "once".
    return message.purpose == MessagePurpose.OPT_OUT_CONFIRMATION
