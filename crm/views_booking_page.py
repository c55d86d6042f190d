"""The public booking pages (no login), on the tenant's host: a lead's signed booking link shows the free
times of the lead's owner and books one; a meeting's signed manage link shows it and moves or cancels it
under the same rules as for the team. A link of another tenant, a changed link or an expired one opens
nothing but a page that says so."""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from crm import bookings, services
from crm.choices import BookingChannel, MeetingType
from crm.forms_bookings import BookingForm, PublicCancelForm, RescheduleForm
from crm.models import AutoBooking, Lead
from crm.views_bookings import slot_days
from dealix.core.middleware import client_ip

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _speak(request, language: str | None) -> None:
    """The contact's language, unless the visitor chose one (`?lang=`, which the language middleware has
    already applied and remembered in the cookie)."""
    chosen = "lang" in QueryDict(request.META.get("QUERY_STRING", "")) or request.COOKIES.get(
        settings.LANGUAGE_COOKIE_NAME)
    if not chosen and language in LANGUAGE_CODES:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _render(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["Content-Language"] = request.LANGUAGE_CODE
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"  # a page about one person's meeting
    return response


def _refused(request, *, expired: bool):
    _speak(request, request.tenant.language)
    return _render(request, "crm/public/booking_refused.html", {"expired": expired}, status=410 if expired else 404)


def _booking_channel(lead: Lead, contact) -> str:
    """Reminders go on WhatsApp when there is a number to send to, else by email."""
    has_number = (contact is not None and (contact.whatsapp or contact.phone)) or lead.phone
    return BookingChannel.WHATSAPP if has_number else BookingChannel.EMAIL


# The zone's city in words the visitor reads; any other zone is named by its city as the database has it.
ZONE_NAMES = {"Asia/Riyadh": gettext_lazy("Riyadh")}


def _zone_context() -> dict:
    name = bookings.tenant_rules().time_zone
    offset = timezone.now().astimezone(ZoneInfo(name)).strftime("%z")
    return {"zone_name": ZONE_NAMES.get(name) or name.split("/")[-1].replace("_", " "),
            "zone_offset": f"{offset[:3]}:{offset[3:]}"}


def _announce_referral(request, lead: Lead) -> None:
    """An affiliate's link to the booking page carries `?ref=CODE`; the affiliate programme decides
    whether that code claims the lead (the link is signed for this lead, so only its holder gets here)."""
    code = "".join(ch for ch in request.GET.get("ref", "").upper() if ch.isalnum())[:20]
    if code:
        transaction.on_commit(lambda: services.lead_referred.send(
            sender=Lead, lead_id=lead.pk, code=code, source="booking", ip=client_ip(request)))


@login_not_required
def book(request, token):
    try:
        lead = bookings.lead_for_token(token)
    except signing.SignatureExpired:
        return _refused(request, expired=True)
    except (signing.BadSignature, Lead.DoesNotExist, ValueError, ValidationError):
        return _refused(request, expired=False)
    contact = bookings.contact_of(lead)
    _speak(request, contact.language if contact is not None else request.tenant.language)
    _announce_referral(request, lead)
    upcoming = (AutoBooking.objects.filter(lead=lead, status__in=bookings.LIVE, confirmed_time__gt=timezone.now())
                .order_by("confirmed_time").first())
    if upcoming is not None:
        # One meeting at a time through the public link: the contact moves or cancels it instead.
        return redirect(reverse("booking:manage", args=[bookings.manage_token(upcoming)]))
    meeting_type = request.POST.get("meeting_type") or request.GET.get("meeting_type") or MeetingType.DEMO
    if meeting_type not in MeetingType.values:
        meeting_type = MeetingType.DEMO
    error, status = "", 200
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            try:
                booking = bookings.booking_create(actor=None, lead=lead, meeting_type=form.cleaned_data["meeting_type"],
                                                  start=form.cleaned_data["start"],
                                                  channel=_booking_channel(lead, contact))
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
                status = 409 if getattr(refusal, "code", "") == "slot_taken" else 400
            else:
                return redirect(reverse("booking:manage", args=[bookings.manage_token(booking)]) + "?done=booked")
        else:
            error, status = " ".join(str(m) for messages in form.errors.values() for m in messages), 400
    slots = (bookings.available_slots(agent=lead.assigned_to, meeting_type=meeting_type)
             if lead.assigned_to_id and lead.assigned_to.is_active else [])
    return _render(request, "crm/public/booking.html", {
        "lead": lead, "agent": lead.assigned_to, "token": token, "error": error,
        "meeting_type": meeting_type, "meeting_types": MeetingType.choices, "slot_days": slot_days(slots),
        **_zone_context()}, status=status)


@login_not_required
def manage(request, token):
    try:
        booking = bookings.booking_for_token(token)
    except signing.SignatureExpired:
        return _refused(request, expired=True)
    except (signing.BadSignature, AutoBooking.DoesNotExist, ValueError, ValidationError):
        return _refused(request, expired=False)
    _speak(request, booking.contact.language if booking.contact_id else request.tenant.language)
    rules = bookings.tenant_rules()
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "move":
                form = RescheduleForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["start"])
                bookings.booking_reschedule(actor=None, booking=booking, start=form.cleaned_data["start"])
                return redirect(request.path + "?done=moved")
            if action == "cancel":
                form = PublicCancelForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                if not reason.strip():
                    with translation.override(getattr(booking.agent, "language", None) or request.tenant.language):
                        reason = _("Cancelled by the contact through the booking link.")
                bookings.booking_cancel(actor=None, booking=booking, reason=reason)
                return redirect(request.path + "?done=cancelled")
            error, status = _("Choose what to do with the meeting."), 400
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
            status = 409 if getattr(refusal, "code", "") == "slot_taken" else 400
        booking.refresh_from_db()
    start = bookings.start_of(booking)
    now = timezone.now()
    live = booking.status in bookings.LIVE and start > now
    open_online = live and now <= start - datetime.timedelta(hours=rules.reschedule_until_hours)
    can_move = open_online and booking.reschedule_count < rules.max_reschedules
    slots = (bookings.slots_to_move_to(booking)
             if can_move else [])
    return _render(request, "crm/public/booking_manage.html", {
        "booking": booking, "start": start, "live": live, "can_move": can_move, "can_cancel": open_online,
        "moves_left": max(0, rules.max_reschedules - booking.reschedule_count),
        "hours": rules.reschedule_until_hours, "done": request.GET.get("done", ""), "error": error,
        "slot_days": slot_days(slots), "cancel_form": PublicCancelForm(),
        "book_again": reverse("booking:book", args=[bookings.booking_token(booking.lead)]),
        **_zone_context()}, status=status)
