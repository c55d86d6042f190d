"""Meetings (RULES.md §3): when an agent is free, booking, moving, cancelling, held and no-show, the
reminders, the calendar invite, the public booking page and the agents' pages. Service tests use fixed
Riyadh times in 2030 (passed as `now`), so the rules are tested on the days and hours they talk about;
page tests use real times a few days ahead."""
import datetime
import re
import threading
import time
from zoneinfo import ZoneInfo

import django_rq
import icalendar
import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone, translation
from django_tenants.utils import get_public_schema_name, schema_context

from compliance.services import consent_record
from crm import bookings
from crm.bookings import (available_slots, booking_cancel, booking_complete, booking_create, booking_mark_no_show,
                          booking_reschedule, send_booking_reminders)
from crm.choices import ActivityType, BookingStatus, MessageChannel, MessagePurpose
from crm.ics import booking_invite
from crm.models import Activity, AutoBooking, Contact, Lead, Message
from dealix.accounts.models import User
from dealix.core.models import AuditLog, Notification
from tests.factories import AutoBookingFactory, ContactFactory, LeadFactory

RIYADH = ZoneInfo("Asia/Riyadh")


def riyadh(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime.datetime:
    return datetime.datetime(2030, month, day, hour, minute, tzinfo=RIYADH)


SUNDAY_7 = riyadh(6, 7)                  # Sunday 6 January 2030, before the working day
SUNDAY = datetime.date(2030, 1, 6)


def times_on(slots, day: datetime.date) -> list[str]:
    return [f"{slot.astimezone(RIYADH):%H:%M}" for slot in slots if slot.astimezone(RIYADH).date() == day]


def quarter_hours(start: str, last: str) -> list[str]:
    moment = datetime.datetime.strptime(start, "%H:%M")
    end = datetime.datetime.strptime(last, "%H:%M")
    found = []
    while moment <= end:
        found.append(f"{moment:%H:%M}")
        moment += datetime.timedelta(minutes=15)
    return found


@pytest.fixture
def agent(in_tenant_a):
    return User.objects.get(email="agent@a.test")


@pytest.fixture
def lead(agent):
    return LeadFactory(assigned_to=agent, full_name="نورة القحطاني", phone="+966501110001",
                       email="noura@example.sa")


@pytest.fixture
def contact(lead, agent):
    contact = ContactFactory(lead=lead, owner=agent, full_name="نورة القحطاني", phone="+966501110001",
                             whatsapp="+966501110001", email="noura@example.sa", language="ar")
    for channel in ("whatsapp", "email"):
        consent_record(actor=None, contact=contact, channel=channel, granted=True, source="test")
    return contact


def live_meeting(agent, lead, start, minutes=30, status=BookingStatus.CONFIRMED):
    """A meeting already in the agent's calendar, written directly (as a seed or an import would)."""
    return AutoBooking.objects.create(
        lead=lead, agent=agent, meeting_type="demo", duration_minutes=minutes, proposed_time=start,
        confirmed_time=start, status=status,
        busy=DateTimeTZRange(start, start + datetime.timedelta(minutes=minutes + 15), "[)")
        if status in bookings.LIVE else None)


def book(agent, lead, start, meeting_type="demo", now=SUNDAY_7, actor="agent"):
    return booking_create(actor=agent if actor == "agent" else actor, lead=lead, meeting_type=meeting_type,
                          start=start, now=now)


# --- availability --------------------------------------------------------------------------------------

def test_free_times_are_working_days_from_nine_to_five_around_the_lunch_break(agent):
    slots = available_slots(agent=agent, meeting_type="demo", now=SUNDAY_7, days=7)

    assert times_on(slots, SUNDAY) == quarter_hours("09:00", "11:30") + quarter_hours("13:00", "16:30")
    days = {slot.astimezone(RIYADH).date() for slot in slots}
    assert days == {SUNDAY + datetime.timedelta(days=offset) for offset in range(5)}  # Sunday to Thursday
    assert all(slot.astimezone(RIYADH).weekday() not in (4, 5) for slot in slots)  # never Friday or Saturday


def test_a_longer_meeting_must_end_before_the_break_and_before_five(agent):
    slots = available_slots(agent=agent, meeting_type="custom_presentation", now=SUNDAY_7, days=1)

    assert times_on(slots, SUNDAY) == quarter_hours("09:00", "11:15") + quarter_hours("13:00", "16:15")


def test_the_agents_meetings_are_kept_free_with_a_quarter_hour_either_side(agent, lead):
    live_meeting(agent, lead, riyadh(6, 10, 0))   # 10:00–10:30, so 09:45 and 10:45 are the nearest ends/starts

    times = times_on(available_slots(agent=agent, meeting_type="demo", now=SUNDAY_7, days=1), SUNDAY)

    assert "09:15" in times and "10:45" in times
    assert not {"09:30", "09:45", "10:00", "10:15", "10:30"} & set(times)


def test_cancelled_meetings_and_other_agents_meetings_do_not_take_the_agents_time(agent, lead):
    other = User.objects.get(email="agent2@a.test")
    live_meeting(agent, lead, riyadh(6, 10, 0), status=BookingStatus.CANCELLED)
    live_meeting(other, LeadFactory(assigned_to=other), riyadh(6, 11, 0))

    times = times_on(available_slots(agent=agent, meeting_type="demo", now=SUNDAY_7, days=1), SUNDAY)

    assert {"10:00", "11:00"} <= set(times)


def test_a_live_meeting_written_without_its_busy_time_still_takes_the_agents_time(agent, lead):
    seeded = AutoBookingFactory(agent=agent, lead=lead, confirmed=True, meeting_type="demo", duration_minutes=30,
                                proposed_time=riyadh(6, 10, 0), busy=None)
    assert seeded.busy is None  # as a row written by a script or an older version may have it

    times = times_on(available_slots(agent=agent, meeting_type="demo", now=SUNDAY_7, days=1), SUNDAY)

    assert "09:15" in times and not {"09:30", "10:00", "10:30"} & set(times) and "10:45" in times
    with pytest.raises(ValidationError) as refused:
        book(agent, lead, riyadh(6, 10, 15))
    assert refused.value.code == "slot_taken"


def test_a_day_with_eight_meetings_offers_no_more(agent, lead):
    for hour, minute in [(9, 0), (9, 45), (10, 30), (11, 15), (13, 0), (13, 45), (14, 30), (15, 15)]:
        live_meeting(agent, lead, riyadh(6, hour, minute))

    slots = available_slots(agent=agent, meeting_type="consultation", now=SUNDAY_7, days=2)

    assert times_on(slots, SUNDAY) == []
    assert times_on(slots, SUNDAY + datetime.timedelta(days=1))  # Monday is open as usual
    with pytest.raises(ValidationError) as refused:
        book(agent, lead, riyadh(6, 16, 0), meeting_type="consultation")
    assert refused.value.code == "day_full"



@pytest.mark.parametrize("most, arabic", [
    (1, "في ذلك اليوم اجتماع واحد بالفعل"),
    (2, "في ذلك اليوم اجتماعان بالفعل"),
    (3, "في ذلك اليوم 3 اجتماعات بالفعل"),
])
def test_a_full_day_is_told_in_arabic_with_the_number_of_meetings(agent, lead, in_tenant_a, most, arabic):
    in_tenant_a.settings = {**in_tenant_a.settings, "rules": {"meetings_per_agent_per_day": most}}
    for hour in (9, 10, 11)[:most]:
        live_meeting(agent, lead, riyadh(6, hour, 0))

    with translation.override("ar"), pytest.raises(ValidationError) as refused:
        book(agent, lead, riyadh(6, 15, 0))

    assert refused.value.code == "day_full"
    assert refused.value.messages == [f"لدى {agent.full_name} {arabic}، وهو الحد الأقصى المسموح به. "
                                      "اختر يومًا آخر من فضلك."]

def test_meetings_are_bookable_from_two_hours_to_fourteen_days_ahead(agent):
    now = riyadh(6, 11, 0)

    slots = available_slots(agent=agent, meeting_type="demo", now=now, days=30)

    assert slots[0] == riyadh(6, 13, 0)           # 11:00 + 2 h, and the break ends at 13:00
    assert max(slots) == riyadh(20, 11, 0)         # exactly 14 days on: Sunday the 20th, 11:00


@pytest.mark.parametrize("start, code", [
    (riyadh(6, 8, 45), "too_soon"),
    (riyadh(21, 10, 0), "too_far"),
    (riyadh(11, 10, 0), "closed_day"),           # a Friday
    (riyadh(6, 11, 45), "outside_hours"),        # a 30-minute demo would run into the break
    (riyadh(6, 16, 45), "outside_hours"),        # …or past five
    (riyadh(6, 10, 7), "off_grid"),
])
def test_a_time_that_breaks_a_rule_is_refused_with_its_reason(agent, lead, start, code):
    with pytest.raises(ValidationError) as refused:
        book(agent, lead, start)

    assert refused.value.code == code
    assert not AutoBooking.objects.filter(lead=lead).exists()


def test_the_numbers_come_from_the_tenants_rules(agent, in_tenant_a):
    in_tenant_a.settings = {**in_tenant_a.settings, "rules": {"meeting_day": [10, 14], "meeting_break": [12, 12]}}

    times = times_on(available_slots(agent=agent, meeting_type="demo", now=SUNDAY_7, days=1), SUNDAY)

    assert times[0] == "10:00" and times[-1] == "13:30"


# --- booking ---------------------------------------------------------------------------------------------

def test_a_booking_is_confirmed_at_once_and_holds_the_meeting_plus_the_buffer(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))

    assert booking.status == BookingStatus.CONFIRMED and booking.agent == agent and booking.contact == contact
    assert booking.confirmed_time == riyadh(7, 10, 0) and booking.duration_minutes == 30
    assert (booking.busy.lower, booking.busy.upper) == (riyadh(7, 10, 0), riyadh(7, 10, 45))
    assert AuditLog.objects.filter(entity_type="crm.autobooking", entity_id=booking.pk, action="create").exists()


def test_a_booking_shows_on_the_leads_timeline(agent, lead, contact):
    book(agent, lead, riyadh(7, 10, 0))

    meeting = Activity.objects.get(lead=lead, type=ActivityType.MEETING)
    assert meeting.user == agent and meeting.scheduled_at == riyadh(7, 10, 0)


def test_the_contact_gets_the_confirmation_by_whatsapp_and_by_email_with_the_invite(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))

    sent = {message.channel: message for message in Message.objects.filter(
        contact=contact, purpose=MessagePurpose.BOOKING_CONFIRMATION)}
    assert set(sent) == {MessageChannel.WHATSAPP, MessageChannel.EMAIL}
    assert all(message.status == "queued" for message in sent.values())
    assert sent[MessageChannel.EMAIL].payload["attachments"] == [
        {"builder": "crm.ics.booking_invite", "args": [str(booking.pk)]}]
    assert "10:00" in sent[MessageChannel.WHATSAPP].content and "نورة" in sent[MessageChannel.WHATSAPP].content


def test_a_contact_without_consent_is_not_messaged_but_the_refusal_is_kept(agent, lead):
    ContactFactory(lead=lead, owner=agent, language="en")

    book(agent, lead, riyadh(7, 10, 0))

    confirmations = Message.objects.filter(lead=lead, purpose=MessagePurpose.BOOKING_CONFIRMATION)
    assert confirmations.count() == 2 and {message.status for message in confirmations} == {"failed"}


def test_the_same_time_cannot_be_booked_twice(agent, lead, contact):
    book(agent, lead, riyadh(7, 10, 0))

    with pytest.raises(ValidationError) as refused:
        book(agent, LeadFactory(assigned_to=agent), riyadh(7, 10, 15))

    assert refused.value.code == "slot_taken"
    assert refused.value.code == "slot_taken"


def test_a_lead_without_an_owner_cannot_be_booked(agent, in_tenant_a):
    manager = User.objects.get(email="manager@a.test")
    orphan = LeadFactory(assigned_to=None)

    with pytest.raises(ValidationError) as refused:
        booking_create(actor=manager, lead=orphan, meeting_type="demo", start=riyadh(7, 10, 0), now=SUNDAY_7)

    assert refused.value.code == "no_agent"


def test_an_agent_cannot_book_a_meeting_on_another_agents_lead(agent, in_tenant_a):
    other = User.objects.get(email="agent2@a.test")
    theirs = LeadFactory(assigned_to=other)

    with pytest.raises(Lead.DoesNotExist):
        booking_create(actor=agent, lead=theirs, meeting_type="demo", start=riyadh(7, 10, 0), now=SUNDAY_7)


def test_when_the_lead_books_the_agent_is_told(agent, lead, contact):
    book(agent, lead, riyadh(7, 10, 0), actor=None)

    assert Notification.objects.filter(user=agent, type="meeting_booked", channel="in_app").count() == 1


# --- two people, one time ---------------------------------------------------------------------------------

@pytest.fixture
def committed(django_db_blocker):
    """A lead of tenant A committed to the database, so threads with their own connections see it; all
    that the test writes is removed afterwards (the suite's other tests roll back and never see it)."""
    from dealix.tenancy.models import Tenant
    with django_db_blocker.unblock():
        with schema_context(get_public_schema_name()):
            tenant = Tenant.objects.get(slug="tenant-a")
        connection.set_tenant(tenant)
        agent = User.objects.get(email="agent2@a.test")
        lead = Lead.objects.create(full_name="Race Lead", assigned_to=agent, phone="+966501119999")
        started = timezone.now()
    yield tenant, agent, lead
    with django_db_blocker.unblock():
        connection.set_tenant(tenant)
        meetings = list(AutoBooking.objects.filter(lead=lead).values_list("pk", flat=True))
        activities = list(Activity.objects.filter(lead=lead).values_list("pk", flat=True))
        messages = list(Message.objects.filter(lead=lead).values_list("pk", flat=True))
        Message.objects.filter(pk__in=messages).delete()
        Activity.objects.filter(pk__in=activities).delete()
        AutoBooking.objects.filter(pk__in=meetings).delete()
        Notification.objects.filter(user=agent, created_at__gte=started).delete()
        with connection.cursor() as cursor:  # audit rows are append-only for the application, not for a test
            cursor.execute("DELETE FROM core_auditlog WHERE entity_id = ANY(%s)",
                           [[lead.pk, *meetings, *activities, *messages]])
        Lead.objects.filter(pk=lead.pk).delete()
        connection.set_schema_to_public()
        django_rq.get_queue("default").empty()


def in_a_thread(tenant, work, results):
    def run():
        connection.set_tenant(tenant)
        try:
            results.append(work())
        except ValidationError as error:
            results.append(error)
        finally:
            connection.close()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_people_booking_the_same_time_at_once_get_one_meeting_between_them(committed, django_db_blocker):
    tenant, agent, lead = committed
    start = riyadh(8, 11, 0)
    ready = threading.Barrier(2)
    results = []

    def attempt():
        ready.wait()
        return booking_create(actor=None, lead=lead, meeting_type="demo", start=start, now=SUNDAY_7)

    with django_db_blocker.unblock():
        threads = [in_a_thread(tenant, attempt, results) for _ in range(2)]
        for thread in threads:
            thread.join()
        connection.set_tenant(tenant)
        assert AutoBooking.objects.filter(agent=agent, status__in=bookings.LIVE).count() == 1

    booked = [result for result in results if isinstance(result, AutoBooking)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(booked) == 1 and len(refused) == 1
    assert refused[0].code == "slot_taken"


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_a_meeting_written_behind_the_services_back_is_still_refused_by_the_database(committed,
                                                                                      django_db_blocker):
    """The exclusion constraint is the last line: a writer that skipped every check (an import, a
    script) holds the time in an open transaction; our booking passes its checks, waits for it, and is
    then refused as "just taken" rather than with a database error."""
    tenant, agent, lead = committed
    start = riyadh(8, 13, 0)
    written, results = threading.Event(), []

    def raw_writer():
        with transaction.atomic():
            meeting = live_meeting(agent, lead, start)
            written.set()
            deadline = time.monotonic() + 30
            while not _waiting_on_a_lock() and time.monotonic() < deadline:
                time.sleep(0.05)
        return meeting

    with django_db_blocker.unblock():
        writer = in_a_thread(tenant, raw_writer, results)
        written.wait(timeout=30)
        connection.set_tenant(tenant)
        with pytest.raises(ValidationError) as refused:
            booking_create(actor=None, lead=lead, meeting_type="demo", start=start, now=SUNDAY_7)
        writer.join()
        assert AutoBooking.objects.filter(agent=agent, status__in=bookings.LIVE).count() == 1

    assert refused.value.code == "slot_taken"
    assert isinstance(refused.value.__cause__, IntegrityError)  # the database's refusal, put in words


# --- moving, cancelling, closing -------------------------------------------------------------------------

def test_a_meeting_moves_to_a_free_time_and_frees_the_old_one(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))

    moved = booking_reschedule(actor=agent, booking=booking, start=riyadh(8, 14, 0), now=SUNDAY_7)

    assert moved.status == BookingStatus.RESCHEDULED and moved.reschedule_count == 1
    assert moved.confirmed_time == riyadh(8, 14, 0) and moved.busy.lower == riyadh(8, 14, 0)
    assert riyadh(7, 10, 0) in available_slots(agent=agent, meeting_type="demo", now=SUNDAY_7)
    assert Message.objects.filter(contact=contact, purpose=MessagePurpose.BOOKING_CHANGE).count() == 2


def test_a_meeting_can_be_moved_at_most_twice(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))
    booking_reschedule(actor=agent, booking=booking, start=riyadh(8, 10, 0), now=SUNDAY_7)
    booking_reschedule(actor=agent, booking=booking, start=riyadh(9, 10, 0), now=SUNDAY_7)

    with pytest.raises(ValidationError) as refused:
        booking_reschedule(actor=agent, booking=booking, start=riyadh(10, 10, 0), now=SUNDAY_7)

    assert refused.value.code == "too_many_reschedules"
    booking.refresh_from_db()
    assert booking.confirmed_time == riyadh(9, 10, 0) and booking.reschedule_count == 2


def test_a_meeting_cannot_be_moved_in_the_last_two_hours(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))

    with pytest.raises(ValidationError) as refused:
        booking_reschedule(actor=agent, booking=booking, start=riyadh(8, 10, 0), now=riyadh(7, 8, 1))

    assert refused.value.code == "too_late"
    booking_reschedule(actor=agent, booking=booking, start=riyadh(8, 10, 0), now=riyadh(7, 8, 0))  # just in time


def test_a_meeting_cannot_be_moved_onto_another(agent, lead, contact):
    live_meeting(agent, LeadFactory(assigned_to=agent), riyadh(8, 10, 0))
    booking = book(agent, lead, riyadh(7, 10, 0))

    with pytest.raises(ValidationError) as refused:
        booking_reschedule(actor=agent, booking=booking, start=riyadh(8, 10, 30), now=SUNDAY_7)

    assert refused.value.code == "slot_taken"


def test_cancelling_needs_a_reason_and_frees_the_time(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))
    with pytest.raises(ValidationError):
        booking_cancel(actor=agent, booking=booking, reason="  ", now=SUNDAY_7)

    cancelled = booking_cancel(actor=agent, booking=booking, reason="The client travels", now=SUNDAY_7)

    assert cancelled.status == BookingStatus.CANCELLED and cancelled.busy is None
    assert cancelled.cancel_reason == "The client travels"
    assert riyadh(7, 10, 0) in available_slots(agent=agent, meeting_type="demo", now=SUNDAY_7)
    email = Message.objects.get(contact=contact, purpose=MessagePurpose.BOOKING_CHANGE, channel="email")
    assert email.payload["attachments"][0]["builder"] == "crm.ics.booking_invite"


def test_the_contact_cannot_cancel_online_in_the_last_two_hours_but_the_agent_can(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))

    with pytest.raises(ValidationError) as refused:
        booking_cancel(actor=None, booking=booking, reason="sick", now=riyadh(7, 9, 0))
    assert refused.value.code == "too_late"

    assert booking_cancel(actor=agent, booking=booking, reason="sick", now=riyadh(7, 9, 0)).status == "cancelled"


def test_a_held_meeting_counts_as_attended_for_the_leads_score(agent, lead, contact):
    Lead.objects.filter(pk=lead.pk).update(engagement_signals=[])
    booking = book(agent, lead, riyadh(7, 10, 0))
    with pytest.raises(ValidationError):
        booking_complete(actor=agent, booking=booking, now=riyadh(7, 9, 59))

    held = booking_complete(actor=agent, booking=booking, now=riyadh(7, 10, 20))

    lead.refresh_from_db()
    assert held.status == BookingStatus.COMPLETED and held.busy is None and not held.no_show
    assert lead.engagement_signals == ["attended_meeting"]
    assert lead.score_breakdown["engagement"] == 20 and lead.score == sum(lead.score_breakdown.values())


# --- no-show ---------------------------------------------------------------------------------------------

def test_a_no_show_can_be_recorded_only_ten_minutes_after_the_start(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))

    with pytest.raises(ValidationError) as refused:
        booking_mark_no_show(actor=agent, booking=booking, now=riyadh(7, 10, 9))
    assert refused.value.code == "too_early"

    missed = booking_mark_no_show(actor=agent, booking=booking, now=riyadh(7, 10, 10))
    assert missed.no_show and missed.status == BookingStatus.COMPLETED and missed.busy is None


def test_after_a_no_show_the_contact_is_offered_three_times_within_two_days(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))
    now = riyadh(7, 10, 15)

    booking_mark_no_show(actor=agent, booking=booking, now=now)

    offered = bookings.offer_after_no_show(booking=booking, now=now)
    assert len(offered) == 3
    assert all(now + datetime.timedelta(hours=2) <= slot <= now + datetime.timedelta(hours=48) for slot in offered)
    message = Message.objects.get(contact=contact, purpose=MessagePurpose.NO_SHOW, channel="whatsapp")
    assert all(f"{slot:%H:%M}" in message.content for slot in offered)
    assert "/book/" in message.content


def test_the_third_no_show_lowers_the_leads_priority(agent, lead, contact):
    for day in (7, 8, 9):
        booking = book(agent, lead, riyadh(day, 10, 0))
        booking_mark_no_show(actor=agent, booking=booking, now=riyadh(day, 10, 30))

    note = Activity.objects.get(lead=lead, type=ActivityType.NOTE)
    assert "3" in note.subject
    assert bookings.no_shows_of(lead) == 3
    assert Notification.objects.filter(user=agent, url__contains=str(lead.pk)).exists()



@pytest.mark.parametrize("limit, subject, body", [
    (2, "أولوية منخفضة: الغياب عن اجتماعين", "تغيّب نورة القحطاني عن اجتماعين محجوزين."),
    (3, "أولوية منخفضة: الغياب عن 3 اجتماعات", "تغيّب نورة القحطاني عن 3 اجتماعات محجوزة."),
])
def test_the_lowered_priority_note_counts_the_missed_meetings_in_arabic(agent, lead, contact, in_tenant_a,
                                                                        limit, subject, body):
    in_tenant_a.settings = {**in_tenant_a.settings, "rules": {"no_shows_lower_priority": limit}}
    User.objects.filter(pk=agent.pk).update(language="ar")
    agent.language = "ar"
    for day in (7, 8, 9)[:limit]:
        booking = book(agent, lead, riyadh(day, 10, 0))
        booking_mark_no_show(actor=agent, booking=booking, now=riyadh(day, 10, 30))

    note = Activity.objects.get(lead=lead, type=ActivityType.NOTE)
    assert note.subject == subject
    assert note.body.startswith(body)

# --- reminders -------------------------------------------------------------------------------------------

def test_reminders_go_a_day_and_an_hour_before_to_the_contact_and_fifteen_minutes_before_to_the_agent(
        agent, lead, contact):
    start = riyadh(10, 10, 0)
    book(agent, lead, start)
    reminders = Message.objects.filter(contact=contact, purpose=MessagePurpose.BOOKING_REMINDER)

    assert send_booking_reminders((start - datetime.timedelta(hours=25)).isoformat()) == 0
    assert send_booking_reminders((start - datetime.timedelta(hours=24)).isoformat()) == 1
    assert send_booking_reminders((start - datetime.timedelta(hours=23)).isoformat()) == 0
    assert reminders.count() == 1
    assert send_booking_reminders((start - datetime.timedelta(minutes=60)).isoformat()) == 1
    assert send_booking_reminders((start - datetime.timedelta(minutes=30)).isoformat()) == 0
    assert reminders.count() == 2
    assert send_booking_reminders((start - datetime.timedelta(minutes=15)).isoformat()) == 1
    assert send_booking_reminders((start - datetime.timedelta(minutes=5)).isoformat()) == 0
    assert Notification.objects.filter(user=agent, type="meeting_reminder", channel="in_app").count() == 1
    assert {message.channel for message in reminders} == {"whatsapp"}  # the meeting's channel


def test_reminder_times_come_from_the_tenants_rules(agent, lead, contact, in_tenant_a):
    in_tenant_a.settings = {**in_tenant_a.settings,
                            "rules": {"contact_reminder_hours": [48, 2], "agent_reminder_minutes": 30}}
    start = riyadh(10, 10, 0)
    book(agent, lead, start)

    assert send_booking_reminders((start - datetime.timedelta(hours=48)).isoformat()) == 1
    assert send_booking_reminders((start - datetime.timedelta(hours=2)).isoformat()) == 1
    assert send_booking_reminders((start - datetime.timedelta(minutes=30)).isoformat()) == 1


def test_a_meeting_booked_less_than_a_day_ahead_gets_no_day_before_reminder(agent, lead, contact):
    start = riyadh(6, 15, 0)
    book(agent, lead, start, now=SUNDAY_7)

    assert send_booking_reminders(riyadh(6, 7, 30).isoformat()) == 0
    assert send_booking_reminders(riyadh(6, 14, 0).isoformat()) == 1


def test_a_cancelled_meeting_is_not_reminded(agent, lead, contact):
    start = riyadh(10, 10, 0)
    booking = book(agent, lead, start)
    booking_cancel(actor=agent, booking=booking, reason="no longer needed", now=SUNDAY_7)

    assert send_booking_reminders((start - datetime.timedelta(hours=1)).isoformat()) == 0


def test_no_show_is_never_marked_automatically_the_agent_is_asked_once(agent, lead, contact):
    start = riyadh(7, 10, 0)
    booking = book(agent, lead, start)

    assert bookings.prompt_meeting_outcomes(riyadh(7, 10, 9).isoformat()) == 0
    assert bookings.prompt_meeting_outcomes(riyadh(7, 10, 10).isoformat()) == 1
    assert bookings.prompt_meeting_outcomes(riyadh(7, 10, 40).isoformat()) == 0

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and not booking.no_show
    assert Notification.objects.filter(user=agent, url__endswith=f"#meeting-{booking.pk}-outcome").exists()


# --- the calendar invite -----------------------------------------------------------------------------

def test_the_invite_parses_and_carries_the_riyadh_time(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))

    filename, data, mimetype = booking_invite(str(booking.pk))

    calendar = icalendar.Calendar.from_ical(data)
    event = calendar.walk("VEVENT")[0]
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    assert calendar["METHOD"] == "REQUEST"
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Asia/Riyadh"]
    assert event["DTSTART"].params["TZID"] == "Asia/Riyadh"
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime.datetime(2030, 1, 7, 10, 0)
    assert event.decoded("DTEND").replace(tzinfo=None) == datetime.datetime(2030, 1, 7, 10, 30)
    assert b"DTSTART;TZID=Asia/Riyadh:20300107T100000" in data
    assert str(event["ORGANIZER"]) == f"mailto:{agent.email}"
    assert str(event["ATTENDEE"]) == "mailto:noura@example.sa"
    assert "عرض توضيحي" in str(event["SUMMARY"])  # in the contact's language


def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence_and_a_cancelled_one_cancels(agent, lead, contact):
    booking = book(agent, lead, riyadh(7, 10, 0))
    first = icalendar.Calendar.from_ical(booking_invite(str(booking.pk))[1]).walk("VEVENT")[0]

    booking_reschedule(actor=agent, booking=booking, start=riyadh(8, 13, 0), now=SUNDAY_7)
    moved = icalendar.Calendar.from_ical(booking_invite(str(booking.pk))[1]).walk("VEVENT")[0]
    booking_cancel(actor=agent, booking=booking, reason="postponed", now=SUNDAY_7)
    filename, data, _mimetype = booking_invite(str(booking.pk))
    cancelled = icalendar.Calendar.from_ical(data)

    assert str(first["UID"]) == str(moved["UID"]) == str(cancelled.walk("VEVENT")[0]["UID"])
    assert (first["SEQUENCE"], moved["SEQUENCE"]) == (0, 1)
    assert moved.decoded("DTSTART").replace(tzinfo=None) == datetime.datetime(2030, 1, 8, 13, 0)
    assert cancelled["METHOD"] == "CANCEL" and cancelled.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert filename == "cancelled-meeting.ics"


# --- the public booking page ---------------------------------------------------------------------------

TENANT_A_HOST = "tenant-a.localhost"
TENANT_B_HOST = "tenant-b.localhost"
SLOT_VALUE = re.compile(r'(?:name="start" value|<option value)="(\d{4}-\d\d-\d\dT[^"]+)"')  # buttons or options


def offered(response) -> list[str]:
    return SLOT_VALUE.findall(response.content.decode())


def test_the_booking_link_shows_the_owners_free_times_and_books_the_one_chosen(host_client, agent, lead, contact):
    Contact.objects.filter(pk=contact.pk).update(language="en")
    token = bookings.booking_token(lead)
    visitor = host_client(TENANT_A_HOST)

    page = visitor.get(f"/book/{token}/")
    times = offered(page)
    assert page.status_code == 200 and times
    assert agent.full_name in page.content.decode() and 'lang="en" dir="ltr"' in page.content.decode()

    booked = visitor.post(f"/book/{token}/", {"meeting_type": "demo", "start": times[1]})

    meeting = AutoBooking.objects.get(lead=lead)
    assert booked.status_code == 302 and booked["Location"].startswith("/book/manage/")
    assert meeting.status == BookingStatus.CONFIRMED and meeting.agent == agent and meeting.contact_id == contact.pk
    assert meeting.confirmed_time == datetime.datetime.fromisoformat(times[1])
    done = visitor.get(booked["Location"])
    assert "Your meeting is booked" in done.content.decode()
    assert AuditLog.objects.filter(entity_type="crm.autobooking", entity_id=meeting.pk, user__isnull=True).exists()


def test_the_booking_page_speaks_the_contacts_language_unless_asked_otherwise(host_client, lead, contact):
    token = bookings.booking_token(lead)

    arabic = host_client(TENANT_A_HOST).get(f"/book/{token}/")
    english = host_client(TENANT_A_HOST).get(f"/book/{token}/?lang=en")

    assert 'lang="ar" dir="rtl"' in arabic.content.decode() and "bootstrap.rtl" in arabic.content.decode()
    assert 'lang="en" dir="ltr"' in english.content.decode()
    assert 'name="viewport"' in arabic.content.decode()  # made for a phone too


def test_a_time_taken_meanwhile_gets_a_clear_answer_and_the_fresh_list(host_client, agent, lead, contact):
    Contact.objects.filter(pk=contact.pk).update(language="en")
    token = bookings.booking_token(lead)
    visitor = host_client(TENANT_A_HOST)
    chosen = offered(visitor.get(f"/book/{token}/"))[1]
    booking_create(actor=agent, lead=LeadFactory(assigned_to=agent), meeting_type="demo",
                   start=datetime.datetime.fromisoformat(chosen))

    answer = visitor.post(f"/book/{token}/", {"meeting_type": "demo", "start": chosen})

    assert answer.status_code == 409
    assert "just taken" in answer.content.decode()
    assert chosen not in offered(answer) and offered(answer)
    assert not AutoBooking.objects.filter(lead=lead).exists()


def test_a_changed_link_opens_nothing(host_client, lead):
    token = bookings.booking_token(lead)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    page = host_client(TENANT_A_HOST).get(f"/book/{tampered}/?lang=en")

    assert page.status_code == 404 and "This link does not work" in page.content.decode()
    assert lead.full_name not in page.content.decode()


def test_an_expired_link_says_so(host_client, lead):
    class FifteenDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 15 * 24 * 3600)

    token = FifteenDaysAgo(salt=bookings.link_salt("book")).sign_object(str(lead.pk))

    page = host_client(TENANT_A_HOST).get(f"/book/{token}/?lang=en")

    assert page.status_code == 410 and "This link has expired" in page.content.decode()


def test_a_link_of_one_tenant_does_not_work_on_another(host_client, lead):
    token = bookings.booking_token(lead)

    page = host_client(TENANT_B_HOST).get(f"/book/{token}/?lang=en")

    assert page.status_code == 404 and lead.full_name not in page.content.decode()


def test_the_manage_link_moves_and_then_cancels_the_meeting(host_client, agent, lead, contact):
    Contact.objects.filter(pk=contact.pk).update(language="en")
    first = available_slots(agent=agent, meeting_type="demo")[8]
    booking = booking_create(actor=None, lead=lead, meeting_type="demo", start=first)
    visitor = host_client(TENANT_A_HOST)
    url = f"/book/manage/{bookings.manage_token(booking)}/"
    times = offered(visitor.get(url))
    assert first.isoformat() not in times

    moved = visitor.post(url, {"action": "move", "start": times[-1]})
    booking.refresh_from_db()
    assert moved.status_code == 302 and booking.status == BookingStatus.RESCHEDULED
    assert booking.confirmed_time == datetime.datetime.fromisoformat(times[-1])

    cancelled = visitor.post(url, {"action": "cancel", "reason": ""})
    booking.refresh_from_db()
    assert cancelled.status_code == 302 and booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason  # a reason is recorded for the team even when the contact gives none
    assert "Book a new time" in visitor.get(url).content.decode()


def test_a_lead_with_a_meeting_ahead_is_shown_it_instead_of_booking_another(host_client, agent, lead, contact):
    booking = booking_create(actor=None, lead=lead, meeting_type="demo",
                             start=available_slots(agent=agent, meeting_type="demo")[3])

    page = host_client(TENANT_A_HOST).get(f"/book/{bookings.booking_token(lead)}/")

    assert page.status_code == 302 and page["Location"] == f"/book/manage/{bookings.manage_token(booking)}/"


# --- the agents' pages -----------------------------------------------------------------------------------

def test_the_lead_page_loads_a_meetings_card_with_the_owners_free_times(client_for, people, agent, lead):
    client = client_for(people["agent"], language="en")
    page = client.get(f"/crm/leads/{lead.pk}/")
    card = client.get(f"/crm/leads/{lead.pk}/meetings/", HTTP_HX_REQUEST="true")

    body = page.content.decode()
    assert page.status_code == 200 and 'id="lead-meetings"' in body
    assert f'hx-get="/crm/leads/{lead.pk}/meetings/" hx-trigger="load"' in body
    assert 'data-testid="meeting-slots"' in card.content.decode() and offered(card)
    assert "<html" not in card.content.decode()


def test_without_javascript_the_meetings_card_opens_as_a_page(client_for, people, agent, lead):
    page = client_for(people["agent"], language="en").get(f"/crm/leads/{lead.pk}/meetings/")

    body = page.content.decode()
    assert page.status_code == 200 and "<html" in body and lead.full_name in body
    assert 'data-testid="meeting-slots"' in body and offered(page)


def test_an_agent_books_from_the_card_and_the_card_shows_the_meeting(client_for, people, agent, lead, contact):
    client = client_for(people["agent"], language="en")
    start = available_slots(agent=agent, meeting_type="consultation")[2]

    card = client.post(f"/crm/leads/{lead.pk}/meetings/", {"meeting_type": "consultation", "start": start.isoformat()},
                       HTTP_HX_REQUEST="true")

    meeting = AutoBooking.objects.get(lead=lead)
    assert card.status_code == 200 and meeting.meeting_type == "consultation" and meeting.confirmed_time == start
    assert f'id="meeting-{meeting.pk}"' in card.content.decode() and "Meeting booked" in card.content.decode()


def test_the_time_picker_follows_the_type_of_meeting(client_for, people, agent, lead):
    client = client_for(people["agent"], language="en")

    demo = client.get(f"/crm/leads/{lead.pk}/meetings/slots/?meeting_type=demo", HTTP_HX_REQUEST="true")
    longer = client.get(f"/crm/leads/{lead.pk}/meetings/slots/?meeting_type=custom_presentation",
                        HTTP_HX_REQUEST="true")

    assert len(offered(longer)) < len(offered(demo))


def test_moving_from_the_card_offers_the_free_times_and_moves_the_meeting(client_for, people, agent, lead, contact):
    client = client_for(people["agent"], language="en")
    slots = available_slots(agent=agent, meeting_type="demo")
    booking = booking_create(actor=agent, lead=lead, meeting_type="demo", start=slots[4])

    form = client.get(f"/crm/meetings/{booking.pk}/move/", HTTP_HX_REQUEST="true")
    page = client.get(f"/crm/meetings/{booking.pk}/move/")
    times = offered(form)
    card = client.post(f"/crm/meetings/{booking.pk}/move/", {"start": times[-1]}, HTTP_HX_REQUEST="true")

    assert "<html" not in form.content.decode() and "<html" in page.content.decode()
    assert slots[4].isoformat() not in times
    booking.refresh_from_db()
    assert card.status_code == 200 and "Meeting moved" in card.content.decode()
    assert booking.status == BookingStatus.RESCHEDULED
    assert booking.confirmed_time == datetime.datetime.fromisoformat(times[-1])


def test_cancelling_from_the_card_without_a_reason_shows_the_error_and_changes_nothing(client_for, people, agent,
                                                                                        lead, contact):
    booking = booking_create(actor=agent, lead=lead, meeting_type="demo",
                             start=available_slots(agent=agent, meeting_type="demo")[4])

    card = client_for(people["agent"], language="en").post(f"/crm/meetings/{booking.pk}/cancel/", {"reason": ""},
                                                           HTTP_HX_REQUEST="true")

    assert card.status_code == 200 and "Say why the meeting is cancelled" in card.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_card_shows_a_lead_that_keeps_missing_meetings_as_low_priority(client_for, people, agent, lead):
    for days_ago in (3, 5, 7):
        AutoBookingFactory(agent=agent, lead=lead, status=BookingStatus.COMPLETED, no_show=True,
                           proposed_time=timezone.now() - datetime.timedelta(days=days_ago))

    card = client_for(people["agent"], language="en").get(f"/crm/leads/{lead.pk}/meetings/", HTTP_HX_REQUEST="true")

    assert "3 no-shows" in card.content.decode() and "Low priority" in card.content.decode()


def test_another_agents_lead_and_meetings_are_not_found(client_for, people, agent, lead):
    booking = booking_create(actor=agent, lead=lead, meeting_type="demo",
                             start=available_slots(agent=agent, meeting_type="demo")[5])
    colleague = client_for(people["agent2"], language="en")

    assert colleague.get(f"/crm/leads/{lead.pk}/meetings/").status_code == 404
    assert colleague.get(f"/crm/leads/{lead.pk}/meetings/slots/").status_code == 404
    assert colleague.post(f"/crm/leads/{lead.pk}/meetings/", {"meeting_type": "demo", "start": "x"}).status_code == 404
    assert colleague.get(f"/crm/meetings/{booking.pk}/move/").status_code == 404
    assert colleague.post(f"/crm/meetings/{booking.pk}/cancel/", {"reason": "mine now"}).status_code == 404
    assert colleague.post(f"/crm/meetings/{booking.pk}/no-show/").status_code == 404
    assert str(booking.pk) not in colleague.get("/crm/meetings/").content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_viewer_sees_meetings_but_cannot_book(client_for, people, agent, lead):
    viewer = client_for(people["viewer"], language="en")
    start = available_slots(agent=agent, meeting_type="demo")[1]

    assert viewer.get("/crm/meetings/").status_code == 200
    assert viewer.post(f"/crm/leads/{lead.pk}/meetings/",
                       {"meeting_type": "demo", "start": start.isoformat()}).status_code == 403
    assert not AutoBooking.objects.filter(lead=lead).exists()


def test_the_meetings_page_lists_upcoming_meetings_first_and_a_manager_sees_the_team(client_for, people, agent, lead):
    other = User.objects.get(email="agent2@a.test")
    theirs = LeadFactory(assigned_to=other, full_name="Colleague Lead")
    slots = available_slots(agent=agent, meeting_type="demo")
    later = booking_create(actor=agent, lead=lead, meeting_type="demo", start=slots[-1])
    sooner = booking_create(actor=agent, lead=LeadFactory(assigned_to=agent, full_name="Sooner Lead"),
                            meeting_type="demo", start=slots[1])
    past = live_meeting(agent, lead, timezone.now() - datetime.timedelta(days=3))
    booking_cancel(actor=agent, booking=past, reason="old")
    booking_create(actor=other, lead=theirs, meeting_type="demo", start=slots[2])

    mine = client_for(people["agent"], language="en").get("/crm/meetings/").content.decode()
    team = client_for(people["manager"], language="en").get("/crm/meetings/").content.decode()

    assert mine.index(f"#meeting-{sooner.pk}") < mine.index(f"#meeting-{later.pk}") < mine.index(f"#meeting-{past.pk}")
    assert "Colleague Lead" not in mine and "Colleague Lead" in team


def test_a_time_offered_to_a_lead_and_still_ahead_is_listed_with_the_upcoming_meetings(agent, lead):
    offered_time = AutoBookingFactory(agent=agent, lead=lead, status=BookingStatus.PROPOSED,
                                      proposed_time=timezone.now() + datetime.timedelta(days=2))
    past_offer = AutoBookingFactory(agent=agent, lead=lead, status=BookingStatus.PROPOSED,
                                    proposed_time=timezone.now() - datetime.timedelta(days=3))

    upcoming, recent = bookings.meetings_for(user=agent)

    assert offered_time in list(upcoming) and past_offer not in list(upcoming)
    assert past_offer in list(recent)
