"""The message service and the sending rules of RULES.md §2: consent, windows, WhatsApp limits, the
24-hour window, the plan quota, opt-out keywords, delivery through the (offline) outbox, idempotency,
retries and forward-only statuses. Times are fixed Riyadh times, so the rules are tested on the days
and hours they talk about."""
import datetime
from zoneinfo import ZoneInfo

import django_rq
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from rq import SimpleWorker

from compliance.services import consent_granted, consent_record
from crm import messaging
from crm.choices import Direction, MessageChannel, MessagePurpose, MessageReason, MessageStatus
from crm.messaging import deliver_message, message_receive, message_retry, message_send, message_status_update
from crm.models import Contact, Lead, Message, Template
from crm.templating import standard_template
from dealix.accounts.models import User
from dealix.core.models import AuditLog
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db
RIYADH = ZoneInfo("Asia/Riyadh")


def riyadh(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=RIYADH)


SUNDAY_10 = riyadh(11, 29, 10)      # a working morning
THURSDAY_2130 = riyadh(12, 3, 21, 30)
SUNDAY_1730 = riyadh(11, 29, 17, 30)
FRIDAY_NOON = riyadh(12, 4, 12)
NEXT_SUNDAY_9 = riyadh(12, 6, 9)


@pytest.fixture
def agent(in_tenant_a):
    return User.objects.get(email="agent@a.test")


@pytest.fixture
def lead(agent):
    return LeadFactory(assigned_to=agent, full_name="نورة القحطاني", phone="+966501110001", email="noura@example.sa")


@pytest.fixture
def contact(lead, agent):
    return ContactFactory(lead=lead, owner=agent, full_name="نورة القحطاني", phone="+966501110001",
                          whatsapp="+966501110001", email="noura@example.sa", language="ar")


def grant(contact, *channels):
    for channel in channels:
        consent_record(actor=None, contact=contact, channel=channel, granted=True, source="test")


def inbound(contact, at, body="مرحبا"):
    message = Message.objects.create(contact=contact, lead=contact.lead, channel=MessageChannel.WHATSAPP,
                                     direction=Direction.INBOUND, content=body, status=MessageStatus.DELIVERED)
    Message.objects.filter(pk=message.pk).update(created_at=at, sent_at=at)


def went_out(contact, at, count=1, channel=MessageChannel.WHATSAPP):
    for _ in range(count):
        message = Message.objects.create(contact=contact, lead=contact.lead, channel=channel,
                                         direction=Direction.OUTBOUND, content="…", status=MessageStatus.SENT,
                                         to_address=contact.whatsapp)
        Message.objects.filter(pk=message.pk).update(created_at=at, sent_at=at)


def whatsapp_template(language="ar"):
    return standard_template("cold_whatsapp_opener", "whatsapp", language)


# --- consent -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("channel", ["whatsapp", "email", "sms"])
def test_a_send_without_consent_is_refused_and_kept_with_its_reason(agent, contact, channel):
    message = message_send(actor=agent, channel=channel, contact=contact, body="السلام عليكم", subject="عرض",
                           now=SUNDAY_10)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.reason_code == MessageReason.NO_CONSENT
    assert AuditLog.objects.filter(entity_id=message.pk).exists()


def test_consent_on_one_channel_does_not_open_another(agent, contact):
    grant(contact, "email")
    message = message_send(actor=agent, channel="sms", contact=contact, body="مرحبا", now=SUNDAY_10)
    assert message.status == MessageStatus.FAILED and message.reason_code == MessageReason.NO_CONSENT


def test_a_send_to_a_lead_goes_to_its_contact_and_asks_the_contacts_consent(agent, lead, contact):
    grant(contact, "email")
    message = message_send(actor=agent, channel="email", lead=lead, subject="عرضنا", body="تفاصيل العرض",
                           now=SUNDAY_10)
    assert message.contact == contact and message.to_address == "noura@example.sa"
    assert message.status == MessageStatus.QUEUED and not message.reason_code


# --- sending windows ------------------------------------------------------------------------------------

@pytest.mark.parametrize("channel, when, opens", [
    ("whatsapp", THURSDAY_2130, NEXT_SUNDAY_9),          # after 21:00 on Thursday: Friday and Saturday are off
    ("email", SUNDAY_1730, riyadh(11, 30, 9)),            # email closes at 17:00
    ("sms", FRIDAY_NOON, NEXT_SUNDAY_9),                  # no sends on Friday
    ("sms", riyadh(11, 29, 8, 59), riyadh(11, 29, 9)),     # a minute before opening
])
def test_a_send_outside_the_window_waits_for_the_next_opening(agent, contact, channel, when, opens):
    grant(contact, channel)
    message = message_send(actor=agent, channel=channel, contact=contact, template=(
        whatsapp_template() if channel == "whatsapp" else None), body="مرحبا", subject="مرحبا", now=when)

    assert message.status == MessageStatus.QUEUED
    assert message.reason_code == MessageReason.OUTSIDE_WINDOW
    assert message.scheduled_for == opens
    assert deliver_message(str(message.pk), now_iso=when.isoformat()) == "waiting"


def test_sms_closes_at_six_while_whatsapp_is_still_open(agent, contact):
    grant(contact, "sms", "whatsapp")
    at_seven = riyadh(11, 29, 19)
    sms = message_send(actor=agent, channel="sms", contact=contact, body="مرحبا", now=at_seven)
    whatsapp = message_send(actor=agent, channel="whatsapp", contact=contact, template=whatsapp_template(), now=at_seven)
    assert sms.reason_code == MessageReason.OUTSIDE_WINDOW
    assert whatsapp.status == MessageStatus.QUEUED and not whatsapp.reason_code and whatsapp.scheduled_for is None


# --- WhatsApp limits --------------------------------------------------------------------------------------

def test_the_sixth_whatsapp_message_of_the_day_waits_for_tomorrow(agent, contact):
    grant(contact, "whatsapp")
    inbound(contact, riyadh(11, 29, 9, 1))
    for hour in (9, 10, 11, 12, 13):
        went_out(contact, riyadh(11, 29, hour, 5))
    inbound(contact, riyadh(11, 29, 13, 30))  # replies keep the unanswered count at zero
    message = message_send(actor=agent, channel="whatsapp", contact=contact, body="شكرا", now=riyadh(11, 29, 15))
    assert message.reason_code == MessageReason.DAILY_LIMIT
    assert message.scheduled_for == riyadh(11, 30, 9)


def test_a_whatsapp_message_within_30_minutes_of_the_last_waits_out_the_gap(agent, contact):
    grant(contact, "whatsapp")
    inbound(contact, riyadh(11, 29, 9, 50))
    went_out(contact, riyadh(11, 29, 10))
    message = message_send(actor=agent, channel="whatsapp", contact=contact, body="نسيت أن أذكر", now=riyadh(11, 29, 10, 10))
    assert message.reason_code == MessageReason.MIN_GAP
    assert message.scheduled_for == riyadh(11, 29, 10, 30)


def test_three_unanswered_whatsapp_messages_stop_the_fourth_and_a_reply_lifts_it(agent, contact):
    grant(contact, "whatsapp")
    for day in (24, 25, 26):
        went_out(contact, riyadh(11, day, 10))
    refused = message_send(actor=agent, channel="whatsapp", contact=contact, template=whatsapp_template(),
                           now=SUNDAY_10)
    assert refused.status == MessageStatus.FAILED and refused.reason_code == MessageReason.UNANSWERED

    inbound(contact, riyadh(11, 29, 9, 30))
    allowed = message_send(actor=agent, channel="whatsapp", contact=contact, body="أهلا بك", now=SUNDAY_10)
    assert allowed.status == MessageStatus.QUEUED and not allowed.reason_code


def test_free_text_outside_the_24_hour_window_is_refused_but_an_approved_template_goes(agent, contact):
    grant(contact, "whatsapp")
    inbound(contact, riyadh(11, 28, 9))  # 25 hours before
    free_text = message_send(actor=agent, channel="whatsapp", contact=contact, body="مرحبا", now=SUNDAY_10)
    assert free_text.status == MessageStatus.FAILED and free_text.reason_code == MessageReason.TEMPLATE_ONLY

    template = whatsapp_template()
    assert template.approved
    by_template = message_send(actor=agent, channel="whatsapp", contact=contact, template=template, now=SUNDAY_10)
    assert by_template.status == MessageStatus.QUEUED
    assert by_template.payload["template"]["name"] == template.provider_name
    assert "نورة" in by_template.content  # rendered with the contact's name


def test_an_unapproved_template_counts_as_free_text(agent, contact):
    grant(contact, "whatsapp")
    template = whatsapp_template()
    Template.objects.filter(pk=template.pk).update(approved=False)
    template.refresh_from_db()
    message = message_send(actor=agent, channel="whatsapp", contact=contact, template=template, now=SUNDAY_10)
    assert message.reason_code == MessageReason.TEMPLATE_ONLY


def test_the_plans_monthly_whatsapp_quota_refuses_the_next_message(agent, contact, tenant_a):
    grant(contact, "whatsapp")
    inbound(contact, riyadh(11, 29, 9))
    other = ContactFactory(phone="+966501110099", whatsapp="+966501110099")
    went_out(other, riyadh(11, 2, 10), count=100)  # the free plan's 100 this month, to someone else
    message = message_send(actor=agent, channel="whatsapp", contact=contact, body="مرحبا", now=SUNDAY_10)
    assert message.status == MessageStatus.FAILED and message.reason_code == MessageReason.QUOTA

    connection.tenant.plan = "pro"  # 5,000 a month
    try:
        upgraded = message_send(actor=agent, channel="whatsapp", contact=contact, body="مرحبا", now=SUNDAY_10)
    finally:
        connection.tenant.plan = "free"
    assert upgraded.status == MessageStatus.QUEUED


# --- bad input ---------------------------------------------------------------------------------------------

def test_an_email_needs_a_subject_and_nothing_is_written_without_one(agent, contact):
    grant(contact, "email")
    with pytest.raises(ValidationError) as raised:
        message_send(actor=agent, channel="email", contact=contact, body="نص", now=SUNDAY_10)
    assert "subject" in raised.value.message_dict
    assert not Message.objects.filter(contact=contact).exists()


def test_the_first_sms_to_a_contact_may_not_carry_a_link(agent, contact):
    grant(contact, "sms")
    with pytest.raises(ValidationError):
        message_send(actor=agent, channel="sms", contact=contact, body="تفضل: https://example.sa/x", now=SUNDAY_10)
    went_out(contact, riyadh(11, 20, 10), channel=MessageChannel.SMS)
    later = message_send(actor=agent, channel="sms", contact=contact, body="تفضل: https://example.sa/x", now=SUNDAY_10)
    assert later.status == MessageStatus.QUEUED


def test_a_template_for_another_channel_is_refused(agent, contact):
    grant(contact, "sms")
    with pytest.raises(ValidationError):
        message_send(actor=agent, channel="sms", contact=contact, template=whatsapp_template(), now=SUNDAY_10)


def test_an_agent_cannot_message_another_agents_lead(contact):
    other_agent = User.objects.get(email="agent2@a.test")
    grant(contact, "whatsapp")
    with pytest.raises(Lead.DoesNotExist):
        message_send(actor=other_agent, channel="whatsapp", contact=contact, body="مرحبا", now=SUNDAY_10)


# --- delivery ----------------------------------------------------------------------------------------------

def test_delivery_through_the_outbox_records_the_message_and_a_second_run_sends_nothing(agent, contact):
    grant(contact, "email")
    message = message_send(actor=agent, channel="email", contact=contact, subject="عرضنا", body="التفاصيل", now=SUNDAY_10)

    assert deliver_message(str(message.pk), now_iso=SUNDAY_10.isoformat()) == "sent"
    assert deliver_message(str(message.pk), now_iso=SUNDAY_10.isoformat()) == "nothing"

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.provider_message_id == f"outbox-{message.pk}"
    assert message.attempts == 1 and message.send_started_at is None and message.sent_at is not None


@pytest.fixture
def always_open(in_tenant_a):
    """Sending windows open around the clock (saved on the tenant, as jobs read it afresh), for tests that
    run a real worker at the real time. Rolled back with the test."""
    from dealix.tenancy.models import Tenant
    in_tenant_a.settings = {**in_tenant_a.settings, "rules": {
        "sending_windows": {"whatsapp": (0, 24), "email": (0, 24), "sms": (0, 24)}, "work_days": (0, 1, 2, 3, 4, 5, 6)}}
    Tenant.objects.filter(pk=in_tenant_a.pk).update(settings=in_tenant_a.settings)
    return in_tenant_a


def test_the_job_is_queued_on_commit_and_a_real_worker_sends_it(agent, contact, always_open,
                                                                django_capture_on_commit_callbacks):
    grant(contact, "email")
    queue = django_rq.get_queue("default")
    queue.empty()
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(actor=agent, channel="email", contact=contact, subject="عرضنا", body="التفاصيل")
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.provider_message_id == f"outbox-{message.pk}"


def test_consent_revoked_after_queuing_stops_the_delivery(agent, contact):
    grant(contact, "email")
    message = message_send(actor=agent, channel="email", contact=contact, subject="عرضنا", body="التفاصيل", now=SUNDAY_10)
    consent_record(actor=None, contact=contact, channel="email", granted=False, source="test")

    assert deliver_message(str(message.pk), now_iso=SUNDAY_10.isoformat()) == "refused"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.reason_code == MessageReason.NO_CONSENT


def test_a_claim_left_by_a_dead_worker_is_failed_as_unknown_instead_of_sent_again(agent, contact):
    grant(contact, "email")
    message = message_send(actor=agent, channel="email", contact=contact, subject="عرضنا", body="التفاصيل", now=SUNDAY_10)
    Message.objects.filter(pk=message.pk).update(send_started_at=SUNDAY_10, attempts=1)  # the worker died mid-send

    assert deliver_message(str(message.pk), now_iso=SUNDAY_10.isoformat()) == "unknown"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.reason_code == MessageReason.UNKNOWN_OUTCOME
    assert not message.provider_message_id


def test_a_deferred_message_is_picked_up_when_its_time_comes(agent, contact):
    grant(contact, "email")
    message = message_send(actor=agent, channel="email", contact=contact, subject="عرضنا", body="التفاصيل",
                           now=SUNDAY_1730)
    assert messaging.send_due_messages(now_iso=SUNDAY_1730.isoformat()) == 0
    monday = riyadh(11, 30, 9, 1)
    assert messaging.send_due_messages(now_iso=monday.isoformat()) == 1
    assert deliver_message(str(message.pk), now_iso=monday.isoformat()) == "sent"


def test_retry_asks_the_rules_again(agent, contact):
    message = message_send(actor=agent, channel="email", contact=contact, subject="عرضنا", body="التفاصيل", now=SUNDAY_10)
    assert message.reason_code == MessageReason.NO_CONSENT

    again = message_retry(actor=agent, message=message, now=SUNDAY_10)
    assert again.status == MessageStatus.FAILED and again.reason_code == MessageReason.NO_CONSENT

    grant(contact, "email")
    sent = message_retry(actor=agent, message=again, now=SUNDAY_10)
    assert sent.status == MessageStatus.QUEUED and not sent.reason_code


# --- what comes back ----------------------------------------------------------------------------------------

def test_statuses_move_forward_only(agent, contact):
    grant(contact, "email")
    message = message_send(actor=agent, channel="email", contact=contact, subject="s", body="b", now=SUNDAY_10)
    deliver_message(str(message.pk), now_iso=SUNDAY_10.isoformat())
    provider_id = Message.objects.get(pk=message.pk).provider_message_id

    for status in ("read", "delivered", "sent", "failed"):
        message_status_update(channel="email", provider_message_id=provider_id, status=status)
    message.refresh_from_db()
    assert message.status == MessageStatus.READ and message.read_at is not None


@pytest.mark.parametrize("keyword", ["إيقاف", "ايقاف", "الغاء", "إلغاء", "وقف", "لا أريد", "STOP", "Unsubscribe!", " stop. "])
def test_an_opt_out_keyword_revokes_consent_and_confirms_once(contact, keyword):
    grant(contact, "whatsapp")
    message_receive(channel="whatsapp", from_address="+966501110001", body=keyword, provider_message_id="wamid.1")
    assert not consent_granted(contact, "whatsapp")
    confirmations = Message.objects.filter(contact=contact, purpose=MessagePurpose.OPT_OUT_CONFIRMATION)
    assert confirmations.count() == 1
    assert confirmations.get().status != MessageStatus.FAILED  # it goes despite the revoked consent

    message_receive(channel="whatsapp", from_address="+966501110001", body=keyword, provider_message_id="wamid.2")
    assert confirmations.count() == 1


def test_a_normal_reply_keeps_consent_and_tells_the_owner(contact, agent, django_capture_on_commit_callbacks):
    grant(contact, "whatsapp")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_receive(channel="whatsapp", from_address="0501110001", body="أريد أن أعرف الأسعار",
                                  provider_message_id="wamid.9")
    assert consent_granted(contact, "whatsapp")
    assert message.contact == contact and message.direction == Direction.INBOUND
    assert agent.notifications.filter(type="reply_received").exists()


def test_the_same_inbound_message_delivered_twice_is_kept_once(contact):
    first = message_receive(channel="whatsapp", from_address="+966501110001", body="مرحبا", provider_message_id="wamid.7")
    again = message_receive(channel="whatsapp", from_address="+966501110001", body="مرحبا", provider_message_id="wamid.7")
    assert first.pk == again.pk and Message.objects.filter(provider_message_id="wamid.7").count() == 1


def test_a_stranger_writing_on_whatsapp_becomes_a_new_lead_without_consent(in_tenant_a):
    message = message_receive(channel="whatsapp", from_address="+966559998877", body="السلام عليكم",
                              provider_message_id="wamid.new")
    contact = Contact.objects.get(pk=message.contact_id)
    assert contact.whatsapp == "+966559998877" and contact.lead.source == "whatsapp"
    assert not consent_granted(contact, "whatsapp")
