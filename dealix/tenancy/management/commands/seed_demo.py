import time

from django.core.management.base import BaseCommand

from dealix.tenancy.demo import DEMO_TENANTS, drop_demo_tenant, ensure_demo_tenant, ensure_operator


class Command(BaseCommand):
    help = ("Create the demo tenants (acme, gulf-trading) with a user per role and a month of business; "
            "safe to run again (a tenant that already has leads is left as it is).")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="drop the demo tenants first (everything in them is lost), then seed them again")

    def handle(self, *args, **options):
        started = time.monotonic()
        ensure_operator()
        for spec in DEMO_TENANTS:
            if options["reset"] and drop_demo_tenant(spec["slug"]):
                self.stdout.write(f"  {spec['slug']}: dropped")
            tenant_started = time.monotonic()
            ensure_demo_tenant(spec)
            self.stdout.write(f"  {spec['slug']}: {time.monotonic() - tenant_started:.1f} s")
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s.")
