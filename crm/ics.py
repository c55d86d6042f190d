"""The calendar invite (iCalendar, RFC 5545/5546) attached to meeting emails. Built when the email is
delivered, from the meeting as it is then, so a late delivery never carries an outdated time: one UID
per meeting, SEQUENCE = how many times it moved, METHOD:CANCEL with STATUS:CANCELLED once cancelled."""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.bookings import contact_language, current_tenant, manage_link, start_of, tenant_rules
from crm.choices import BookingStatus, MeetingType
from crm.models import AutoBooking
from dealix.tenancy.services import host_for

PRODUCT_ID = "-//Dealix//Meetings//EN"


def booking_invite(booking_id: str) -> tuple[str, bytes, str]:
    """(filename, the .ics bytes, "text/calendar") for the meeting, in the contact's language."""
    booking = AutoBooking.objects.select_related("agent", "lead", "contact").get(pk=booking_id)
    rules = tenant_rules()
    zone = ZoneInfo(rules.time_zone)
    tenant = current_tenant()
    host = host_for(tenant.slug) if getattr(tenant, "slug", None) else "dealix"
    start = start_of(booking).astimezone(zone)
    end = start + datetime.timedelta(minutes=booking.duration_minutes)
    cancelled = booking.status == BookingStatus.CANCELLED
    language = contact_language(booking)
    link = booking.meeting_url or manage_link(booking)

    with translation.override(language):
        kind = str(MeetingType(booking.meeting_type).label)
        summary = f"{kind} · {getattr(tenant, 'name', '')}" if getattr(tenant, "name", "") else kind
        description = "\n".join(line for line in (
            _("With %(name)s.") % {"name": booking.agent.full_name},
            "" if cancelled else _("To move or cancel the meeting: %(link)s") % {"link": manage_link(booking)},
        ) if line)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"meeting-{booking.pk}@{host}")
    event.add("sequence", booking.reschedule_count)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", link)
    event.add("url", link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{booking.agent.email}")
    organizer.params["cn"] = icalendar.vText(booking.agent.full_name)
    event.add("organizer", organizer)
    attendee_email = (booking.contact.email if booking.contact_id else "") or booking.lead.email
    if attendee_email:
        attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
        attendee.params["cn"] = icalendar.vText(booking.contact.full_name if booking.contact_id
                                                else booking.lead.full_name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        attendee.params["rsvp"] = icalendar.vText("TRUE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()  # the VTIMEZONE of the tenant's zone, which DTSTART/DTEND name by TZID
    filename = "cancelled-meeting.ics" if cancelled else "meeting.ics"
    return filename, calendar.to_ical(), "text/calendar"
