"""Tenant-aware jobs on a real Redis, run by a real RQ worker (in this process, so it sees the test's
transaction)."""
import django_rq
import pytest
from django.db import connection
from django_tenants.utils import schema_context
from rq import SimpleWorker

from dealix.core import jobs
from dealix.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def run_all(queue):
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_jobs_from_two_tenants_each_run_in_their_own_schema(queue, tenant_a, tenant_b,
                                                            django_capture_on_commit_callbacks):
    # Jobs are pushed to Redis when the enqueuing transaction commits, never before.
    with django_capture_on_commit_callbacks(execute=True):
        connection.set_tenant(tenant_a)
        assert jobs.enqueue("tests.jobs.notify_first_owner", "for A") is None
        connection.set_tenant(tenant_b)
        jobs.enqueue("tests.jobs.notify_first_owner", "for B")
        connection.set_schema_to_public()
        assert queue.count == 0
    job_a, job_b = queue.jobs

    run_all(queue)

    assert job_a.get_status(refresh=True) == "finished" and job_a.return_value() == "tenant_a"
    assert job_b.get_status(refresh=True) == "finished" and job_b.return_value() == "tenant_b"
    with schema_context("tenant_a"):
        assert list(Notification.objects.values_list("title", flat=True)) == ["for A"]
    with schema_context("tenant_b"):
        assert list(Notification.objects.values_list("title", flat=True)) == ["for B"]


def test_a_job_cannot_be_enqueued_from_the_public_schema(queue):
    connection.set_schema_to_public()

    with pytest.raises(jobs.MissingTenantSchema):
        jobs.enqueue("tests.jobs.notify_first_owner", "nowhere")

    assert queue.count == 0


def test_a_job_without_a_schema_fails_loudly_instead_of_running(queue):
    # Pushed straight to Redis, as a job from an older release or another tool might be.
    raw_queue = django_rq.get_queue("default", commit_mode="auto")
    job = raw_queue.enqueue(jobs.run_in_schema, "", "tests.jobs.notify_first_owner", "lost")

    run_all(queue)

    assert job.get_status(refresh=True) == "failed"
    assert "MissingTenantSchema" in job.latest_result().exc_string
    with schema_context("tenant_a"):
        assert not Notification.objects.filter(title="lost").exists()
