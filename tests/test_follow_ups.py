"""Automatic messages: the welcome to a new lead, follow-ups to quiet leads by score band (24 h / 72 h,
at most 3 unanswered, then 7 days' rest), and the scheduler that runs them tenant by tenant."""
import datetime

import django_rq
import pytest
from django.core.management import call_command
from django.utils import timezone
from rq import SimpleWorker

from compliance.services import consent_record
from crm.choices import Direction, MessagePurpose, MessageStatus
from crm.follow_ups import run_follow_ups, send_welcomes
from crm.models import Lead, Message
from dealix.accounts.models import User
from dealix.core import schedule
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def agent(in_tenant_a):
    return User.objects.get(email="agent@a.test")


def make_lead(agent, *, score=85, created_ago=datetime.timedelta(0), consent=("whatsapp",)):
    lead = LeadFactory(assigned_to=agent, status="new", phone="+966501112233")
    Lead.objects.filter(pk=lead.pk).update(score=score, created_at=timezone.now() - created_ago)
    lead.refresh_from_db()
    contact = ContactFactory(lead=lead, owner=agent, phone="+966501112233", whatsapp="+966501112233",
                             email="lead@example.sa", language="ar")
    for channel in consent:
        consent_record(actor=None, contact=contact, channel=channel, granted=True, source="test")
    return lead, contact


def age(lead, by: datetime.timedelta):
    """Move everything that happened with the lead `by` into the past."""
    Lead.objects.filter(pk=lead.pk).update(created_at=lead.created_at - by)
    for message in Message.objects.filter(lead=lead):
        Message.objects.filter(pk=message.pk).update(created_at=message.created_at - by)


def test_a_new_lead_gets_one_welcome_on_the_channel_it_consented_to(agent):
    lead, _contact = make_lead(agent, consent=("email",))
    assert send_welcomes() == 1
    assert send_welcomes() == 0
    welcome = Message.objects.get(lead=lead, purpose=MessagePurpose.WELCOME)
    assert welcome.channel == "email" and welcome.template.key == "welcome"


def test_a_lead_without_any_consent_gets_no_welcome(agent):
    lead, _contact = make_lead(agent, consent=())
    assert send_welcomes() == 0
    assert not Message.objects.filter(lead=lead).exists()


def test_a_hot_lead_quiet_for_24_hours_gets_a_follow_up_and_not_before(agent):
    lead, _contact = make_lead(agent, score=85, created_ago=23 * HOUR)
    assert run_follow_ups() == 0
    age(lead, 2 * HOUR)
    assert run_follow_ups() == 1
    follow_up = Message.objects.get(lead=lead, purpose=MessagePurpose.FOLLOW_UP)
    assert follow_up.template.key == "warm_whatsapp_follow_up"
    assert run_follow_ups() == 0  # the follow-up itself is a touch


def test_a_warm_lead_waits_three_days_and_a_cold_one_thirty(agent):
    warm, _ = make_lead(agent, score=60, created_ago=2 * DAY)
    cold, _ = make_lead(agent, score=20, created_ago=29 * DAY)
    assert run_follow_ups() == 0
    age(warm, 1 * DAY + HOUR)
    age(cold, 1 * DAY + HOUR)
    assert run_follow_ups() == 2


def test_three_unanswered_follow_ups_then_a_week_of_rest_and_a_reply_starts_again(agent):
    lead, contact = make_lead(agent, score=85, created_ago=25 * HOUR)
    assert run_follow_ups() == 1
    for _ in range(2):
        age(lead, 73 * HOUR)
        assert run_follow_ups() == 1
    assert Message.objects.filter(lead=lead, purpose__in=[MessagePurpose.FOLLOW_UP, MessagePurpose.NO_RESPONSE]).count() == 3
    assert Message.objects.filter(lead=lead, purpose=MessagePurpose.NO_RESPONSE).count() == 2

    age(lead, 6 * DAY)
    assert run_follow_ups() == 0  # resting
    age(lead, 1 * DAY + HOUR)
    assert run_follow_ups() == 1  # a new round after 7 days

    Message.objects.create(lead=lead, contact=contact, channel="whatsapp", direction=Direction.INBOUND,
                           content="نعم", status=MessageStatus.DELIVERED)
    age(lead, 25 * HOUR)
    assert run_follow_ups() == 1
    newest = Message.objects.filter(lead=lead, direction=Direction.OUTBOUND).order_by("-created_at").first()
    assert newest.purpose == MessagePurpose.FOLLOW_UP  # the count started again after the reply


def test_closed_leads_get_no_follow_ups(agent):
    lead, _contact = make_lead(agent, score=85, created_ago=3 * DAY)
    Lead.objects.filter(pk=lead.pk).update(status="lost", lost_reason="budget")
    assert run_follow_ups() == 0


def test_the_clock_queues_every_periodic_job_in_every_tenant_and_a_worker_runs_them(agent,
                                                                                  django_capture_on_commit_callbacks):
    lead, _contact = make_lead(agent, consent=("email",))
    queue = django_rq.get_queue("default")
    queue.empty()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("clock", "--once", "--job", "crm.follow_ups.send_welcomes")
    assert queue.count >= 2  # tenant A and tenant B at least
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert Message.objects.filter(lead=lead, purpose=MessagePurpose.WELCOME).exists()


def test_every_periodic_job_exists_and_has_a_schedule():
    from django.utils.module_loading import import_string
    from croniter import croniter
    for periodic in schedule.PERIODIC_JOBS:
        assert callable(import_string(periodic.path))
        assert croniter.is_valid(periodic.cron)
