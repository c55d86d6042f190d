"""Figures for messaging (docs/PERFORMANCE.md), in a tenant of their own, `bench-msg`, made afresh for
each run: 10,000 contacts who consented to WhatsApp, each sent the approved "cold opener" template
through the local outbox channel (no credentials), so every message is rendered, checked against the
rules when written and again when delivered, sent, and its status recorded.

* `message_write_rate`: messages written per second by `message_send` (render + rules + row + audit),
  one process, in batches of 500 per transaction.
* `message_delivery_rate_1_worker` / `_2_workers`: real `rqworker --burst` processes draining the 10,000
  delivery jobs (rules again + send + status + audit): messages per second, and p50/p95 of the time
  from the job reaching Redis to the message being sent (with a backlog of 10,000, this is mostly the
  wait in the queue).
* `message_latency_idle`: the same time for single messages sent one at a time to an idle worker.
"""
from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time

import django_rq
from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from compliance.choices import ConsentChannel, ConsentState
from compliance.models import Consent
from crm.choices import MessageStatus
from crm.messaging import message_send
from crm.models import Contact, Message
from crm.templating import standard_template
from dealix.core.benchmarking import percentile
from dealix.tenancy.models import Domain, Tenant
from dealix.tenancy.services import tenant_create

SLUG = "bench-msg"
MESSAGES = int(os.environ.get("DEALIX_BENCH_MESSAGES", "10000"))  # smaller for a quick trial
BATCH = 500
# The worker the demo runs (dealix/dev/run.py): jobs in the worker's own process, not a fork per job.
WORKER_CLASS = ["--worker-class", "rq.worker.SimpleWorker"]
ALWAYS_OPEN = {"sending_windows": {"whatsapp": [0, 24], "email": [0, 24], "sms": [0, 24]},
               "work_days": [0, 1, 2, 3, 4, 5, 6]}


def _drop() -> None:
    with schema_context(get_public_schema_name()):
        for tenant in Tenant.objects.filter(slug=SLUG):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
            Domain.objects.filter(tenant=tenant).delete()
            Tenant.objects.filter(pk=tenant.pk).delete()


def _fresh_tenant(contacts: int) -> Tenant:
    """A new tenant on the enterprise plan (no monthly quota), windows open around the clock (so the
    figure does not depend on the hour it runs), with `contacts` consenting contacts."""
    _drop()
    tenant = tenant_create(actor=None, name="Bench messages", slug=SLUG, owner_email="owner@bench-msg.test",
                           owner_full_name="Bench Owner", owner_password="bench-password-123")
    with schema_context(get_public_schema_name()):
        Tenant.objects.filter(pk=tenant.pk).update(plan="enterprise", settings={"rules": ALWAYS_OPEN})
        tenant.refresh_from_db()
    with tenant_context(tenant):
        from dealix.accounts.models import User
        owner = User.objects.get(email="owner@bench-msg.test")
        rows = [Contact(full_name=f"عميل {number}", phone=f"+9665{number:08d}", whatsapp=f"+9665{number:08d}",
                        language="ar", consent_status="granted", owner=owner) for number in range(contacts)]
        Contact.objects.bulk_create(rows, batch_size=2000)
        now = datetime.datetime.now(datetime.timezone.utc)
        # Consent is append-only through its model; bulk_create writes the grants without the per-row check.
        Consent.objects.bulk_create([Consent(contact=contact, channel=ConsentChannel.WHATSAPP,
                                             status=ConsentState.GRANTED, granted_at=now, source="bench")
                                     for contact in rows], batch_size=2000)
    return tenant


def _write(tenant: Tenant, count: int) -> float:
    """Write `count` template messages; returns the seconds it took. Jobs reach Redis at each commit."""
    with tenant_context(tenant):
        template = standard_template("cold_whatsapp_opener", "whatsapp", "ar")
        contacts = list(Contact.objects.order_by("phone")[:count])
        started = time.perf_counter()
        for start in range(0, len(contacts), BATCH):
            with transaction.atomic():
                for contact in contacts[start:start + BATCH]:
                    message_send(actor=None, channel="whatsapp", contact=contact, template=template)
        return time.perf_counter() - started


def _workers(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return [subprocess.Popen([sys.executable, "manage.py", "rqworker", "default", "--burst", *WORKER_CLASS],
                             cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def _delivery(workers: int) -> dict:
    queue = django_rq.get_queue("default")
    queue.empty()
    tenant = _fresh_tenant(MESSAGES)
    write_seconds = _write(tenant, MESSAGES)
    queued_at = time.time()
    started = time.perf_counter()
    processes = _workers(workers)
    for process in processes:
        process.wait()
    seconds = time.perf_counter() - started
    with tenant_context(tenant):
        sent = Message.objects.filter(status=MessageStatus.SENT).count()
        sent_times = list(Message.objects.filter(status=MessageStatus.SENT).values_list("sent_at", flat=True))
    waits = [max(0.0, at.timestamp() - queued_at) * 1000 for at in sent_times]
    _drop()
    return {"name": f"message_delivery_rate_{workers}_worker{'s' if workers > 1 else ''}", "unit": "messages/s",
            "value": round(sent / seconds, 1), "messages": MESSAGES, "sent": sent, "workers": workers,
            "seconds": round(seconds, 1), "enqueue_to_sent_p50_ms": round(percentile(waits, 0.5)) if waits else None,
            "enqueue_to_sent_p95_ms": round(percentile(waits, 0.95)) if waits else None,
            "write_rate": round(MESSAGES / write_seconds, 1)}


def message_delivery_rate_1_worker() -> dict:
    return _delivery(1)


def message_delivery_rate_2_workers() -> dict:
    return _delivery(2)


def message_latency_idle(samples: int = 50) -> dict:
    """One worker waiting; one message at a time; the time from its job reaching Redis to `sent_at`."""
    queue = django_rq.get_queue("default")
    queue.empty()
    tenant = _fresh_tenant(samples)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen([sys.executable, "manage.py", "rqworker", "default", *WORKER_CLASS], cwd=settings.BASE_DIR, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    waits = []
    try:
        time.sleep(3)  # the worker starting up is not part of the figure
        with tenant_context(tenant):
            template = standard_template("cold_whatsapp_opener", "whatsapp", "ar")
            for contact in Contact.objects.order_by("phone")[:samples]:
                with transaction.atomic():
                    message = message_send(actor=None, channel="whatsapp", contact=contact, template=template)
                committed = time.time()
                deadline = committed + 30
                while time.time() < deadline:
                    sent_at = Message.objects.filter(pk=message.pk).values_list("sent_at", flat=True).first()
                    if sent_at:
                        waits.append((sent_at.timestamp() - committed) * 1000)
                        break
                    time.sleep(0.002)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        _drop()
    return {"name": "message_latency_idle", "unit": "ms", "value": round(percentile(waits, 0.5), 1),
            "p50_ms": round(percentile(waits, 0.5), 1), "p95_ms": round(percentile(waits, 0.95), 1), "n": len(waits)}


FIGURES = [message_delivery_rate_1_worker, message_delivery_rate_2_workers, message_latency_idle]
