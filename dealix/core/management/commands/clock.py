"""The clock: every few minutes, queue each tenant's periodic jobs (task reminders…) on RQ, in the
tenant's own schema. One clock process per deployment; the work itself runs on the RQ workers."""
import signal
import time

from django.core.management.base import BaseCommand
from django_tenants.utils import get_public_schema_name, schema_context

from dealix.core import jobs
from dealix.tenancy.models import Tenant

PERIODIC_JOBS = ["crm.jobs.remind_due_tasks"]


def tick() -> int:
    """Queue every periodic job once for every active tenant; returns how many were queued."""
    queued = 0
    with schema_context(get_public_schema_name()):
        schemas = list(Tenant.objects.filter(is_active=True).exclude(schema_name=get_public_schema_name())
                       .values_list("schema_name", flat=True))
    for schema in schemas:
        with schema_context(schema):
            for job in PERIODIC_JOBS:
                jobs.enqueue(job)
                queued += 1
    return queued


class Command(BaseCommand):
    help = "Queue each tenant's periodic jobs every --interval seconds (--once for a single round)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            self.stdout.write(f"clock: queued {tick()} periodic jobs")
            if options["once"]:
                return
            deadline = time.monotonic() + options["interval"]
            while time.monotonic() < deadline:
                if stopping:
                    return
                time.sleep(1)
