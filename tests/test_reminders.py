"""Task reminders: the clock queues a job per tenant; the job rings the agent's bell once per task."""
import datetime

import django_rq
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context
from rq import SimpleWorker

from crm.jobs import remind_due_tasks
from crm.models import Activity, Lead
from dealix.accounts.models import User
from dealix.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(in_tenant_a):
    agent = User.objects.get(email="agent@a.test")
    lead = Lead.objects.create(full_name="Lead", assigned_to=agent)
    now = timezone.now()
    made = {}
    for name, offset, done in [("overdue", -60, False), ("soon", 10, False), ("later", 120, False),
                               ("done", -30, True)]:
        made[name] = Activity.objects.create(user=agent, lead=lead, type="task", subject=name,
                                             scheduled_at=now + datetime.timedelta(minutes=offset),
                                             completed_at=now if done else None)
    return agent, made


def test_overdue_and_soon_due_tasks_ring_the_bell_once(tasks):
    agent, _made = tasks

    assert remind_due_tasks() == 2
    assert remind_due_tasks() == 0

    titles = sorted(Notification.objects.filter(user=agent, type="task_due").values_list("title", flat=True))
    assert len(titles) == 2 and any("overdue" in title for title in titles) and any("soon" in title for title in titles)


def test_the_clock_queues_the_job_in_every_tenant_and_the_worker_runs_it(tasks, django_capture_on_commit_callbacks):
    queue = django_rq.get_queue("default")
    queue.empty()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("clock", "--once", "--job", "crm.jobs.remind_due_tasks")
    assert queue.count >= 2  # tenant A and tenant B at least

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    with schema_context("tenant_a"):
        assert Notification.objects.filter(type="task_due").count() == 2
