"""Background jobs of the CRM. Each runs inside one tenant's schema (dealix.core.jobs) and is
idempotent: running it twice has the effect of running it once."""
from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, override

from crm.choices import ActivityType
from crm.models import Activity
from dealix.core.models import Notification
from dealix.core.services import notification_create

REMIND_AHEAD = datetime.timedelta(minutes=15)


def remind_due_tasks(now_iso: str | None = None) -> int:
    """Tell each agent, in the bell, about their open tasks due in the next 15 minutes or overdue;
    once per task. Returns how many reminders were sent."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    due = (Activity.objects.filter(type=ActivityType.TASK, completed_at__isnull=True,
                                   scheduled_at__lte=now + REMIND_AHEAD)
           .select_related("user", "lead", "deal").order_by("scheduled_at")[:1000])
    sent = 0
    for task in due:
        link = _task_link(task)
        if Notification.objects.filter(user=task.user, type="task_due", url=link).exists():
            continue
        with override(task.user.language):
            title = (_("Overdue: %(task)s") if task.scheduled_at < now else _("Due soon: %(task)s")) % {
                "task": task.subject}
        notification_create(user=task.user, type="task_due", title=title[:255], url=link)
        sent += 1
    return sent


def _task_link(task) -> str:
    if task.lead_id:
        return reverse("crm:lead_detail", args=[task.lead_id]) + f"#task-{task.pk}"
    if task.deal_id:
        return reverse("crm:deal_detail", args=[task.deal_id]) + f"#task-{task.pk}"
    return reverse("home") + f"#task-{task.pk}"
