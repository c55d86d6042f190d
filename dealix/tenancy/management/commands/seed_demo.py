import time

from django.core.management.base import BaseCommand

from dealix.tenancy.demo import DEMO_TENANTS, ensure_demo_tenant, ensure_operator


class Command(BaseCommand):
    help = "Create the demo tenants (acme, gulf-trading) with a user per role; safe to run again."

    def handle(self, *args, **options):
        started = time.monotonic()
        ensure_operator()
        for spec in DEMO_TENANTS:
            ensure_demo_tenant(spec)
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s.")
