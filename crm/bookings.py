"""Meetings with leads (RULES.md §3): when an agent is free, and the services that book, move, cancel and
close a meeting. Every number comes from the tenant's rules.

A live meeting (confirmed or rescheduled) holds `busy` = [start, end + buffer) for its agent, and the
database refuses two overlapping `busy` ranges of one agent (the exclusion constraint
`crm_booking_no_double_booking`). The services check every rule first, so people get a clear answer; the
constraint is what keeps a double booking out when two requests race, and its refusal is turned into the
same "just taken" answer. Booking writes of one agent are also serialised by an advisory lock, so the
daily cap holds under concurrent requests too (the constraint cannot count).

`actor=None` means the contact, through a signed link (the public booking page has checked the token).
"""
from __future__ import annotations

import datetime
import logging
import math
from collections import Counter
from functools import reduce
from zoneinfo import ZoneInfo

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _, gettext_lazy, ngettext, pgettext_lazy

from crm.choices import (ActivityType, BookingChannel, BookingStatus, EngagementSignal, MeetingType, MessageChannel,
                         MessagePurpose)
from crm.models import Activity, AutoBooking, Contact, Lead
from dealix.accounts import roles
from dealix.core.audit import audit_create, audit_update, snapshot
from dealix.core.models import Notification
from dealix.core.notifications import NotificationType, notify
from dealix.core.states import transition
from dealix.core.templatetags.dealix import _hijri_text
from dealix.tenancy.rules import TenantRules, current_rules, current_tenant

logger = logging.getLogger(__name__)

LIVE = (BookingStatus.CONFIRMED, BookingStatus.RESCHEDULED)
CONSTRAINT = "crm_booking_no_double_booking"
REMINDER_STAMPS = ("contact_reminded_24h_at", "contact_reminded_1h_at", "agent_reminded_at")


# --- the tenant and its rules ----------------------------------------------------------------------

def tenant_rules() -> TenantRules:
    return current_rules()


def _zone(rules: TenantRules) -> ZoneInfo:
    return ZoneInfo(rules.time_zone)


def meeting_minutes(meeting_type: str, rules: TenantRules | None = None) -> int:
    rules = rules or tenant_rules()
    if meeting_type not in MeetingType.values or meeting_type not in rules.meeting_minutes:
        raise ValidationError({"meeting_type": _("Choose a type of meeting.")}, code="meeting_type")
    return int(rules.meeting_minutes[meeting_type])


def grid_minutes(rules: TenantRules) -> int:
    """Slots start on a grid of the greatest common divisor of the meeting lengths and the buffer: 15
    minutes with the defaults (15, 30, 45 and a 15-minute buffer). A coarser grid (30) would leave a
    quarter hour unused after every 15- or 45-minute meeting; a finer one offers times no meeting
    length can end on. Never under 5 minutes, whatever a tenant sets."""
    lengths = [int(minutes) for minutes in rules.meeting_minutes.values()] + [int(rules.meeting_buffer_minutes)]
    return max(5, reduce(math.gcd, [length for length in lengths if length > 0], 0) or 15)


def _at(day: datetime.date, hour, zone: ZoneInfo) -> datetime.datetime:
    """`hour` of the rules (9, or 9.5 for 09:30) on `day`, in the tenant's time zone."""
    minutes = round(float(hour) * 60)
    return datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), tzinfo=zone)


def _periods(day: datetime.date, rules: TenantRules) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The bookable stretches of a working day: the day without its break."""
    zone = _zone(rules)
    opens, closes = (_at(day, hour, zone) for hour in rules.meeting_day)
    if rules.meeting_break:
        pause, resume = (_at(day, hour, zone) for hour in rules.meeting_break)
        if opens <= pause < resume <= closes:
            return [(opens, pause), (resume, closes)]
    return [(opens, closes)]


def _bookable_between(now: datetime.datetime, rules: TenantRules) -> tuple[datetime.datetime, datetime.datetime]:
    return (now + datetime.timedelta(hours=rules.booking_min_hours_ahead),
            now + datetime.timedelta(days=rules.booking_max_days_ahead))


def _busy(start: datetime.datetime, minutes: int, rules: TenantRules) -> DateTimeTZRange:
    return DateTimeTZRange(start, start + datetime.timedelta(minutes=minutes + rules.meeting_buffer_minutes), "[)")


def start_of(booking: AutoBooking) -> datetime.datetime:
    return booking.confirmed_time or booking.proposed_time


def _live_meetings(agent, since: datetime.datetime, until: datetime.datetime, exclude=None) -> list[AutoBooking]:
    """The agent's live meetings whose held time may touch [since, until). A live meeting written without
    `busy` (older or seeded data, which the database constraint cannot see) is found by its start."""
    started_from = since - datetime.timedelta(days=1)
    meetings = AutoBooking.objects.filter(agent=agent, status__in=LIVE).filter(
        Q(busy__overlap=DateTimeTZRange(since, until, "[)"))
        | Q(busy__isnull=True, confirmed_time__gte=started_from, confirmed_time__lt=until)
        | Q(busy__isnull=True, confirmed_time__isnull=True, proposed_time__gte=started_from, proposed_time__lt=until))
    if exclude is not None:
        meetings = meetings.exclude(pk=exclude.pk)
    return list(meetings.only("busy", "proposed_time", "confirmed_time", "duration_minutes"))


def _held(meeting: AutoBooking, rules: TenantRules) -> tuple[datetime.datetime, datetime.datetime]:
    """The time a meeting takes from its agent: its `busy` range, or its length plus the buffer."""
    if meeting.busy is not None and not meeting.busy.isempty:
        return meeting.busy.lower, meeting.busy.upper
    start = start_of(meeting)
    return start, start + datetime.timedelta(minutes=meeting.duration_minutes + rules.meeting_buffer_minutes)


# --- availability ----------------------------------------------------------------------------------

def available_slots(*, agent, meeting_type: str, start_date: datetime.date | None = None, days: int = 14,
                    now: datetime.datetime | None = None,
                    exclude: AutoBooking | None = None) -> list[datetime.datetime]:
    """The start times (aware, in the tenant's time zone) at which `agent` can hold a meeting of
    `meeting_type`, on the `days` days from `start_date` (today): working days and hours without the
    break, the whole meeting inside them, from the minimum to the maximum notice, the buffer kept around
    the agent's live meetings, and no day that already has the most meetings allowed. `exclude` is a
    meeting being moved, whose own time does not count against it."""
    rules = tenant_rules()
    zone = _zone(rules)
    now = now or timezone.now()
    length = datetime.timedelta(minutes=meeting_minutes(meeting_type, rules))
    held = length + datetime.timedelta(minutes=rules.meeting_buffer_minutes)
    step = datetime.timedelta(minutes=grid_minutes(rules))
    earliest, latest = _bookable_between(now, rules)
    first = max(start_date or now.astimezone(zone).date(), earliest.astimezone(zone).date())
    last = min((start_date or now.astimezone(zone).date()) + datetime.timedelta(days=days - 1),
               latest.astimezone(zone).date())
    if agent is None or last < first:
        return []
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    taken = [(*_held(meeting, rules), start_of(meeting).astimezone(zone).date())
             for meeting in _live_meetings(agent, since - held, until, exclude)]
    per_day = Counter(day for _lower, _upper, day in taken)
    slots = []
    day = first
    while day <= last:
        if day.weekday() in rules.work_days and per_day[day] < rules.meetings_per_agent_per_day:
            for opens, closes in _periods(day, rules):
                start = opens
                while start + length <= closes:
                    if earliest <= start <= latest and not any(start < upper and lower < start + held
                                                               for lower, upper, _day in taken):
                        slots.append(start)
                    start += step
        day += datetime.timedelta(days=1)
    return slots


def slots_to_move_to(booking: AutoBooking, *, now: datetime.datetime | None = None) -> list[datetime.datetime]:
    """Where a live meeting may move: the agent's free times, its own time counting as free (a move by a
    quarter hour is fine), except the very time it is at."""
    return [slot for slot in available_slots(agent=booking.agent, meeting_type=booking.meeting_type, now=now,
                                             exclude=booking)
            if slot != start_of(booking)]


def slots_by_day(slots: list[datetime.datetime]) -> list[tuple[datetime.date, list[datetime.datetime]]]:
    """[(day, [starts…]), …] in order, for pages that show the free times day by day."""
    grouped: dict[datetime.date, list[datetime.datetime]] = {}
    for slot in slots:
        grouped.setdefault(slot.date(), []).append(slot)
    return list(grouped.items())


def _work_days_text(rules: TenantRules) -> str:
    # The week as the tenant lives it starts on Sunday (weekday 6).
    ordered = sorted(rules.work_days, key=lambda weekday: (weekday + 1) % 7)
    separator = "، " if translation.get_language() == "ar" else ", "
    return separator.join(str(WEEKDAYS[weekday]) for weekday in ordered)


def _slot_taken() -> ValidationError:
    return ValidationError(_("Sorry, that time was just taken. Please choose another time."), code="slot_taken")


def _check_start(*, agent, minutes: int, start, now: datetime.datetime, rules: TenantRules,
                 exclude: AutoBooking | None = None) -> datetime.datetime:
    """Every rule a start time must meet, each with its own answer; returns the start, aware."""
    if not isinstance(start, datetime.datetime):
        raise ValidationError({"start": _("Choose a time.")}, code="start_required")
    if timezone.is_naive(start):
        start = start.replace(tzinfo=_zone(rules))
    zone = _zone(rules)
    local = start.astimezone(zone)
    earliest, latest = _bookable_between(now, rules)
    if start < earliest:
        raise ValidationError(ngettext("Meetings can be booked from %(hours)d hour ahead.",
                                       "Meetings can be booked from %(hours)d hours ahead.",
                                       rules.booking_min_hours_ahead) % {"hours": rules.booking_min_hours_ahead},
                              code="too_soon")
    if start > latest:
        raise ValidationError(ngettext("Meetings can be booked at most %(days)d day ahead.",
                                       "Meetings can be booked at most %(days)d days ahead.",
                                       rules.booking_max_days_ahead) % {"days": rules.booking_max_days_ahead},
                              code="too_far")
    if local.weekday() not in rules.work_days:
        raise ValidationError(_("Meetings are held on working days only: %(days)s.") % {"days": _work_days_text(rules)},
                              code="closed_day")
    length = datetime.timedelta(minutes=minutes)
    period = next(((opens, closes) for opens, closes in _periods(local.date(), rules)
                   if opens <= local and local + length <= closes), None)
    if period is None:
        day_opens, day_closes = (_at(local.date(), hour, zone) for hour in rules.meeting_day)
        values = {"minutes": minutes, "opens": f"{day_opens:%H:%M}", "closes": f"{day_closes:%H:%M}"}
        if rules.meeting_break:
            pause, resume = (_at(local.date(), hour, zone) for hour in rules.meeting_break)
            values.update({"pause": f"{pause:%H:%M}", "resume": f"{resume:%H:%M}"})
            message = _("A %(minutes)d-minute meeting must fit between %(opens)s and %(closes)s, "
                        "outside the %(pause)s–%(resume)s break.")
        else:
            message = _("A %(minutes)d-minute meeting must fit between %(opens)s and %(closes)s.")
        raise ValidationError(message % values, code="outside_hours")
    if (local - period[0]) % datetime.timedelta(minutes=grid_minutes(rules)) or local.second or local.microsecond:
        raise ValidationError(_("Choose one of the times offered."), code="off_grid")
    day_starts = datetime.datetime.combine(local.date(), datetime.time.min, tzinfo=zone)
    held = length + datetime.timedelta(minutes=rules.meeting_buffer_minutes)
    nearby = _live_meetings(agent, day_starts, day_starts + datetime.timedelta(days=1), exclude)
    that_day = [meeting for meeting in nearby if start_of(meeting).astimezone(zone).date() == local.date()]
    if len(that_day) >= rules.meetings_per_agent_per_day:
        raise ValidationError(ngettext("%(agent)s already has %(count)d meeting that day, the most allowed. "
                                       "Please choose another day.",
                                       "%(agent)s already has %(count)d meetings that day, the most allowed. "
                                       "Please choose another day.", len(that_day))
                              % {"agent": agent.full_name, "count": len(that_day)}, code="day_full")
    if any(start < upper and lower < start + held for lower, upper in (_held(meeting, rules) for meeting in nearby)):
        raise _slot_taken()
    return start


def _lock_agent(agent) -> None:
    """One booking write at a time per agent (until the transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"crm.booking:{agent.pk}"])


def _is_double_booking(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == CONSTRAINT or CONSTRAINT in str(error)


def _save_guarded(write):
    """Run `write()` in a savepoint; the exclusion constraint's refusal becomes "just taken"."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        if _is_double_booking(error):
            raise _slot_taken() from error
        raise


# --- who may do what -------------------------------------------------------------------------------

def _require_lead_in_scope(actor, lead: Lead) -> None:
    if actor is None:
        return
    roles.require(actor, roles.CRM_WORK)
    if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise Lead.DoesNotExist(f"Lead {lead.pk} is not visible to this user")


def _require_booking_in_scope(actor, booking: AutoBooking) -> None:
    if actor is None:
        return
    roles.require(actor, roles.CRM_WORK)
    if not AutoBooking.objects.visible_to(actor).filter(pk=booking.pk).exists():
        raise AutoBooking.DoesNotExist(f"Meeting {booking.pk} is not visible to this user")


def contact_of(lead: Lead) -> Contact | None:
    return Contact.objects.filter(lead=lead, merged_into__isnull=True).order_by("created_at").first()


# --- services --------------------------------------------------------------------------------------

@transaction.atomic
def booking_create(*, actor, lead: Lead, meeting_type: str, start: datetime.datetime, agent=None,
                   channel: str = BookingChannel.WHATSAPP, now: datetime.datetime | None = None) -> AutoBooking:
    """Book a meeting with the lead, confirmed at once (booked by the lead or by an agent): the agent is
    the lead's owner unless a manager names another. Confirms to the contact by WhatsApp and by email
    with a calendar invite, puts the meeting on the lead's timeline and tells the agent when someone
    else booked it."""
    _require_lead_in_scope(actor, lead)
    lead = Lead.objects.select_related("assigned_to").get(pk=lead.pk)
    if lead.merged_into_id:
        raise ValidationError(_("This lead was merged into another one; book the meeting there."), code="merged")
    agent = agent or lead.assigned_to
    if agent is None:
        raise ValidationError(_("This lead has no owner yet, so there is no one to meet. Assign the lead first."),
                              code="no_agent")
    if agent.pk != lead.assigned_to_id and actor is not None and not roles.can(actor, roles.CRM_REASSIGN):
        raise ValidationError(_("Only a manager can book a meeting with someone other than the lead's owner."),
                              code="not_owner")
    if not (agent.is_active and roles.can(agent, roles.CRM_WORK)):
        raise ValidationError(_("Meetings can only be booked with an active member of the sales team."),
                              code="inactive_agent")
    if channel not in BookingChannel.values:
        raise ValidationError({"channel": _("Choose WhatsApp or email.")}, code="channel")
    rules = tenant_rules()
    now = now or timezone.now()
    minutes = meeting_minutes(meeting_type, rules)
    _lock_agent(agent)
    start = _check_start(agent=agent, minutes=minutes, start=start, now=now, rules=rules)
    booking = AutoBooking(lead=lead, contact=contact_of(lead), agent=agent, meeting_type=meeting_type,
                          duration_minutes=minutes, proposed_time=start, confirmed_time=start,
                          status=BookingStatus.CONFIRMED, channel=channel, busy=_busy(start, minutes, rules))
    booking.contact_reminded_24h_at = _day_reminder_covered(start, now, rules)
    booking.full_clean()
    _save_guarded(booking.save)
    audit_create(actor=actor, instance=booking)
    _log_activity(actor=actor, booking=booking, subject=gettext_lazy("%(type)s booked for %(when)s"), scheduled=True)
    _tell_contact(actor=actor, booking=booking, key="meeting_confirmation",
                  purpose=MessagePurpose.BOOKING_CONFIRMATION, invite=True)
    if actor is None or actor.pk != agent.pk:
        _tell_agent(booking=booking, type=NotificationType.MEETING_BOOKED,
                    title=gettext_lazy("New meeting: %(type)s with %(name)s, %(when)s"))
    return booking


@transaction.atomic
def booking_reschedule(*, actor, booking: AutoBooking, start: datetime.datetime,
                       now: datetime.datetime | None = None) -> AutoBooking:
    """Move a live meeting to another free time: until the rules' hours before it starts, at most the
    rules' number of times. Sends the contact the new time with an updated invite."""
    _require_booking_in_scope(actor, booking)
    rules = tenant_rules()
    now = now or timezone.now()
    _lock_agent(booking.agent)
    booking = AutoBooking.objects.select_for_update().select_related("agent", "lead").get(pk=booking.pk)
    if booking.status not in LIVE:
        raise ValidationError(_("Only a booked meeting can be moved."), code="not_live")
    if now > start_of(booking) - datetime.timedelta(hours=rules.reschedule_until_hours):
        raise ValidationError(ngettext("A meeting can be moved until %(hours)d hour before it starts.",
                                       "A meeting can be moved until %(hours)d hours before it starts.",
                                       rules.reschedule_until_hours) % {"hours": rules.reschedule_until_hours},
                              code="too_late")
    if booking.reschedule_count >= rules.max_reschedules:
        raise ValidationError(ngettext("A meeting can be moved only %(count)d time; cancel it and book a new one.",
                                       "A meeting can be moved only %(count)d times; cancel it and book a new one.",
                                       rules.max_reschedules) % {"count": rules.max_reschedules},
                              code="too_many_reschedules")
    start = _check_start(agent=booking.agent, minutes=booking.duration_minutes, start=start, now=now, rules=rules,
                         exclude=booking)
    if start == start_of(booking):
        raise ValidationError(_("The meeting is already at that time."), code="same_time")
    changes = {"proposed_time": start, "confirmed_time": start, "busy": _busy(start, booking.duration_minutes, rules),
               "reschedule_count": booking.reschedule_count + 1, **{stamp: None for stamp in REMINDER_STAMPS},
               "contact_reminded_24h_at": _day_reminder_covered(start, now, rules)}
    moved = _save_guarded(lambda: transition(actor=actor, instance=booking, target=BookingStatus.RESCHEDULED,
                                             changes=changes))
    _log_activity(actor=actor, booking=moved, subject=gettext_lazy("%(type)s moved to %(when)s"), scheduled=True)
    _tell_contact(actor=actor, booking=moved, key="meeting_rescheduled", purpose=MessagePurpose.BOOKING_CHANGE,
                  invite=True)
    if actor is None or actor.pk != moved.agent_id:
        _tell_agent(booking=moved, type=NotificationType.MEETING_BOOKED,
                    title=gettext_lazy("Meeting moved: %(type)s with %(name)s, now %(when)s"))
    return moved


@transaction.atomic
def booking_cancel(*, actor, booking: AutoBooking, reason: str, now: datetime.datetime | None = None) -> AutoBooking:
    """Cancel a meeting that has not been held, with a reason. The contact may cancel online (through the
    signed link) until the same hours before the start as for moving it; the team at any time. The
    agent's time is freed, and the contact is told (with a cancelling invite) if the meeting is ahead."""
    _require_booking_in_scope(actor, booking)
    rules = tenant_rules()
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")}, code="reason_required")
    booking = AutoBooking.objects.select_related("agent", "lead").get(pk=booking.pk)
    if booking.status not in LIVE and booking.status != BookingStatus.PROPOSED:
        raise ValidationError(_("This meeting is already closed."), code="closed")
    if actor is None and now > start_of(booking) - datetime.timedelta(hours=rules.reschedule_until_hours):
        raise ValidationError(ngettext(
            "A meeting can be cancelled online until %(hours)d hour before it starts; please contact us instead.",
            "A meeting can be cancelled online until %(hours)d hours before it starts; please contact us instead.",
            rules.reschedule_until_hours) % {"hours": rules.reschedule_until_hours}, code="too_late")
    cancelled = transition(actor=actor, instance=booking, target=BookingStatus.CANCELLED,
                           changes={"cancel_reason": reason, "busy": None})
    _log_activity(actor=actor, booking=cancelled, subject=gettext_lazy("%(type)s on %(when)s cancelled"), body=reason)
    if start_of(cancelled) > now:
        _tell_contact(actor=actor, booking=cancelled, key="meeting_cancelled", purpose=MessagePurpose.BOOKING_CHANGE,
                      invite=True, extra=lambda language: {"reason": reason})
    if actor is None or actor.pk != cancelled.agent_id:
        _tell_agent(booking=cancelled, type=NotificationType.MEETING_BOOKED,
                    title=gettext_lazy("Meeting cancelled: %(type)s with %(name)s, %(when)s"))
    return cancelled


@transaction.atomic
def booking_complete(*, actor, booking: AutoBooking, now: datetime.datetime | None = None) -> AutoBooking:
    """The meeting was held: closed, the agent's time freed, and the lead gets the "attended a meeting"
    engagement signal of RULES.md §1 (which raises its score by the rules' points)."""
    _require_booking_in_scope(actor, booking)
    now = now or timezone.now()
    booking = AutoBooking.objects.select_related("agent", "lead").get(pk=booking.pk)
    if booking.status not in LIVE:
        raise ValidationError(_("This meeting is already closed."), code="closed")
    if now < start_of(booking):
        raise ValidationError(_("A meeting can be marked as held once it has started."), code="not_started")
    held = transition(actor=actor, instance=booking, target=BookingStatus.COMPLETED,
                      changes={"busy": None, "no_show": False})
    _log_activity(actor=actor, booking=held, subject=gettext_lazy("%(type)s held on %(when)s"), done_at=now)
    _add_engagement(actor=actor, lead=held.lead, signal=EngagementSignal.ATTENDED_MEETING)
    return held


@transaction.atomic
def booking_mark_no_show(*, actor, booking: AutoBooking, now: datetime.datetime | None = None) -> AutoBooking:
    """The contact did not come. Recorded by the agent, from the rules' minutes after the start (an
    automatic mark would be wrong whenever the agent simply forgot to close a meeting that was held).
    The meeting is closed as a no-show, the contact is offered new times within 48 hours with their
    booking link, and the lead's third no-show is flagged on its timeline and to its owner."""
    _require_booking_in_scope(actor, booking)
    rules = tenant_rules()
    now = now or timezone.now()
    booking = AutoBooking.objects.select_related("agent", "lead").get(pk=booking.pk)
    if booking.status not in LIVE:
        raise ValidationError(_("This meeting is already closed."), code="closed")
    if now < start_of(booking) + datetime.timedelta(minutes=rules.no_show_after_minutes):
        raise ValidationError(ngettext("A no-show can be recorded from %(minutes)d minute after the start.",
                                       "A no-show can be recorded from %(minutes)d minutes after the start.",
                                       rules.no_show_after_minutes) % {"minutes": rules.no_show_after_minutes},
                              code="too_early")
    missed = transition(actor=actor, instance=booking, target=BookingStatus.COMPLETED,
                        changes={"busy": None, "no_show": True})
    _log_activity(actor=actor, booking=missed, subject=gettext_lazy("No-show: %(type)s on %(when)s"), done_at=now)
    offered = offer_after_no_show(booking=missed, now=now)
    _tell_contact(actor=actor, booking=missed, key="no_show_recovery", purpose=MessagePurpose.NO_SHOW,
                  channels=(MessageChannel.WHATSAPP,),
                  extra=lambda language: {"slots": _slots_text(offered, language, rules)})
    no_shows = AutoBooking.objects.filter(lead=missed.lead, no_show=True).count()
    if no_shows == rules.no_shows_lower_priority:
        _flag_unreliable_lead(actor=actor, booking=missed, count=no_shows)
    return missed


def offer_after_no_show(*, booking: AutoBooking, now: datetime.datetime) -> list[datetime.datetime]:
    """New times within the rules' hours (3 within 48), spread over different half-days where possible.
    When those hours hold no working time (a no-show on Thursday afternoon), the first free times after."""
    rules = tenant_rules()
    wanted = rules.no_show_offer_slots
    slots = available_slots(agent=booking.agent, meeting_type=booking.meeting_type, now=now)
    soon = [slot for slot in slots if slot <= now + datetime.timedelta(hours=rules.no_show_offer_hours)] or slots
    chosen, halves = [], set()
    for slot in soon:
        half = (slot.date(), slot.hour < 12)
        if half not in halves:
            chosen.append(slot)
            halves.add(half)
        if len(chosen) == wanted:
            return chosen
    for slot in soon:
        if slot not in chosen and len(chosen) < wanted:
            chosen.append(slot)
    return sorted(chosen)


def _flag_unreliable_lead(*, actor, booking: AutoBooking, count: int) -> None:
    """RULES.md §3: three no-shows (the rules' number) lower the lead's priority. A lead has no priority field, and its score
    is the documented sum of RULES.md §1's criteria (shown with its breakdown and recomputed on every
    edit), so a deduction hidden in it would be both untrue and undone. The lowered priority is recorded
    where people look instead: a note on the lead's timeline, the owner told, and the meetings card and
    list showing the lead's no-shows."""
    lead = booking.lead
    with translation.override(_user_language(booking.agent)):
        subject = ngettext("Lower priority: %(count)d missed meeting", "Lower priority: %(count)d missed meetings",
                           count) % {"count": count}
        body = ngettext("%(name)s did not come to %(count)d booked meeting. Treat the lead as low priority: "
                        "confirm by phone before booking again.",
                        "%(name)s did not come to %(count)d booked meetings. Treat the lead as low priority: "
                        "confirm by phone before booking again.", count) % {"name": lead.full_name, "count": count}
    activity = Activity(user=booking.agent, lead=lead, type=ActivityType.NOTE, subject=subject[:255], body=body,
                        completed_at=timezone.now())
    activity.full_clean()
    activity.save()
    audit_create(actor=actor, instance=activity)
    _notify(user=booking.agent, type=NotificationType.MEETING_REMINDER, title=f"{subject} · {lead.full_name}"[:255],
            url=_lead_url(booking))


def _day_reminder_covered(start: datetime.datetime, now: datetime.datetime,
                          rules: TenantRules) -> datetime.datetime | None:
    """A meeting booked (or moved) less than a day ahead gets no day-before reminder: the confirmation
    just sent says the same, and on WhatsApp it would spend the contact's daily allowance. Its stamp
    (`contact_reminded_24h_at`, the first of the two reminders) is set at once to record that."""
    return now if start - now <= datetime.timedelta(hours=rules.contact_reminder_hours[0]) else None


def _add_engagement(*, actor, lead: Lead, signal: str) -> None:
    from crm.services import apply_score
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if signal in lead.engagement_signals:
        return
    before = snapshot(lead, ["engagement_signals", "score", "score_breakdown"])
    lead.engagement_signals = [*lead.engagement_signals, signal]
    apply_score(lead)
    lead.save(update_fields=["engagement_signals", "score", "score_breakdown", "updated_at"])
    audit_update(actor=actor, instance=lead, before=before)


# --- what people are told --------------------------------------------------------------------------

def _user_language(user) -> str:
    return getattr(user, "language", None) or translation.get_language() or "ar"


def contact_language(booking: AutoBooking) -> str:
    """The contact's language, else the tenant's."""
    if booking.contact_id and booking.contact.language:
        return booking.contact.language
    return getattr(current_tenant(), "language", None) or "ar"


def format_when(moment: datetime.datetime, language: str, rules: TenantRules | None = None, *,
                short: bool = False) -> str:
    """"Sunday 15 November 2026 (5 Jumada II 1448 AH) · 10:00" in the tenant's time zone and the language;
    `short`: "Sunday 15 November · 10:00"."""
    rules = rules or tenant_rules()
    local = moment.astimezone(_zone(rules))
    with translation.override(language):
        day = formats.date_format(local, "l j F" if short else "l j F Y")
    hijri = "" if short else _hijri_text(local.date(), "ar" if language == "ar" else "en")
    return f"{day} ({hijri}) · {local:%H:%M}" if hijri else f"{day} · {local:%H:%M}"


def _slots_text(slots: list[datetime.datetime], language: str, rules: TenantRules) -> str:
    # One line: it stands inside a sentence, and WhatsApp template values may not break lines.
    separator = "، " if language == "ar" else "; "
    return separator.join(format_when(slot, language, rules, short=True) for slot in slots)


# How a meeting is named inside a sentence ("your demo with …", "موعد عرض توضيحي"): the type's label
# carries its length in brackets, which reads badly mid-sentence.
MEETING_NAMES = {
    MeetingType.DEMO: pgettext_lazy("meeting named in a sentence", "demo"),
    MeetingType.CONSULTATION: pgettext_lazy("meeting named in a sentence", "consultation"),
    MeetingType.CUSTOM_PRESENTATION: pgettext_lazy("meeting named in a sentence", "custom presentation"),
    MeetingType.FOLLOW_UP: pgettext_lazy("meeting named in a sentence", "follow-up meeting"),
}


def _type_label(meeting_type: str, language: str) -> str:
    """The meeting as named inside a sentence to the contact."""
    with translation.override(language):
        return str(MEETING_NAMES.get(meeting_type) or MeetingType(meeting_type).label)


def _type_title(meeting_type: str, language: str) -> str:
    """The meeting as the team's pages name it ("Demo (30 min)")."""
    with translation.override(language):
        return str(MeetingType(meeting_type).label)


def meeting_context(booking: AutoBooking, language: str) -> dict:
    """The template variables of a meeting message, in the contact's language."""
    rules = tenant_rules()
    context = {
        "meeting_type": _type_label(booking.meeting_type, language),
        "meeting_time": format_when(start_of(booking), language, rules),
        "meeting_link": booking.meeting_url or manage_link(booking),
        "booking_link": booking_link(booking.lead),
        "agent_name": booking.agent.full_name,
    }
    if booking.agent.phone:
        context["agent_phone"] = booking.agent.phone
    return context


# Used when a tenant has removed a standard template: the contact is still told, in plain words.
FALLBACK = {
    "meeting_confirmation": (gettext_lazy("Your meeting is confirmed"),
                             gettext_lazy("Your %(meeting_type)s with %(agent_name)s is confirmed for "
                                          "%(meeting_time)s. Details: %(meeting_link)s")),
    "meeting_rescheduled": (gettext_lazy("Your meeting has moved"),
                            gettext_lazy("Your %(meeting_type)s with %(agent_name)s is now on %(meeting_time)s. "
                                         "Details: %(meeting_link)s")),
    "meeting_cancelled": (gettext_lazy("Your meeting is cancelled"),
                          gettext_lazy("Your %(meeting_type)s on %(meeting_time)s is cancelled. "
                                       "To book another time: %(booking_link)s")),
    "meeting_reminder": (gettext_lazy("Reminder of your meeting"),
                         gettext_lazy("A reminder: your %(meeting_type)s with %(agent_name)s is on %(meeting_time)s. "
                                      "Details: %(meeting_link)s")),
    "no_show_recovery": (gettext_lazy("We missed you"),
                         gettext_lazy("We missed you at your %(meeting_type)s. These times are free:\n%(slots)s\n"
                                      "Choose one here: %(booking_link)s")),
}


def _tell_contact(*, actor, booking: AutoBooking, key: str, purpose: str,
                  channels=(MessageChannel.WHATSAPP, MessageChannel.EMAIL), invite: bool = False,
                  extra=None) -> None:
    """Send the standard template `key` on each channel through the message service, which applies
    consent, windows and limits itself (a refusal is recorded there as a failed message). `extra(language)`
    gives more values, in the language the template is written in. A template that cannot be rendered is logged
    and does not undo the meeting."""
    from crm.messaging import message_send
    from crm.templating import standard_template

    language = contact_language(booking)
    for channel in channels:
        template = standard_template(key, channel, language)
        # A template missing in the contact's language comes in the other one; its values follow it.
        written_in = template.language if template is not None else language
        context = {**meeting_context(booking, written_in), **(extra(written_in) if extra else {})}
        subject = body = ""
        if template is None:
            with translation.override(written_in):
                subject_text, body_text = FALLBACK[key]
                subject, body = str(subject_text), str(body_text) % {name: context.get(name, "") for name in
                                                                       ("meeting_type", "agent_name", "meeting_time",
                                                                        "meeting_link", "booking_link", "slots")}
        attachments = ([{"builder": "crm.ics.booking_invite", "args": [str(booking.pk)]}]
                       if invite and channel == MessageChannel.EMAIL else None)
        try:
            with transaction.atomic():
                message_send(actor=actor, channel=channel, contact=booking.contact, lead=booking.lead,
                             template=template, body=body, subject=subject if channel == MessageChannel.EMAIL else "",
                             context=context, purpose=purpose, attachments=attachments)
        except ValidationError:
            logger.exception("meeting %s: the %s message %s could not be written", booking.pk, channel, key)


def _lead_url(booking: AutoBooking) -> str:
    return reverse("crm:lead_detail", args=[booking.lead_id]) + f"#meeting-{booking.pk}"


def _notify(*, user, type: str, title: str, url: str) -> None:
    """On the channels the agent chose for that type (the bell, email); `title` is in their language."""
    notify(user=user, type=type, title=title, url=url)


def _tell_agent(*, booking: AutoBooking, type: str, title) -> None:
    """`title` is a lazy translatable pattern with %(type)s, %(name)s and %(when)s, rendered here in the
    agent's language (the person acting may be the contact, in another language)."""
    language = _user_language(booking.agent)
    with translation.override(language):
        text = str(title) % {"type": _type_title(booking.meeting_type, language), "name": booking.lead.full_name,
                           "when": format_when(start_of(booking), language)}
    _notify(user=booking.agent, type=type, title=text[:255], url=_lead_url(booking))


def _log_activity(*, actor, booking: AutoBooking, subject, body: str = "", scheduled: bool = False,
                  done_at: datetime.datetime | None = None) -> Activity:
    """The meeting's step on the lead's timeline, written in the agent's language (`subject`: a lazy
    pattern with %(type)s and %(when)s). A step is a record of something done, so it is completed when
    written (an open one would show as an overdue task once the meeting has passed); a booking or move
    also carries the meeting's time in `scheduled_at`."""
    language = _user_language(booking.agent)
    with translation.override(language):
        text = str(subject) % {"type": _type_title(booking.meeting_type, language),
                             "when": format_when(start_of(booking), language)}
        if not body:
            body = (_("By %(name)s.") % {"name": actor.full_name} if actor is not None
                    else _("By the contact, through the booking link."))
    activity = Activity(user=booking.agent, lead=booking.lead, type=ActivityType.MEETING, subject=text[:255],
                        body=body, scheduled_at=start_of(booking) if scheduled else None,
                        completed_at=done_at or timezone.now())
    activity.full_clean()
    activity.save()
    audit_create(actor=actor, instance=activity)
    return activity


# --- signed links ----------------------------------------------------------------------------------

def link_salt(kind: str) -> str:
    # The schema is in the salt: a link of one tenant is no link at all on another tenant's host.
    return f"crm.bookings.{kind}:{connection.schema_name}"


def booking_token(lead: Lead) -> str:
    return signing.dumps(str(lead.pk), salt=link_salt("book"))


def manage_token(booking: AutoBooking) -> str:
    return signing.dumps(str(booking.pk), salt=link_salt("manage"))


def _link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=tenant_rules().booking_max_days_ahead)


def lead_for_token(token: str) -> Lead:
    """The lead a booking link was made for (following merges). Raises signing.SignatureExpired,
    signing.BadSignature or Lead.DoesNotExist."""
    lead = Lead.objects.select_related("assigned_to").get(
        pk=signing.loads(token, salt=link_salt("book"), max_age=_link_max_age()))
    seen = set()
    while lead.merged_into_id and lead.pk not in seen:
        seen.add(lead.pk)
        lead = Lead.objects.select_related("assigned_to").get(pk=lead.merged_into_id)
    return lead


def booking_for_token(token: str) -> AutoBooking:
    """The meeting a manage link was made for. Raises like `lead_for_token`."""
    return AutoBooking.objects.select_related("agent", "lead", "contact").get(
        pk=signing.loads(token, salt=link_salt("manage"), max_age=_link_max_age()))


def _absolute(path: str) -> str:
    from dealix.tenancy.services import tenant_url
    return tenant_url(path, tenant=current_tenant())


def booking_link(lead: Lead) -> str:
    """The lead's own booking page (absolute, on the tenant's host): the `{booking_link}` variable."""
    return _absolute(reverse("booking:book", args=[booking_token(lead)]))


def manage_link(booking: AutoBooking) -> str:
    """Where the contact sees, moves or cancels this meeting (absolute, on the tenant's host)."""
    return _absolute(reverse("booking:manage", args=[manage_token(booking)]))


# --- reads -----------------------------------------------------------------------------------------

def meetings_of_lead(*, user, lead: Lead):
    """The lead's meetings the user may see: upcoming live ones first (soonest first), then the rest."""
    meetings = list(AutoBooking.objects.visible_to(user).filter(lead=lead).select_related("agent"))
    now = timezone.now()
    upcoming = sorted((m for m in meetings if m.status in LIVE and start_of(m) >= now - datetime.timedelta(hours=12)),
                      key=start_of)
    others = sorted((m for m in meetings if m not in upcoming), key=start_of, reverse=True)
    return upcoming + others


def meetings_for(*, user, now: datetime.datetime | None = None, past_limit: int = 50):
    """(upcoming, recent) meetings the user may see: an agent's own, a manager's whole team. Upcoming:
    live meetings from the start of today, and times offered to a lead that are still ahead, soonest
    first; recent: the rest, newest first."""
    rules = tenant_rules()
    now = now or timezone.now()
    today = datetime.datetime.combine(now.astimezone(_zone(rules)).date(), datetime.time.min, tzinfo=_zone(rules))
    visible = AutoBooking.objects.visible_to(user).select_related("agent", "lead", "contact")
    upcoming = (visible.filter(Q(status__in=LIVE, confirmed_time__gte=today)
                               | Q(status=BookingStatus.PROPOSED, proposed_time__gte=today))
                .order_by(Coalesce("confirmed_time", "proposed_time")))
    recent = visible.exclude(pk__in=upcoming.values("pk")).order_by("-proposed_time")[:past_limit]
    return upcoming, recent


def no_shows_of(lead: Lead) -> int:
    return AutoBooking.objects.filter(lead=lead, no_show=True).count()


# --- periodic jobs ---------------------------------------------------------------------------------

def _claim(booking_id, stamp: str, now: datetime.datetime) -> bool:
    """Stamp a reminder as sent if no worker has: the conditional UPDATE waits for a concurrent worker's
    transaction and then finds the stamp set, so each reminder goes exactly once."""
    return AutoBooking.objects.filter(pk=booking_id, status__in=LIVE, **{f"{stamp}__isnull": True}).update(
        **{stamp: now}) == 1


def send_booking_reminders(now_iso: str | None = None) -> int:
    """Every minute (the clock): the rules' hours before (24 and 1), remind the contact on the meeting's
    channel; the rules' minutes before (15), remind the agent. Each reminder once; a reminder whose
    moment passed while the clock was down is not sent late. Returns how many went."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    rules = tenant_rules()
    first, second = (datetime.timedelta(hours=hours) for hours in rules.contact_reminder_hours)
    agent_ahead = datetime.timedelta(minutes=rules.agent_reminder_minutes)
    due = (AutoBooking.objects.filter(status__in=LIVE, confirmed_time__gt=now,
                                      confirmed_time__lte=now + max(first, second, agent_ahead))
           .values_list("pk", "confirmed_time", "contact_reminded_24h_at", "contact_reminded_1h_at",
                        "agent_reminded_at"))
    sent = 0
    for pk, start, reminded_24h, reminded_1h, agent_reminded in due:
        left = start - now
        steps = []
        if reminded_24h is None and second < left <= first:
            steps.append("contact_reminded_24h_at")
        if reminded_1h is None and left <= second:
            steps.append("contact_reminded_1h_at")
        if agent_reminded is None and left <= agent_ahead:
            steps.append("agent_reminded_at")
        for stamp in steps:
            with transaction.atomic():
                if not _claim(pk, stamp, now):
                    continue
                booking = AutoBooking.objects.select_related("agent", "lead", "contact").get(pk=pk)
                if stamp == "agent_reminded_at":
                    _tell_agent(booking=booking, type=NotificationType.MEETING_REMINDER,
                                title=gettext_lazy("Soon: %(type)s with %(name)s, %(when)s"))
                else:
                    _tell_contact(actor=None, booking=booking, key="meeting_reminder",
                                  purpose=MessagePurpose.BOOKING_REMINDER, channels=(booking.channel,))
                sent += 1
    return sent


def prompt_meeting_outcomes(now_iso: str | None = None) -> int:
    """No-shows are not marked automatically: a meeting nobody closed may well have been held. From the
    rules' minutes after the start, the agent is asked once, in the product, to record what happened."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    rules = tenant_rules()
    since = now - datetime.timedelta(days=1)
    until = now - datetime.timedelta(minutes=rules.no_show_after_minutes)
    asked = 0
    for booking in (AutoBooking.objects.filter(status__in=LIVE, confirmed_time__gte=since, confirmed_time__lte=until)
                    .select_related("agent", "lead")):
        url = _lead_url(booking) + "-outcome"
        if Notification.objects.filter(user=booking.agent, url=url).exists():  # asked already
            continue
        language = _user_language(booking.agent)
        with translation.override(language):
            title = _("Did %(name)s come to the %(type)s? Record it as held or as a no-show.") % {
                "name": booking.lead.full_name, "type": _type_label(booking.meeting_type, language)}
        _notify(user=booking.agent, type=NotificationType.MEETING_REMINDER, title=title[:255], url=url)
        asked += 1
    return asked
