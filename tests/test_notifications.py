"""Notifications to staff: each person's choice of channels, the bell, real emails through a local SMTP
server sent by a real RQ worker, lead assignment, the preferences page and the daily summary."""
import datetime

import django_rq
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django_tenants.utils import schema_context
from rq import SimpleWorker

from crm import services
from crm.choices import BookingStatus, Direction, MessageChannel, MessageReason, MessageStatus
from crm.jobs import send_daily_digest
from crm.models import Activity, AutoBooking, Lead, Message
from dealix.accounts.models import User
from dealix.core import selectors
from dealix.core.models import AuditLog, Notification
from dealix.core.notifications import (NotificationType, channels_for, notification_preferences_update, notify,
                                       send_notification_email)
from tests.conftest import user_of
from tests.servers import smtp_server  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.django_db

RIYADH = datetime.timezone(datetime.timedelta(hours=3))
SUNDAY_MORNING = datetime.datetime(2026, 3, 1, 8, 5, tzinfo=RIYADH)  # 1 March 2026 is a Sunday


@pytest.fixture
def queue():
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


@pytest.fixture
def mail_through(settings, smtp_server):  # noqa: F811
    """Django's email goes to the local SMTP server, as it would to the platform's relay."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    return smtp_server


def run_jobs(queue):
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    connection.set_schema_to_public()


def set_channels(user, **choices):
    User.objects.filter(pk=user.pk).update(notification_channels=choices)
    user.notification_channels = choices


@pytest.fixture
def agent(in_tenant_a):
    return User.objects.get(email="agent@a.test")


# --- channels --------------------------------------------------------------------------------------

@pytest.mark.parametrize("chosen, in_bell, emailed", [
    (["in_app"], True, False),
    (["email"], False, True),
    (["in_app", "email"], True, True),
    ([], False, False),
])
def test_a_notification_goes_exactly_where_the_user_chose(chosen, in_bell, emailed, agent, queue, mail_through,
                                                          django_capture_on_commit_callbacks):
    set_channels(agent, reply_received=chosen)

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=agent, type=NotificationType.REPLY_RECEIVED, title="ردّت نورة على رسالتك", url="/crm/leads/")
    run_jobs(queue)

    with schema_context("tenant_a"):
        bell = [row.title for row in selectors.notifications_for(agent)]
    assert bell == (["ردّت نورة على رسالتك"] if in_bell else [])
    assert len(mail_through.received) == (1 if emailed else 0)


def test_a_type_the_user_never_chose_uses_its_default(agent):
    set_channels(agent)

    assert channels_for(agent, NotificationType.LEAD_ASSIGNED) == ["in_app", "email"]
    assert channels_for(agent, NotificationType.TASK_DUE) == ["in_app"]


def test_an_inactive_user_gets_nothing(agent, queue, django_capture_on_commit_callbacks):
    User.objects.filter(pk=agent.pk).update(is_active=False)
    agent.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=agent, type=NotificationType.LEAD_ASSIGNED, title="New lead")

    assert not Notification.objects.filter(user=agent).exists()
    assert queue.count == 0


def test_the_email_is_real_mail_in_the_users_language_with_the_arabic_subject_intact(
        agent, queue, mail_through, django_capture_on_commit_callbacks):
    set_channels(agent, lead_assigned=["email"])
    lead = Lead.objects.create(full_name="نورة القحطاني", assigned_to=agent)

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=agent, type=NotificationType.LEAD_ASSIGNED, title="عميل محتمل جديد: نورة القحطاني",
               body="عيادات الصفوة · الرياض", url=f"/crm/leads/{lead.pk}/")
    run_jobs(queue)

    [mail] = mail_through.messages()
    # Python folds a long encoded subject onto the next line; unfolding leaves the space after the colon.
    assert mail["Subject"].strip() == "عميل محتمل جديد: نورة القحطاني"
    assert mail["To"] == "agent@a.test"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = f"http://tenant-a.localhost/crm/leads/{lead.pk}/"
    assert "عيادات الصفوة · الرياض" in text and link in text
    assert 'dir="rtl"' in html and 'lang="ar"' in html and link in html
    assert "/accounts/notifications/" in text  # where to change what arrives by email


def test_an_english_speaker_gets_the_email_in_english(agent, queue, mail_through, django_capture_on_commit_callbacks):
    User.objects.filter(pk=agent.pk).update(language="en")
    agent.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=agent, type=NotificationType.SEND_FAILED, title="A message to Nora could not be sent")
    run_jobs(queue)

    [mail] = mail_through.messages()
    assert 'dir="ltr"' in mail.get_body(("html",)).get_content()
    assert "Hello" in mail.get_body(("plain",)).get_content()


def test_running_the_email_job_twice_sends_one_email(agent, mail_through):
    set_channels(agent, send_failed=["email"])
    notify(user=agent, type=NotificationType.SEND_FAILED, title="Failed")
    row = Notification.objects.get(user=agent, channel="email")

    assert send_notification_email(str(row.pk)) is True
    assert send_notification_email(str(row.pk)) is False

    assert len(mail_through.received) == 1


def test_email_rows_stay_out_of_the_bell_and_mark_all_read_does_not_cancel_them(agent, mail_through):
    set_channels(agent, send_failed=["email"])
    notify(user=agent, type=NotificationType.SEND_FAILED, title="Failed")
    from dealix.core.services import notifications_mark_read

    notifications_mark_read(user=agent)

    assert selectors.unread_notification_count(agent) == 0 and list(selectors.notifications_for(agent)) == []
    assert send_notification_email(str(Notification.objects.get(user=agent, channel="email").pk)) is True


def test_task_reminders_follow_the_users_choice_too(agent):
    from crm.jobs import remind_due_tasks
    set_channels(agent, task_due=["email"])
    lead = Lead.objects.create(full_name="Lead", assigned_to=agent)
    Activity.objects.create(user=agent, lead=lead, type="task", subject="Call back",
                            scheduled_at=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))

    assert remind_due_tasks() == 1
    assert remind_due_tasks() == 0

    assert list(Notification.objects.filter(user=agent, type="task_due").values_list("channel", flat=True)) == ["email"]


# --- lead assignment -------------------------------------------------------------------------------

def test_a_manager_assigning_a_lead_notifies_the_agent_in_their_language(people, in_tenant_a,
                                                                         django_capture_on_commit_callbacks):
    manager, agent = User.objects.get(email="manager@a.test"), User.objects.get(email="agent@a.test")
    User.objects.filter(pk=agent.pk).update(language="en")
    agent.refresh_from_db()
    lead = Lead.objects.create(full_name="Nora Al-Qahtani", company_name="Safwa Clinics")

    with django_capture_on_commit_callbacks(execute=True):
        services.lead_assign(actor=manager, lead=lead, assignee=agent)

    note = Notification.objects.get(user=agent, type="lead_assigned", channel="in_app")
    assert note.title == "New lead for you: Nora Al-Qahtani"
    assert "Safwa Clinics" in note.body and note.url == f"/crm/leads/{lead.pk}/"
    assert Notification.objects.filter(user=agent, type="lead_assigned", channel="email").exists()


def test_a_lead_that_arrives_and_is_given_to_an_agent_notifies_them(in_tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = services.lead_create(actor=None, data={"full_name": "ريم العتيبي", "sector": ""})

    assert lead.assigned_to is not None
    assert Notification.objects.filter(user=lead.assigned_to, type="lead_assigned", channel="in_app").count() == 1


def test_nobody_is_notified_of_their_own_choice(in_tenant_a, django_capture_on_commit_callbacks):
    agent = User.objects.get(email="agent@a.test")

    with django_capture_on_commit_callbacks(execute=True):
        lead = services.lead_create(actor=agent, data={"full_name": "ريم العتيبي"})
        manager = User.objects.get(email="manager@a.test")
        services.lead_assign(actor=manager, lead=lead, assignee=agent)  # already theirs: nothing changes

    assert lead.assigned_to == agent
    assert not Notification.objects.filter(type="lead_assigned").exists()


# --- the preferences page --------------------------------------------------------------------------

def test_the_user_menu_links_to_the_notification_settings(client_for, people):
    page = client_for(people["agent"]).get("/").content.decode()

    assert 'href="/accounts/notifications/"' in page


def test_the_preferences_page_shows_the_current_choices(client_for, people):
    with schema_context("tenant_a"):
        set_channels(user_of(people["agent"]), reply_received=["email"])

    page = client_for(people["agent"], language="en").get("/accounts/notifications/").content.decode()

    assert 'id="pref-reply_received-email" checked' in page
    assert 'id="pref-reply_received-in_app">' in page
    assert 'id="pref-lead_assigned-in_app" checked' in page  # the default
    assert "WhatsApp and SMS are kept for conversations with your contacts" in page


def test_saving_the_preferences_page_changes_what_arrives_and_is_audited(client_for, people):
    client = client_for(people["agent"])
    choices = {"lead_assigned": ["in_app"], "daily_digest": ["email"], "reply_received": ["in_app", "email"]}

    response = client.post("/accounts/notifications/", choices)

    assert response.status_code == 302 and response["Location"] == "/accounts/notifications/"
    with schema_context("tenant_a"):
        agent = user_of(people["agent"])
        assert channels_for(agent, "lead_assigned") == ["in_app"]
        assert channels_for(agent, "daily_digest") == ["email"]
        assert channels_for(agent, "task_due") == []  # every box of the row unticked
        audit = AuditLog.objects.filter(entity_type="accounts.user", entity_id=agent.pk, user=agent).latest("created_at")
        assert "notification_channels" in audit.changes


def test_a_channel_that_is_not_offered_is_refused_and_nothing_changes(client_for, people):
    response = client_for(people["agent"], language="en").post(
        "/accounts/notifications/", {"lead_assigned": ["sms"], "task_due": ["in_app"]})

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    with schema_context("tenant_a"):
        assert user_of(people["agent"]).notification_channels == {}


def test_nobody_changes_another_users_preferences(people, in_tenant_a):
    manager, agent = User.objects.get(email="manager@a.test"), User.objects.get(email="agent@a.test")

    with pytest.raises(PermissionDenied):
        notification_preferences_update(actor=manager, user=agent, channels={"lead_assigned": []})

    agent.refresh_from_db()
    assert agent.notification_channels == {}


def test_the_page_only_ever_saves_the_logged_in_users_own_choices(client_for, people):
    with schema_context("tenant_a"):
        agent2 = user_of(people["agent2"])

    client_for(people["agent"]).post("/accounts/notifications/", {"user": str(agent2.pk), "lead_assigned": []})

    with schema_context("tenant_a"):
        assert user_of(people["agent2"]).notification_channels == {}
        assert user_of(people["agent"]).notification_channels["lead_assigned"] == []


# --- the daily summary ---------------------------------------------------------------------------

@pytest.fixture
def agents_day(agent):
    """The agent's day on Sunday 1 March 2026 in Riyadh, with things that belong in the summary and
    things that don't."""
    other = User.objects.get(email="agent2@a.test")
    now = SUNDAY_MORNING
    mine = Lead.objects.create(full_name="نورة القحطاني", company_name="عيادات الصفوة", assigned_to=agent)
    fresh = Lead.objects.create(full_name="Fahad Al-Harbi", company_name="Harbi Trading", assigned_to=agent)
    old = Lead.objects.create(full_name="Old Lead", assigned_to=agent)
    handed = Lead.objects.create(full_name="Handed Over", assigned_to=other)
    Lead.objects.filter(pk__in=[mine.pk, old.pk, handed.pk]).update(created_at=now - datetime.timedelta(days=5))
    Lead.objects.filter(pk=fresh.pk).update(created_at=now - datetime.timedelta(hours=3))
    manager = User.objects.get(email="manager@a.test")
    services.lead_assign(actor=manager, lead=handed, assignee=agent)
    with connection.cursor() as cursor:  # audit rows refuse updates through the ORM; the clock is the test's
        cursor.execute("UPDATE core_auditlog SET created_at = %s WHERE entity_id = %s AND action = 'update'",
                       [now - datetime.timedelta(hours=2), handed.pk])

    def booking(lead, who, hour, status=BookingStatus.CONFIRMED, day=0):
        start = now.replace(hour=hour, minute=0) + datetime.timedelta(days=day)
        return AutoBooking.objects.create(lead=lead, agent=who, meeting_type="demo", duration_minutes=30,
                                          proposed_time=start, confirmed_time=start, status=status)
    booking(mine, agent, 10)
    booking(mine, agent, 14, status=BookingStatus.CANCELLED)
    booking(mine, agent, 10, day=1)
    booking(handed, other, 11)

    def task(subject, due, done=False, who=agent):
        return Activity.objects.create(user=who, lead=mine, type="task", subject=subject, scheduled_at=due,
                                       completed_at=now if done else None)
    task("اتصال متابعة مع نورة", now.replace(hour=13))
    task("Send the revised quote", now - datetime.timedelta(days=2))
    task("Finished already", now.replace(hour=9), done=True)
    task("Next week's task", now + datetime.timedelta(days=7))
    task("Someone else's task", now.replace(hour=12), who=other)

    failed = Message.objects.create(lead=mine, channel=MessageChannel.WHATSAPP, direction=Direction.OUTBOUND,
                                    content="مرحبا", status=MessageStatus.FAILED, reason_code=MessageReason.NO_CONSENT,
                                    failure_reason="no consent")
    stale = Message.objects.create(lead=mine, channel=MessageChannel.EMAIL, direction=Direction.OUTBOUND,
                                   content="Old failure", status=MessageStatus.FAILED, failure_reason="bounced")
    Message.objects.filter(pk=failed.pk).update(updated_at=now - datetime.timedelta(hours=1))
    Message.objects.filter(pk=stale.pk).update(updated_at=now - datetime.timedelta(days=3))
    User.objects.filter(pk=agent.pk).update(language="en")
    agent.refresh_from_db()
    return agent


def test_the_daily_summary_lists_todays_meetings_due_tasks_new_leads_and_failed_sends(agents_day):
    send_daily_digest(SUNDAY_MORNING.isoformat())

    summary = Notification.objects.get(user=agents_day, type="daily_digest", channel="in_app")
    body = summary.body
    assert summary.url == "/?digest=2026-03-01" and "March 1, 2026" in summary.title
    assert "Meetings today (1)" in body and "10:00 · Demo (30 min) · نورة القحطاني" in body
    assert "Tasks due today or overdue (2)" in body
    assert "اتصال متابعة مع نورة" in body and "Send the revised quote" in body and "overdue since 27 Feb" in body
    assert "New leads assigned to you in the last 24 hours (2)" in body
    assert "Fahad Al-Harbi" in body and "Handed Over" in body and "Old Lead" not in body
    assert "Messages to your leads that failed in the last 24 hours (1)" in body
    assert "WhatsApp · نورة القحطاني · No consent from this contact for this channel" in body
    for absent in ("Finished already", "Next week's task", "Someone else's task", "Old failure"):
        assert absent not in body


def test_the_daily_summary_email_has_text_and_html_lists(agents_day, queue, mail_through,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_digest(SUNDAY_MORNING.isoformat())
    run_jobs(queue)

    mail = next(mail for mail in mail_through.messages() if mail["To"] == "agent@a.test")
    assert mail["Subject"].strip().startswith("Your day, March 1, 2026")
    assert "• Fahad Al-Harbi · Harbi Trading" in mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "<li" in html and "Fahad Al-Harbi · Harbi Trading" in html
    assert 'href="http://tenant-a.localhost/?digest=2026-03-01"' in html


def test_the_daily_summary_goes_out_once_a_day(agents_day):
    assert send_daily_digest(SUNDAY_MORNING.isoformat()) >= 1
    assert send_daily_digest((SUNDAY_MORNING + datetime.timedelta(hours=3)).isoformat()) == 0
    assert Notification.objects.filter(user=agents_day, type="daily_digest", channel="in_app").count() == 1

    send_daily_digest((SUNDAY_MORNING + datetime.timedelta(days=1)).isoformat())

    assert Notification.objects.filter(user=agents_day, type="daily_digest", channel="in_app").count() == 2


def test_there_is_no_summary_before_eight_or_on_the_weekend(agents_day):
    before_eight = SUNDAY_MORNING.replace(hour=7, minute=59)
    friday = SUNDAY_MORNING - datetime.timedelta(days=2)

    assert send_daily_digest(before_eight.isoformat()) == 0
    assert send_daily_digest(friday.replace(hour=10).isoformat()) == 0
    assert not Notification.objects.filter(type="daily_digest").exists()


def test_the_summary_goes_to_agents_and_managers_who_want_it_only(agents_day):
    set_channels(User.objects.get(email="agent2@a.test"), daily_digest=[])

    send_daily_digest(SUNDAY_MORNING.isoformat())

    told = set(Notification.objects.filter(type="daily_digest").values_list("user__email", flat=True))
    assert {"agent@a.test", "manager@a.test"} <= told
    assert not told & {"agent2@a.test", "viewer@a.test", "affiliate@a.test", "owner@a.test"}


def test_a_quiet_day_still_gets_a_short_summary(agent):
    send_daily_digest(SUNDAY_MORNING.isoformat())

    summary = Notification.objects.get(user=agent, type="daily_digest", channel="in_app")
    assert summary.body  # "Nothing is planned for you today." in the agent's language
    assert "•" not in summary.body
