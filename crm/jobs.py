"""Background jobs of the CRM. Each runs inside one tenant's schema (dealix.core.jobs) and is
idempotent: running it twice has the effect of running it once."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crm.choices import ActivityType, BookingStatus, Direction, MessageStatus
from crm.models import Activity, AutoBooking, Lead, Message
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog, Notification
from dealix.core.notifications import NotificationType, channels_for, current_tenant, in_language_of, notify
from dealix.core.templatetags.dealix import hijri_text
from dealix.tenancy.rules import rules_for

REMIND_AHEAD = datetime.timedelta(minutes=15)


def remind_due_tasks(now_iso: str | None = None) -> int:
    """Tell each agent about their open tasks due in the next 15 minutes or overdue, on the channels they
    chose for tasks (the bell by default); once per task. Returns how many reminders were sent."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    due = (Activity.objects.filter(type=ActivityType.TASK, completed_at__isnull=True,
                                   scheduled_at__lte=now + REMIND_AHEAD)
           .select_related("user", "lead", "deal").order_by("scheduled_at")[:1000])
    sent = 0
    for task in due:
        link = _task_link(task)
        if not channels_for(task.user, NotificationType.TASK_DUE):
            continue
        if Notification.objects.filter(user=task.user, type=NotificationType.TASK_DUE, url=link).exists():
            continue
        with in_language_of(task.user):
            title = (_("Overdue: %(task)s") if task.scheduled_at < now else _("Due soon: %(task)s")) % {
                "task": task.subject}
        notify(user=task.user, type=NotificationType.TASK_DUE, title=title, url=link)
        sent += 1
    return sent


def _task_link(task) -> str:
    if task.lead_id:
        return reverse("crm:lead_detail", args=[task.lead_id]) + f"#task-{task.pk}"
    if task.deal_id:
        return reverse("crm:deal_detail", args=[task.deal_id]) + f"#task-{task.pk}"
    return reverse("home") + f"#task-{task.pk}"


# --- the daily summary ----------------------------------------------------------------------------

# Not a RULES.md number: when the morning summary goes out, in the tenant's time zone.
DIGEST_HOUR = 8
DIGEST_LOOKBACK = datetime.timedelta(hours=24)
DIGEST_ITEMS_PER_SECTION = 15


@dataclass
class Digest:
    meetings: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    new_leads: list = field(default_factory=list)
    failed_messages: list = field(default_factory=list)


def send_daily_digest(now_iso: str | None = None) -> int:
    """The morning summary to every active agent and manager who gets it: today's meetings, tasks due
    today or overdue, leads assigned to them in the last 24 hours and their leads' messages that failed
    in the last 24 hours. The clock queues this job every few minutes; it sends from 08:00 on work days,
    once per person per day: the day's summary is a Notification row of type daily_digest whose link
    carries the date, and an advisory lock keeps two runs from both sending. Returns how many it sent."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    tenant = current_tenant()
    rules = rules_for(tenant)
    zone = ZoneInfo(rules.time_zone)
    local_now = now.astimezone(zone)
    if local_now.hour < DIGEST_HOUR or local_now.weekday() not in rules.work_days:
        return 0
    today = local_now.date()
    link = f"{reverse('home')}?digest={today.isoformat()}"
    sent = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"crm.daily_digest:{connection.schema_name}"])
        done = set(Notification.objects.filter(type=NotificationType.DAILY_DIGEST, url=link)
                   .values_list("user_id", flat=True))
        people = User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.MANAGER]).exclude(pk__in=done)
        for user in people.order_by("full_name"):
            if not channels_for(user, NotificationType.DAILY_DIGEST):
                continue
            digest = digest_for(user, now=now, day=today, zone=zone)
            with in_language_of(user):
                title, body = _digest_text(digest, today, zone)
            notify(user=user, type=NotificationType.DAILY_DIGEST, title=title, body=body, url=link)
            sent += 1
    return sent


def digest_for(user, *, now: datetime.datetime, day: datetime.date, zone) -> Digest:
    """What one person's summary lists, each part in the order they will want to read it."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = start + datetime.timedelta(days=1)
    since = now - DIGEST_LOOKBACK
    limit = DIGEST_ITEMS_PER_SECTION + 1  # one more says "and more"
    meetings = list(AutoBooking.objects.filter(agent=user, status__in=[BookingStatus.CONFIRMED, BookingStatus.RESCHEDULED])
                    .annotate(starts_at=Coalesce("confirmed_time", "proposed_time"))
                    .filter(starts_at__gte=start, starts_at__lt=end)
                    .select_related("lead").order_by("starts_at")[:limit])
    tasks = list(Activity.objects.filter(user=user, type=ActivityType.TASK, completed_at__isnull=True,
                                         scheduled_at__lt=end)
                 .select_related("lead", "deal").order_by("scheduled_at")[:limit])
    # A lead is "new to them" if it was created for them, or handed over to them, in the last 24 hours.
    handed_over = (AuditLog.objects.filter(entity_type="crm.lead", action=AuditAction.UPDATE, created_at__gte=since,
                                           changes__assigned_to_id__1=str(user.pk))
                   .values_list("entity_id", flat=True))
    new_leads = list(Lead.objects.filter(assigned_to=user, merged_into__isnull=True)
                     .filter(Q(created_at__gte=since) | Q(pk__in=handed_over))
                     .order_by("-score", "-created_at")[:limit])
    failed = list(Message.objects.filter(direction=Direction.OUTBOUND, status=MessageStatus.FAILED,
                                         updated_at__gte=since)
                  .filter(Q(lead__assigned_to=user) | Q(lead__isnull=True, contact__lead__assigned_to=user))
                  .select_related("lead", "contact").order_by("-updated_at")[:limit])
    return Digest(meetings, tasks, new_leads, failed)


def _digest_text(digest: Digest, day: datetime.date, zone) -> tuple[str, str]:
    """Title and body in the active language. The body's sections are a heading line and "• " items,
    which the email's HTML part turns into lists."""
    date_text = f"{formats.date_format(day, 'DATE_FORMAT')} ({hijri_text(day)})"
    title = _("Your day, %(date)s") % {"date": date_text}
    sections = []

    def section(heading: str, rows: list, line) -> None:
        if not rows:
            return
        more = len(rows) > DIGEST_ITEMS_PER_SECTION
        lines = [heading % {"count": f"{DIGEST_ITEMS_PER_SECTION}+" if more else str(len(rows))}]
        lines += ["• " + line(row) for row in rows[:DIGEST_ITEMS_PER_SECTION]]
        if more:
            lines.append("• " + _("…and more on the home page"))
        sections.append("\n".join(lines))

    def when(task) -> str:
        local = task.scheduled_at.astimezone(zone)
        if local.date() < day:
            return _("overdue since %(date)s") % {"date": formats.date_format(local, "j M")}
        return f"{local:%H:%M}"

    section(_("Meetings today (%(count)s)"), digest.meetings,
            lambda booking: " · ".join(part for part in (
                f"{booking.starts_at.astimezone(zone):%H:%M}", booking.get_meeting_type_display(),
                booking.lead.full_name, booking.lead.company_name) if part))
    section(_("Tasks due today or overdue (%(count)s)"), digest.tasks,
            lambda task: " · ".join(part for part in (
                task.subject, (task.lead.full_name if task.lead else task.deal.title if task.deal else ""),
                when(task)) if part))
    section(_("New leads assigned to you in the last 24 hours (%(count)s)"), digest.new_leads,
            lambda lead: " · ".join(part for part in (
                lead.full_name, lead.company_name, _("score %(score)d") % {"score": lead.score}) if part))
    section(_("Messages to your leads that failed in the last 24 hours (%(count)s)"), digest.failed_messages,
            lambda message: " · ".join(part for part in (
                message.get_channel_display(),
                (message.lead.full_name if message.lead else message.contact.full_name if message.contact else ""),
                message.get_reason_code_display() or message.failure_reason[:120]) if part))
    body = "\n\n".join(sections) if sections else _("Nothing is planned for you today.")
    return title, body
