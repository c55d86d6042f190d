"""A real RQ worker process is killed (SIGKILL) the moment the WhatsApp provider has accepted a message;
the job then runs again. The provider must have received the message exactly once.

This needs committed data (the worker is another process), so it makes a tenant of its own, commits to
it, and drops it at the end; it does not use the rolled-back `db` fixture."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django_rq
import pytest
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from tests.servers import WhatsAppServer

ROOT = Path(__file__).resolve().parents[1]
SLUG = "crash-test"


@pytest.fixture
def crash_tenant(django_db_setup, django_db_blocker):
    from dealix.tenancy.models import Domain, Tenant
    from dealix.tenancy.services import tenant_create

    with django_db_blocker.unblock():
        tenant = tenant_create(actor=None, name="Crash test", slug=SLUG, owner_email="owner@crash.test",
                               owner_full_name="Crash Owner", owner_password="crash-password-123")
        with schema_context(get_public_schema_name()):
            Tenant.objects.filter(pk=tenant.pk).update(plan="enterprise", settings={"rules": {
                "sending_windows": {"whatsapp": [0, 24]}, "work_days": [0, 1, 2, 3, 4, 5, 6]}})
            tenant.refresh_from_db()
        yield tenant
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        Domain.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
        connection.close()


def _worker() -> subprocess.Popen:
    database = urlsplit(os.environ["DATABASE_URL"])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dealix.settings_test", "PYTHONUNBUFFERED": "1",
           "DATABASE_URL": urlunsplit(database._replace(path="/" + connection.settings_dict["NAME"]))}
    return subprocess.Popen([sys.executable, "manage.py", "rqworker", "default", "--burst",
                             "--worker-class", "rq.worker.SimpleWorker"],
                            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_a_worker_killed_after_the_provider_accepted_does_not_send_twice(crash_tenant, django_db_blocker):
    from compliance.services import consent_record
    from crm.choices import MessageStatus
    from crm.messaging import deliver_message, message_send
    from crm.models import Contact, Message
    from crm.templating import standard_template
    from tests.servers import point_tenant_at

    provider = WhatsAppServer().start()
    queue = django_rq.get_queue("default")
    queue.empty()
    worker = None
    try:
        with django_db_blocker.unblock(), tenant_context(crash_tenant):
            with schema_context(get_public_schema_name()):
                point_tenant_at(crash_tenant, "whatsapp", provider.settings)
            contact = Contact.objects.create(full_name="هند العمري", phone="+966504440001", whatsapp="+966504440001",
                                             language="ar")
            consent_record(actor=None, contact=contact, channel="whatsapp", granted=True, source="test")
            template = standard_template("cold_whatsapp_opener", "whatsapp", "ar")
            message = message_send(actor=None, channel="whatsapp", contact=contact, template=template,
                                   context={"agent_name": "سلمان"})
            assert queue.count == 1  # committed at once (autocommit), so the job is in Redis

            worker = _worker()
            provider.after_answer = lambda _data: os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=60)
            assert worker.returncode == -signal.SIGKILL
            assert len(provider.bodies) == 1

            # The job runs again (RQ's retry, the every-minute sweep, or a person); whichever way the
            # kill fell, before or after our record of the provider's id, nothing is sent a second time.
            outcome = deliver_message(str(message.pk))
            assert outcome in ("unknown", "nothing")
            assert len(provider.bodies) == 1
            message.refresh_from_db()
            if outcome == "unknown":
                assert message.status == MessageStatus.FAILED and message.reason_code == "unknown_outcome"
            else:
                assert message.status == MessageStatus.SENT and message.provider_message_id.startswith("wamid.")
            assert Message.objects.filter(contact=contact).count() == 1
    finally:
        provider.stop()
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        time.sleep(0.2)
