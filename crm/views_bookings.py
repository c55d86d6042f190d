"""The agents' meeting pages: the "Meetings" card of a lead (book, move, cancel, held, no-show; htmx with
a plain-form fallback) and the list of one's meetings (a manager's: the team's)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm import bookings
from crm.choices import MeetingType
from crm.forms_bookings import BookingForm, CancelForm, RescheduleForm
from crm.models import AutoBooking, Lead
from dealix.accounts import roles
from dealix.core.http import safe_next
from dealix.core.templatetags.dealix import hijri_text


@dataclass(frozen=True)
class SlotDay:
    day: datetime.date
    label: str
    hijri: str
    times: list[tuple[str, str]]   # (ISO value, "10:30")


def slot_days(slots: list[datetime.datetime]) -> list[SlotDay]:
    """Free times grouped by day, labelled in the active language (times as the tenant's wall clock)."""
    return [SlotDay(day, formats.date_format(day, "l j F"), hijri_text(day),
                    [(slot.isoformat(), f"{slot:%H:%M}") for slot in times])
            for day, times in bookings.slots_by_day(slots)]


@dataclass(frozen=True)
class MeetingRow:
    booking: AutoBooking
    start: datetime.datetime
    live: bool
    can_move: bool
    can_cancel: bool
    can_close: bool       # held: from the start
    can_no_show: bool     # no-show: from the rules' minutes after the start


def meeting_rows(meetings, *, can_work: bool, now: datetime.datetime | None = None) -> list[MeetingRow]:
    rules = bookings.tenant_rules()
    now = now or timezone.now()
    rows = []
    for booking in meetings:
        start = bookings.start_of(booking)
        live = booking.status in bookings.LIVE
        rows.append(MeetingRow(
            booking=booking, start=start, live=live,
            can_move=can_work and live and booking.reschedule_count < rules.max_reschedules
            and now <= start - datetime.timedelta(hours=rules.reschedule_until_hours),
            can_cancel=can_work and live,
            can_close=can_work and live and now >= start,
            can_no_show=can_work and live and now >= start + datetime.timedelta(minutes=rules.no_show_after_minutes)))
    return rows


def card_context(request, lead: Lead, *, meeting_type: str = MeetingType.DEMO, error: str = "",
                 notice: str = "") -> dict:
    """What the lead's Meetings card shows; the template tag and the card's own views both use it."""
    can_work = roles.can(request.user, roles.CRM_WORK)
    meetings = bookings.meetings_of_lead(user=request.user, lead=lead)
    slots = (bookings.available_slots(agent=lead.assigned_to, meeting_type=meeting_type)
             if can_work and lead.assigned_to_id and lead.merged_into_id is None else [])
    return {
        "lead": lead,
        "meeting_rows": meeting_rows(meetings, can_work=can_work),
        "meeting_types": MeetingType.choices,
        "meeting_type": meeting_type,
        "slot_days": slot_days(slots),
        "slot_field_id": f"meeting-start-{lead.pk}",
        "no_shows": sum(1 for meeting in meetings if meeting.no_show),
        "can_book": can_work and lead.assigned_to_id is not None,
        "can_work": can_work,
        "meeting_error": error,
        "meeting_notice": notice,
    }


def _visible_lead(request, pk) -> Lead:
    return get_object_or_404(Lead.objects.visible_to(request.user).select_related("assigned_to"), pk=pk)


def _visible_booking(request, pk) -> AutoBooking:
    return get_object_or_404(AutoBooking.objects.visible_to(request.user).select_related("lead", "agent"), pk=pk)


def _card(request, lead: Lead, **extra) -> HttpResponse:
    """The card for htmx; a page around it otherwise (the lead page's link for browsers without JavaScript)."""
    template = "crm/partials/lead_meetings.html" if request.htmx else "crm/lead_meetings.html"
    return render(request, template, {"card": card_context(request, lead, **extra), "lead": lead})


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _form_errors(form) -> str:
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


def _answer(request, booking_or_lead, *, error: str = "", notice: str = "") -> HttpResponse:
    """After a write: the card again (htmx, always 200 so htmx swaps it in), else back where the user
    came from with the outcome as a message."""
    lead = booking_or_lead if isinstance(booking_or_lead, Lead) else booking_or_lead.lead
    if request.htmx:
        lead = Lead.objects.select_related("assigned_to").get(pk=lead.pk)
        return _card(request, lead, error=error, notice=notice)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    fallback = reverse("crm:lead_detail", args=[lead.pk]) + "#lead-meetings"
    return redirect(safe_next(request, fallback))


@roles.capability_required(roles.CRM_VIEW)
def lead_meetings(request, pk):
    """GET: the card (fragment). POST: book a meeting from the card."""
    lead = _visible_lead(request, pk)
    if request.method != "POST":
        meeting_type = request.GET.get("meeting_type")
        response = _card(request, lead, meeting_type=meeting_type if meeting_type in MeetingType.values
                         else MeetingType.DEMO)
        response["Vary"] = "HX-Request"
        return response
    roles.require(request.user, roles.CRM_WORK)
    form = BookingForm(request.POST)
    if not form.is_valid():
        return _answer(request, lead, error=_form_errors(form))
    try:
        booking = bookings.booking_create(actor=request.user, lead=lead, meeting_type=form.cleaned_data["meeting_type"],
                                          start=form.cleaned_data["start"])
    except ValidationError as error:
        return _answer(request, lead, error=_errors(error))
    return _answer(request, booking, notice=_("Meeting booked for %(when)s; the contact is being told.") % {
        "when": bookings.format_when(booking.confirmed_time, request.LANGUAGE_CODE)})


@require_GET
@roles.capability_required(roles.CRM_WORK)
def lead_meeting_slots(request, pk):
    """The free times of the lead's owner for a type of meeting (the card's time picker)."""
    lead = _visible_lead(request, pk)
    meeting_type = request.GET.get("meeting_type") or MeetingType.DEMO
    if meeting_type not in MeetingType.values:
        meeting_type = MeetingType.DEMO
    slots = bookings.available_slots(agent=lead.assigned_to, meeting_type=meeting_type) if lead.assigned_to_id else []
    response = render(request, "crm/partials/meeting_slots.html",
                      {"slot_days": slot_days(slots), "field_id": f"meeting-start-{lead.pk}"})
    response["Vary"] = "HX-Request"
    return response


@roles.capability_required(roles.CRM_WORK)
def meeting_reschedule(request, pk):
    """GET: the form with the free times (a fragment under the meeting, or a page without JavaScript).
    POST: move the meeting."""
    booking = _visible_booking(request, pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            return _answer(request, booking, error=_form_errors(form))
        try:
            moved = bookings.booking_reschedule(actor=request.user, booking=booking, start=form.cleaned_data["start"])
        except ValidationError as error:
            return _answer(request, booking, error=_errors(error))
        return _answer(request, moved, notice=_("Meeting moved to %(when)s; the contact is being told.") % {
            "when": bookings.format_when(moved.confirmed_time, request.LANGUAGE_CODE)})
    slots = bookings.slots_to_move_to(booking)
    context = {"booking": booking, "slot_days": slot_days(slots), "field_id": f"move-start-{booking.pk}",
               "start": bookings.start_of(booking)}
    template = "crm/partials/meeting_reschedule.html" if request.htmx else "crm/meeting_reschedule.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@require_POST
@roles.capability_required(roles.CRM_WORK)
def meeting_cancel(request, pk):
    booking = _visible_booking(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _answer(request, booking, error=_form_errors(form))
    try:
        bookings.booking_cancel(actor=request.user, booking=booking, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _answer(request, booking, error=_errors(error))
    return _answer(request, booking, notice=_("Meeting cancelled."))


@require_POST
@roles.capability_required(roles.CRM_WORK)
def meeting_complete(request, pk):
    booking = _visible_booking(request, pk)
    try:
        bookings.booking_complete(actor=request.user, booking=booking)
    except ValidationError as error:
        return _answer(request, booking, error=_errors(error))
    return _answer(request, booking, notice=_("Meeting recorded as held."))


@require_POST
@roles.capability_required(roles.CRM_WORK)
def meeting_no_show(request, pk):
    booking = _visible_booking(request, pk)
    try:
        bookings.booking_mark_no_show(actor=request.user, booking=booking)
    except ValidationError as error:
        return _answer(request, booking, error=_errors(error))
    return _answer(request, booking, notice=_("No-show recorded; the contact is offered new times."))


@require_GET
@roles.capability_required(roles.CRM_VIEW)
def meeting_list(request):
    """Upcoming meetings first (soonest first), then the recent ones; an agent's own, a manager's team's."""
    upcoming, recent = bookings.meetings_for(user=request.user)
    can_work = roles.can(request.user, roles.CRM_WORK)
    return render(request, "crm/meeting_list.html", {
        "upcoming": meeting_rows(upcoming, can_work=can_work),
        "recent": meeting_rows(recent, can_work=can_work),
        "show_agent": roles.record_scope(request.user) == roles.SCOPE_ALL,
        "can_work": can_work,
    })
